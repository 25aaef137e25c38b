package dev.kiln.compiler.ops;

import dev.kiln.compiler.ir.Attributes;
import dev.kiln.runtime.kernels.reference.ReferenceUnary;

/** Relu: {@code max(0, x)}. */
public record Relu() implements UnaryElementwise {
  public static final String TYPE = "Relu";

  public static Relu fromAttributes(Attributes a, int opset) {
    a.requireOnly();
    return new Relu();
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
    ReferenceUnary.relu(in, 0, out, 0, count);
  }
}
