package dev.kiln.compiler.ops;

import dev.kiln.compiler.ir.Attributes;
import dev.kiln.runtime.kernels.reference.ReferenceBinary;

/** Add: {@code a + b}, with NumPy broadcasting. */
public record Add() implements BinaryElementwise {
  public static final String TYPE = "Add";

  public static Add fromAttributes(Attributes a, int opset) {
    BinaryElementwise.checkAttributes(a);
    return new Add();
  }

  @Override
  public String type() {
    return TYPE;
  }

  @Override
  public ReferenceBinary.Op kernelOp() {
    return ReferenceBinary.Op.ADD;
  }
}
