package dev.kiln.runtime.kernels.conv;

/** The scalar twin of {@code VectorDepthwiseOps}, and its tail. */
final class ScalarDepthwiseOps implements DepthwiseOps {
  @Override
  public void row(int k, int stride, float[] in, int inOff, int inStride, float[] w, int wOff,
      int fuse, float bias, float lo, float hi, float[] out, int outOff, int count) {
    rowTail(k, stride, in, inOff, inStride, w, wOff, fuse, bias, lo, hi, out, outOff, 0, count);
  }

  /** {@link #row} for outputs {@code [from, to)}. */
  static void rowTail(int k, int stride, float[] in, int inOff, int inStride, float[] w, int wOff,
      int fuse, float bias, float lo, float hi, float[] out, int outOff, int from, int to) {
    for (int x = from; x < to; x++) {
      float v = 0f;
      int base = inOff + stride * x;
      for (int i = 0; i < k; i++) {
        for (int j = 0; j < k; j++) {
          v = Math.fma(in[base + i * inStride + j], w[wOff + i * k + j], v);
        }
      }
      out[outOff + x] = epilogue(v, fuse, bias, lo, hi);
    }
  }

  /** The {@code fuse} steps on one sum. */
  static float epilogue(float v, int fuse, float bias, float lo, float hi) {
    if ((fuse & BIAS) != 0) {
      v += bias;
    }
    if ((fuse & RELU) != 0) {
      v = Math.max(v, 0f);
    }
    if ((fuse & CLIP) != 0) {
      v = v < lo ? lo : (v > hi ? hi : v);
    }
    return v;
  }
}
