package dev.kiln.compiler.ops;

import dev.kiln.compiler.ir.Attributes;
import dev.kiln.runtime.kernels.reference.ReferenceUnary;

/** Tanh: the hyperbolic tangent. */
public record Tanh() implements UnaryElementwise {
  public static final String TYPE = "Tanh";

  public static Tanh fromAttributes(Attributes a, int opset) {
    a.requireOnly();
    return new Tanh();
  }

  @Override
  public String type() {
    return TYPE;
  }

  @Override
  public Attributes attributes() {
    return Attributes.EMPTY;
  }

  @Override
  public void apply(float[] in, float[] out, int count) {
    ReferenceUnary.tanh(in, 0, out, 0, count);
  }
}
