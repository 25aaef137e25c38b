package dev.kiln.compiler.ops;

import dev.kiln.compiler.ir.Attributes;
import dev.kiln.runtime.kernels.reference.ReferenceUnary;

/** HardSigmoid: {@code max(0, min(1, alpha·x + beta))}, alpha 0.2 and beta 0.5 by default. */
public record HardSigmoid(float alpha, float beta) implements UnaryElementwise {
  public static final String TYPE = "HardSigmoid";

  public static final float DEFAULT_ALPHA = 0.2f;

  public static final float DEFAULT_BETA = 0.5f;

  public static HardSigmoid fromAttributes(Attributes a, int opset) {
    a.requireOnly("alpha", "beta");
    return new HardSigmoid(a.getFloat("alpha", DEFAULT_ALPHA), a.getFloat("beta", DEFAULT_BETA));
  }

  @Override
  public String type() {
    return TYPE;
  }

  @Override
  public Attributes attributes() {
    return Attributes.builder().putFloat("alpha", alpha).putFloat("beta", beta).build();
  }

  @Override
  public void apply(float[] in, float[] out, int count) {
    ReferenceUnary.hardSigmoid(alpha, beta, in, 0, out, 0, count);
  }

  /** A multiply, an add, a min and a max: counted as 4 FLOPs. */
  @Override
  public int flopsPerElement() {
    return 4;
  }
}
