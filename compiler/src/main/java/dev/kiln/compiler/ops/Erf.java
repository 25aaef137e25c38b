package dev.kiln.compiler.ops;

import dev.kiln.compiler.ir.Attributes;
import dev.kiln.runtime.kernels.reference.ReferenceUnary;

/** Erf (opset 9+): the error function {@code 2/√π ∫₀ˣ e^(−t²) dt}, as GELU uses it. */
public record Erf() implements UnaryElementwise {
  public static final String TYPE = "Erf";

  public static Erf fromAttributes(Attributes a, int opset) {
    Opsets.requireAtLeast(9, opset);
    a.requireOnly();
    return new Erf();
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
    ReferenceUnary.erf(in, 0, out, 0, count);
  }
}
