package dev.kiln.compiler.ops;

import dev.kiln.compiler.ir.Attributes;
import dev.kiln.runtime.kernels.reference.ReferenceUnary;

/** Sigmoid: {@code 1 / (1 + e^−x)}. */
public record Sigmoid() implements UnaryElementwise {
  public static final String TYPE = "Sigmoid";

  public static Sigmoid fromAttributes(Attributes a, int opset) {
    a.requireOnly();
    return new Sigmoid();
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
    ReferenceUnary.sigmoid(in, 0, out, 0, count);
  }

  /** An exp, an add and a divide: counted as 3 FLOPs. */
  @Override
  public int flopsPerElement() {
    return 3;
  }
}
