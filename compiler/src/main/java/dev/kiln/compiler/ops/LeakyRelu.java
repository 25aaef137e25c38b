package dev.kiln.compiler.ops;

import dev.kiln.compiler.ir.Attributes;
import dev.kiln.runtime.kernels.reference.ReferenceUnary;

/** LeakyRelu: {@code x ≥ 0 ? x : alpha·x}, alpha 0.01 by default. */
public record LeakyRelu(float alpha) implements UnaryElementwise {
  public static final String TYPE = "LeakyRelu";

  public static final float DEFAULT_ALPHA = 0.01f;

  public static LeakyRelu fromAttributes(Attributes a, int opset) {
    a.requireOnly("alpha");
    return new LeakyRelu(a.getFloat("alpha", DEFAULT_ALPHA));
  }

  @Override
  public String type() {
    return TYPE;
  }

  @Override
  public Attributes attributes() {
    return Attributes.builder().putFloat("alpha", alpha).build();
  }

  @Override
  public void apply(float[] in, float[] out, int count) {
    ReferenceUnary.leakyRelu(alpha, in, 0, out, 0, count);
  }

  /** A compare and a multiply: counted as 2 FLOPs. */
  @Override
  public int flopsPerElement() {
    return 2;
  }
}
