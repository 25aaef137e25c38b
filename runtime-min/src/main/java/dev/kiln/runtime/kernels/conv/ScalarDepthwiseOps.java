package dev.kiln.runtime.kernels.conv;

/** The scalar twin of {@code VectorDepthwiseOps}, and its tail. */
final class ScalarDepthwiseOps implements DepthwiseOps {
  @Override
  public void row(int k, int stride, float[] in, int inOff, int inStride, int rowFrom, int rowTo,
      float[] w, int wOff, float[] out, int outOff, int count) {
    rowTail(k, stride, in, inOff, inStride, rowFrom, rowTo, w, wOff, out, outOff, 0, count);
  }

  /** {@link #row} for outputs {@code [from, to)}. */
  static void rowTail(int k, int stride, float[] in, int inOff, int inStride, int rowFrom,
      int rowTo, float[] w, int wOff, float[] out, int outOff, int from, int to) {
    for (int x = from; x < to; x++) {
      float sum = 0f;
      int base = inOff + stride * x;
      for (int i = rowFrom; i < rowTo; i++) {
        for (int j = 0; j < k; j++) {
          sum = Math.fma(in[base + i * inStride + j], w[wOff + i * k + j], sum);
        }
      }
      out[outOff + x] = sum;
    }
  }
}
