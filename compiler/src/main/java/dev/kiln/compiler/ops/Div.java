package dev.kiln.compiler.ops;

import dev.kiln.compiler.ir.Attributes;
import dev.kiln.runtime.kernels.reference.ReferenceBinary;

/** Div: {@code a / b} (integer division truncates toward zero), with NumPy broadcasting. */
public record Div() implements BinaryElementwise {
  public static final String TYPE = "Div";

  public static Div fromAttributes(Attributes a, int opset) {
    BinaryElementwise.checkAttributes(a);
    return new Div();
  }

  @Override
  public String type() {
    return TYPE;
  }

  @Override
  public ReferenceBinary.Op kernelOp() {
    return ReferenceBinary.Op.DIV;
  }
}
