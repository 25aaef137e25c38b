package dev.kiln.compiler.ops;

import dev.kiln.compiler.ir.Attributes;
import dev.kiln.runtime.kernels.reference.ReferenceUnary;

/** Reciprocal: {@code 1 / x}. */
public record Reciprocal() implements UnaryElementwise {
  public static final String TYPE = "Reciprocal";

  public static Reciprocal fromAttributes(Attributes a, int opset) {
    a.requireOnly();
    return new Reciprocal();
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
    ReferenceUnary.reciprocal(in, 0, out, 0, count);
  }
}
