package dev.kiln.compiler.ops;

import dev.kiln.compiler.ir.Arity;
import dev.kiln.compiler.ir.Cost;
import dev.kiln.compiler.ir.CostContext;
import dev.kiln.compiler.ir.DType;
import dev.kiln.compiler.ir.InferenceContext;
import dev.kiln.compiler.ir.Op;
import dev.kiln.compiler.ir.OpException;
import dev.kiln.compiler.ir.Tensor;
import dev.kiln.compiler.ir.TensorType;
import java.util.List;

/**
 * A float32 operator applied to each element independently (activations, math functions): the
 * output has the input's type. Implementations supply the kernel call and the FLOPs per element.
 */
public interface UnaryElementwise extends Op {
  /** Runs the reference kernel over {@code count} elements. */
  void apply(float[] in, float[] out, int count);

  /** Arithmetic per element, for the cost model (a transcendental counts as a few). */
  default int flopsPerElement() {
    return 1;
  }

  @Override
  default Arity arity() {
    return Arity.of(1, 1);
  }

  @Override
  default List<TensorType> inferTypes(InferenceContext ctx) {
    TensorType x = ctx.inputType(0);
    if (x.dtype() != DType.FLOAT32) {
      throw new OpException("expects a float32 input, got " + x.dtype());
    }
    return List.of(x);
  }

  @Override
  default Tensor[] evaluate(Tensor[] inputs, TensorType[] outputTypes) {
    float[] data = inputs[0].toFloatArray();
    apply(data, data, data.length);
    return new Tensor[] {Tensor.adopt(outputTypes[0].shape(), data)};
  }

  @Override
  default Cost cost(CostContext ctx) {
    return ctx.movementCost((long) flopsPerElement() * ctx.outputElements(0));
  }
}
