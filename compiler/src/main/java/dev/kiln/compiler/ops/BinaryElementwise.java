package dev.kiln.compiler.ops;

import dev.kiln.compiler.ir.Arity;
import dev.kiln.compiler.ir.Attributes;
import dev.kiln.compiler.ir.Cost;
import dev.kiln.compiler.ir.CostContext;
import dev.kiln.compiler.ir.InferenceContext;
import dev.kiln.compiler.ir.Op;
import dev.kiln.compiler.ir.OpException;
import dev.kiln.compiler.ir.Shape;
import dev.kiln.compiler.ir.Tensor;
import dev.kiln.compiler.ir.TensorType;
import dev.kiln.runtime.kernels.reference.ReferenceBinary;
import java.util.List;

/**
 * An elementwise operator on two inputs with NumPy broadcasting (Add, Sub, Mul, Div, Pow, PRelu).
 * Float32 for activations; int64/int32 too, for the shape arithmetic exporters emit.
 */
public interface BinaryElementwise extends Op {
  /** The reference kernel's operation. */
  ReferenceBinary.Op kernelOp();

  /** Whether the second operand may differ in type from the first (Pow's exponent may). */
  default boolean mixedTypes() {
    return false;
  }

  /** The legacy (opset < 7) broadcast attributes are not supported; opset 7+ broadcasts implicitly. */
  static void checkAttributes(Attributes a) {
    a.requireOnly();
  }

  @Override
  default Arity arity() {
    return Arity.of(2, 1);
  }

  @Override
  default Attributes attributes() {
    return Attributes.EMPTY;
  }

  @Override
  default List<TensorType> inferTypes(InferenceContext ctx) {
    TensorType a = ctx.inputType(0);
    TensorType b = ctx.inputType(1);
    if (!mixedTypes() && a.dtype() != b.dtype()) {
      throw new OpException("input types differ: " + a.dtype() + " and " + b.dtype());
    }
    return List.of(new TensorType(a.dtype(), Broadcast.shape(a.shape(), b.shape())));
  }

  @Override
  default Tensor[] evaluate(Tensor[] inputs, TensorType[] outputTypes) {
    Shape out = outputTypes[0].shape();
    int[] dims = out.dims();
    int[] aStrides = Broadcast.strides(inputs[0].shape(), out);
    int[] bStrides = Broadcast.strides(inputs[1].shape(), out);
    if (outputTypes[0].dtype().isFloat()) {
      float[] result = new float[out.elementCount()];
      if (result.length > 0) {
        ReferenceBinary.apply(kernelOp(), dims, inputs[0].toFloatArray(), 0, aStrides,
            inputs[1].toFloatArray(), 0, bStrides, result, 0);
      }
      return new Tensor[] {Tensor.adopt(out, result)};
    }
    long[] result = new long[out.elementCount()];
    if (result.length > 0) {
      ReferenceBinary.apply(kernelOp(), dims, inputs[0].toLongArray(), 0, aStrides,
          inputs[1].toLongArray(), 0, bStrides, result, 0);
    }
    return new Tensor[] {Tensor.adopt(outputTypes[0].dtype(), out, result)};
  }

  @Override
  default Cost cost(CostContext ctx) {
    return ctx.movementCost(ctx.outputElements(0));
  }
}
