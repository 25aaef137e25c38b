package dev.kiln.compiler.ops;

import dev.kiln.compiler.ir.DType;
import dev.kiln.compiler.ir.OpException;
import dev.kiln.compiler.ir.Shape;
import dev.kiln.compiler.ir.TensorType;

/** Shape logic of the global pools: {@code [N, C, d1, d2, ...] → [N, C, 1, 1, ...]}. */
final class GlobalPooling {
  private GlobalPooling() {}

  static TensorType outputType(TensorType x) {
    if (x.dtype() != DType.FLOAT32 || x.rank() < 3) {
      throw new OpException("expects a float32 input [N,C,...] of rank 3 or more, got " + x);
    }
    int[] out = new int[x.rank()];
    out[0] = x.shape().dim(0);
    out[1] = x.shape().dim(1);
    for (int i = 2; i < out.length; i++) {
      out[i] = 1;
    }
    return new TensorType(DType.FLOAT32, Shape.of(out));
  }

  static int planes(Shape x) {
    return x.dim(0) * x.dim(1);
  }

  static int planeSize(Shape x) {
    return x.product(2, x.rank());
  }
}
