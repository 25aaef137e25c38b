package dev.kiln.runtime.kernels.fast;

/** The scalar twin of {@code VectorPoolOps}, and its tail. */
final class ScalarPoolOps implements PoolOps {
  @Override
  public void maxRow(int kh, int kw, int stride, float[] in, int inOff, int inStride, float[] out,
      int outOff, int count) {
    maxTail(kh, kw, stride, in, inOff, inStride, out, outOff, 0, count);
  }

  @Override
  public void averageRow(int kh, int kw, int stride, float[] in, int inOff, int inStride,
      int divisor, float[] out, int outOff, int count) {
    averageTail(kh, kw, stride, in, inOff, inStride, divisor, out, outOff, 0, count);
  }

  static void maxTail(int kh, int kw, int stride, float[] in, int inOff, int inStride, float[] out,
      int outOff, int from, int to) {
    for (int x = from; x < to; x++) {
      float max = Float.NEGATIVE_INFINITY;
      int window = inOff + stride * x;
      for (int i = 0; i < kh; i++) {
        for (int j = 0; j < kw; j++) {
          float v = in[window + i * inStride + j];
          if (v > max || Float.isNaN(v)) {
            max = v;
          }
        }
      }
      out[outOff + x] = max;
    }
  }

  static void averageTail(int kh, int kw, int stride, float[] in, int inOff, int inStride,
      int divisor, float[] out, int outOff, int from, int to) {
    for (int x = from; x < to; x++) {
      float sum = 0f;
      int window = inOff + stride * x;
      for (int i = 0; i < kh; i++) {
        for (int j = 0; j < kw; j++) {
          sum += in[window + i * inStride + j];
        }
      }
      out[outOff + x] = sum / divisor;
    }
  }
}
