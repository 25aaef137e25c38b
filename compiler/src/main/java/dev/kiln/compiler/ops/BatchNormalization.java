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
 * BatchNormalization in inference mode: {@code y = (x − mean) / √(var + ε) · scale + B}, per channel
 * (axis 1). Inputs X, scale, B, mean, var. Training mode and its extra outputs are not supported.
 */
public record BatchNormalization(float epsilon) implements Op {
  public static final String TYPE = "BatchNormalization";

  public static BatchNormalization fromAttributes(Attributes a, int opset) {
    a.requireOnly("epsilon", "momentum", "spatial", "training_mode");
    if (a.getInt("spatial", 1) != 1) {
      throw new OpException("spatial=0 (per-activation statistics) is not supported");
    }
    if (a.getInt("training_mode", 0) != 0) {
      throw new OpException("training_mode=1 is not supported: Kiln compiles inference graphs");
    }
    return new BatchNormalization(a.getFloat("epsilon", 1e-5f));
  }

  @Override
  public String type() {
    return TYPE;
  }

  @Override
  public Arity arity() {
    return new Arity(5, 5, 1, 1);
  }

  @Override
  public Attributes attributes() {
    return Attributes.builder().putFloat("epsilon", epsilon).build();
  }

  @Override
  public List<TensorType> inferTypes(InferenceContext ctx) {
    TensorType x = ctx.inputType(0);
    if (x.dtype() != DType.FLOAT32 || x.rank() < 2) {
      throw new OpException("expects a float32 input of rank 2 or more, got " + x);
    }
    Shape perChannel = Shape.of(x.shape().dim(1));
    String[] roles = {"", "scale", "B", "mean", "var"};
    for (int i = 1; i < 5; i++) {
      TensorType t = ctx.inputType(i);
      if (!t.shape().equals(perChannel) || t.dtype() != DType.FLOAT32) {
        throw new OpException(roles[i] + " is " + t + ", expected float32" + perChannel
            + " (one per channel)");
      }
    }
    return List.of(x);
  }

  @Override
  public Tensor[] evaluate(Tensor[] in, TensorType[] outputTypes) {
    Shape s = in[0].shape();
    float[] out = new float[s.elementCount()];
    ReferenceNormalization.batchNorm(s.dim(0), s.dim(1), s.product(2, s.rank()), epsilon,
        in[0].toFloatArray(), 0, in[1].toFloatArray(), 0, in[2].toFloatArray(), 0,
        in[3].toFloatArray(), 0, in[4].toFloatArray(), 0, out, 0);
    return new Tensor[] {Tensor.adopt(s, out)};
  }

  /** Folded to one multiply-add per element. */
  @Override
  public Cost cost(CostContext ctx) {
    return ctx.movementCost(2 * ctx.outputElements(0));
  }
}
