package dev.kiln.compiler.ops;

import dev.kiln.compiler.ir.Attributes;
import dev.kiln.compiler.ir.Cost;
import dev.kiln.compiler.ir.CostContext;
import dev.kiln.runtime.kernels.reference.ReferenceBinary;

/** Pow: {@code a^b}, with NumPy broadcasting; the exponent may be of another numeric type. */
public record Pow() implements BinaryElementwise {
  public static final String TYPE = "Pow";

  public static Pow fromAttributes(Attributes a, int opset) {
    BinaryElementwise.checkAttributes(a);
    return new Pow();
  }

  @Override
  public String type() {
    return TYPE;
  }

  @Override
  public ReferenceBinary.Op kernelOp() {
    return ReferenceBinary.Op.POW;
  }

  @Override
  public boolean mixedTypes() {
    return true;
  }

  /** A general power is a log, a multiply and an exp: counted as 3 FLOPs. */
  @Override
  public Cost cost(CostContext ctx) {
    return ctx.movementCost(3 * ctx.outputElements(0));
  }
}
