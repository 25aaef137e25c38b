package dev.kiln.compiler.ops;

import dev.kiln.compiler.ir.Attributes;
import dev.kiln.runtime.kernels.reference.ReferenceUnary;

/** HardSwish (opset 14+): {@code x · max(0, min(1, x/6 + 1/2))}, MobileNetV3's activation. */
public record HardSwish() implements UnaryElementwise {
  public static final String TYPE = "HardSwish";

  public static HardSwish fromAttributes(Attributes a, int opset) {
    Opsets.requireAtLeast(14, opset);
    a.requireOnly();
    return new HardSwish();
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
    ReferenceUnary.hardSwish(in, 0, out, 0, count);
  }

  /** A multiply, an add, a min, a max and a multiply: counted as 5 FLOPs. */
  @Override
  public int flopsPerElement() {
    return 5;
  }
}
