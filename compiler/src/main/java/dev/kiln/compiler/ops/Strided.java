package dev.kiln.compiler.ops;

import dev.kiln.compiler.ir.Tensor;
import dev.kiln.compiler.ir.TensorType;
import dev.kiln.runtime.kernels.reference.ReferenceLayout;

/** The evaluation of Transpose and Slice: a contiguous copy of a strided view of the input. */
final class Strided {
  private Strided() {}

  /**
   * @param offset the view's first element in {@code src}
   * @param strides per output dimension, the step in {@code src} (may be negative)
   */
  static Tensor copy(Tensor src, int offset, int[] strides, TensorType outType) {
    int[] dims = outType.shape().dims();
    int[] outStrides = outType.shape().strides();
    int n = outType.elementCount();
    if (src.isFloat()) {
      float[] out = new float[n];
      ReferenceLayout.stridedCopy(dims, src.toFloatArray(), offset, strides, out, 0, outStrides);
      return Tensor.adopt(outType.shape(), out);
    }
    long[] out = new long[n];
    ReferenceLayout.stridedCopy(dims, src.toLongArray(), offset, strides, out, 0, outStrides);
    return Tensor.adopt(outType.dtype(), outType.shape(), out);
  }
}
