package dev.kiln.compiler.ops;

import dev.kiln.compiler.ir.Attributes;
import dev.kiln.runtime.kernels.reference.ReferenceUnary;

/** Exp: {@code e^x}. */
public record Exp() implements UnaryElementwise {
  public static final String TYPE = "Exp";

  public static Exp fromAttributes(Attributes a, int opset) {
    a.requireOnly();
    return new Exp();
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
    ReferenceUnary.exp(in, 0, out, 0, count);
  }
}
