package dev.kiln.compiler.ops;

import dev.kiln.compiler.ir.Attributes;
import dev.kiln.runtime.kernels.reference.ReferenceBinary;

/** Sub: {@code a - b}, with NumPy broadcasting. */
public record Sub() implements BinaryElementwise {
  public static final String TYPE = "Sub";

  public static Sub fromAttributes(Attributes a, int opset) {
    BinaryElementwise.checkAttributes(a);
    return new Sub();
  }

  @Override
  public String type() {
    return TYPE;
  }

  @Override
  public ReferenceBinary.Op kernelOp() {
    return ReferenceBinary.Op.SUB;
  }
}
