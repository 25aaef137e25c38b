package dev.kiln.compiler.ops;

import dev.kiln.compiler.ir.DType;
import dev.kiln.compiler.ir.OpException;
import dev.kiln.compiler.ir.Shape;
import dev.kiln.compiler.ir.TensorType;
import dev.kiln.runtime.kernels.ConvShape;

/** Shape logic shared by the windowed pools (MaxPool, AveragePool). */
final class Pooling {
  private Pooling() {}

  static Window.Resolved resolve(Window window, TensorType x) {
    Shape xs = x.shape();
    if (x.dtype() != DType.FLOAT32) {
      throw new OpException("expects a float32 input, got " + x.dtype());
    }
    if (xs.rank() == 5) {
      throw new OpException("3-D pooling is not supported (Kiln compiles 1-D and 2-D CNNs)");
    }
    if (xs.rank() != 3 && xs.rank() != 4) {
      throw new OpException("input must be [N,C,W] or [N,C,H,W], got " + xs);
    }
    int[] inDims = new int[xs.rank() - 2];
    for (int i = 0; i < inDims.length; i++) {
      inDims[i] = xs.dim(2 + i);
    }
    if (window.kernelShape().size() != inDims.length) {
      throw new OpException("kernel_shape " + window.kernelShape() + " does not match the input's "
          + inDims.length + " spatial dimensions");
    }
    return window.resolve(inDims, null);
  }

  static TensorType outputType(Window window, TensorType x) {
    Window.Resolved r = resolve(window, x);
    int[] out = new int[2 + r.rank()];
    out[0] = x.shape().dim(0);
    out[1] = x.shape().dim(1);
    System.arraycopy(r.outDims(), 0, out, 2, r.rank());
    return new TensorType(DType.FLOAT32, Shape.of(out));
  }

  static ConvShape convShape(Window window, TensorType x) {
    int c = x.shape().dim(1);
    return resolve(window, x).toConvShape(x.shape().dim(0), c, c, c);
  }
}
