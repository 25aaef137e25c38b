package dev.kiln.compiler.ops;

import dev.kiln.compiler.ir.Attributes;
import dev.kiln.runtime.kernels.reference.ReferenceUnary;

/** Sqrt: the square root; NaN for negative inputs. */
public record Sqrt() implements UnaryElementwise {
  public static final String TYPE = "Sqrt";

  public static Sqrt fromAttributes(Attributes a, int opset) {
    a.requireOnly();
    return new Sqrt();
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
    ReferenceUnary.sqrt(in, 0, out, 0, count);
  }
}
