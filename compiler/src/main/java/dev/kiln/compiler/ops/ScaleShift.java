package dev.kiln.compiler.ops;

import dev.kiln.compiler.ir.Arity;
import dev.kiln.compiler.ir.Attributes;
import dev.kiln.compiler.ir.Cost;
import dev.kiln.compiler.ir.CostContext;
import dev.kiln.compiler.ir.DType;
import dev.kiln.compiler.ir.InferenceContext;
import dev.kiln.compiler.ir.Op;
import dev.kiln.compiler.ir.OpException;
import dev.kiln.compiler.ir.Shape;
import dev.kiln.compiler.ir.Tensor;
import dev.kiln.compiler.ir.TensorType;
import dev.kiln.runtime.kernels.reference.ReferenceNormalization;
import java.util.List;

/**
 * {@code kiln.ScaleShift}: {@code y = x·scale[c] + shift[c]} per channel (axis 1). What a
 * BatchNormalization that could neither fold into a convolution's weights nor join a fused
 * convolution's epilogue runs as. Inputs X (rank 2 or more), scale {@code [C]}, shift {@code [C]}.
 * Only the optimizer creates it.
 */
public record ScaleShift() implements Op {
  public static final String TYPE = "kiln.ScaleShift";

  public static ScaleShift fromAttributes(Attributes a, int opset) {
    a.requireOnly();
    return new ScaleShift();
  }

  @Override
  public String type() {
    return TYPE;
  }

  @Override
  public Arity arity() {
    return Arity.of(3, 1);
  }

  @Override
  public Attributes attributes() {
    return Attributes.EMPTY;
  }

  @Override
  public List<TensorType> inferTypes(InferenceContext ctx) {
    TensorType x = ctx.inputType(0);
    if (x.dtype() != DType.FLOAT32 || x.rank() < 2) {
      throw new OpException("expects a float32 input of rank 2 or more, got " + x);
    }
    Shape perChannel = Shape.of(x.shape().dim(1));
    for (int i = 1; i < 3; i++) {
      TensorType t = ctx.inputType(i);
      if (t.dtype() != DType.FLOAT32 || !t.shape().equals(perChannel)) {
        throw new OpException((i == 1 ? "scale" : "shift") + " is " + t + ", expected float32"
            + perChannel + " (one per channel)");
      }
    }
    return List.of(x);
  }

  @Override
  public Tensor[] evaluate(Tensor[] in, TensorType[] outputTypes) {
    Shape s = in[0].shape();
    float[] out = new float[s.elementCount()];
    ReferenceNormalization.scaleShift(s.dim(0), s.dim(1), s.product(2, s.rank()),
        in[0].toFloatArray(), 0, in[1].toFloatArray(), 0, in[2].toFloatArray(), 0, out, 0);
    return new Tensor[] {Tensor.adopt(s, out)};
  }

  /** One multiply-add per element. */
  @Override
  public Cost cost(CostContext ctx) {
    return ctx.movementCost(2 * ctx.outputElements(0));
  }
}
