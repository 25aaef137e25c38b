package dev.kiln.compiler.ops;

import dev.kiln.compiler.ir.Arity;
import dev.kiln.compiler.ir.Attributes;
import dev.kiln.compiler.ir.Cost;
import dev.kiln.compiler.ir.CostContext;
import dev.kiln.compiler.ir.InferenceContext;
import dev.kiln.compiler.ir.Op;
import dev.kiln.compiler.ir.Shape;
import dev.kiln.compiler.ir.Tensor;
import dev.kiln.compiler.ir.TensorType;
import dev.kiln.runtime.kernels.reference.ReferencePool;
import java.util.List;

/** GlobalAveragePool: the mean of each channel's plane, {@code [N,C,H,W] → [N,C,1,1]}. */
public record GlobalAveragePool() implements Op {
  public static final String TYPE = "GlobalAveragePool";

  public static GlobalAveragePool fromAttributes(Attributes a, int opset) {
    a.requireOnly();
    return new GlobalAveragePool();
  }

  @Override
  public String type() {
    return TYPE;
  }

  @Override
  public Arity arity() {
    return Arity.of(1, 1);
  }

  @Override
  public Attributes attributes() {
    return Attributes.EMPTY;
  }

  @Override
  public List<TensorType> inferTypes(InferenceContext ctx) {
    return List.of(GlobalPooling.outputType(ctx.inputType(0)));
  }

  @Override
  public Tensor[] evaluate(Tensor[] inputs, TensorType[] outputTypes) {
    Shape x = inputs[0].shape();
    float[] out = new float[outputTypes[0].elementCount()];
    ReferencePool.globalAveragePool(GlobalPooling.planes(x), GlobalPooling.planeSize(x),
        inputs[0].toFloatArray(), 0, out, 0);
    return new Tensor[] {Tensor.adopt(outputTypes[0].shape(), out)};
  }

  @Override
  public Cost cost(CostContext ctx) {
    return ctx.movementCost(ctx.inputType(0).elementCount());
  }
}
