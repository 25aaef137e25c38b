package dev.kiln.compiler.ops;

import dev.kiln.compiler.ir.Attributes;
import dev.kiln.runtime.kernels.reference.ReferenceBinary;

/** Mul: {@code a · b}, with NumPy broadcasting. */
public record Mul() implements BinaryElementwise {
  public static final String TYPE = "Mul";

  public static Mul fromAttributes(Attributes a, int opset) {
    BinaryElementwise.checkAttributes(a);
    return new Mul();
  }

  @Override
  public String type() {
    return TYPE;
  }

  @Override
  public ReferenceBinary.Op kernelOp() {
    return ReferenceBinary.Op.MUL;
  }
}
