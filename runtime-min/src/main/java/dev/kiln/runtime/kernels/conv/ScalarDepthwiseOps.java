package dev.kiln.runtime.kernels.conv;

import dev.kiln.runtime.kernels.ConvShape;

/** The scalar twin of {@code VectorDepthwiseOps}, and its tail. */
final class ScalarDepthwiseOps implements DepthwiseOps {
  @Override
  public void row(int k, int stride, float[] in, int inOff, int inStride, float[] w, int wOff,
      int fuse, float bias, float lo, float hi, float[] out, int outOff, int count) {
    rowTail(k, stride, in, inOff, inStride, w, wOff, fuse, bias, lo, hi, out, outOff, 0, count);
  }

  /** The band path is as fast on scalar code; {@link #plane} serves the vector twin's array ends. */
  @Override
  public boolean wholePlanes() {
    return false;
  }

  @Override
  public void plane(ConvShape s, float[] in, int inOff, float[] w, int wOff, float[] masks,
      int masksOff, int fuse, float bias, float lo, float hi, float[] out, int outOff) {
    planeRange(s, in, inOff, w, wOff, fuse, bias, lo, hi, out, outOff, 0, s.outH * s.outW);
  }

  @Override
  public void phasePlane(ConvShape s, float[] in, int inOff, float[] w, int wOff, float[] masks,
      int masksOff, float[] scratch, int scratchOff, int fuse, float bias, float lo, float hi,
      float[] out, int outOff) {
    planeRange(s, in, inOff, w, wOff, fuse, bias, lo, hi, out, outOff, 0, s.outH * s.outW);
  }

  /**
   * {@link #plane} or {@link #phasePlane} for outputs {@code [from, to)}, each tap's bounds
   * checked.
   */
  static void planeRange(ConvShape s, float[] in, int inOff, float[] w, int wOff, int fuse,
      float bias, float lo, float hi, float[] out, int outOff, int from, int to) {
    int k = s.kernelH;
    for (int q = from; q < to; q++) {
      int y = q / s.outW * s.strideH;
      int x = q % s.outW * s.strideW;
      float v = 0f;
      for (int i = 0; i < k; i++) {
        int yy = y + i - s.padTop;
        for (int j = 0; j < k; j++) {
          int xx = x + j - s.padLeft;
          boolean inside = yy >= 0 && yy < s.inH && xx >= 0 && xx < s.inW;
          v = Math.fma(inside ? in[inOff + yy * s.inW + xx] : 0f, w[wOff + i * k + j], v);
        }
      }
      out[outOff + q] = epilogue(v, fuse, bias, lo, hi);
    }
  }

  /**
   * {@link #row} for outputs {@code [from, to)}. Four outputs at a time: four independent FMA chains
   * keep the pipelines busy where one chain would wait out each FMA's latency.
   */
  static void rowTail(int k, int stride, float[] in, int inOff, int inStride, float[] w, int wOff,
      int fuse, float bias, float lo, float hi, float[] out, int outOff, int from, int to) {
    int x = from;
    for (; x + 4 <= to; x += 4) {
      float v0 = 0f;
      float v1 = 0f;
      float v2 = 0f;
      float v3 = 0f;
      int base = inOff + stride * x;
      for (int i = 0; i < k; i++) {
        int row = base + i * inStride;
        for (int j = 0; j < k; j++) {
          float wij = w[wOff + i * k + j];
          v0 = Math.fma(in[row + j], wij, v0);
          v1 = Math.fma(in[row + stride + j], wij, v1);
          v2 = Math.fma(in[row + 2 * stride + j], wij, v2);
          v3 = Math.fma(in[row + 3 * stride + j], wij, v3);
        }
      }
      out[outOff + x] = epilogue(v0, fuse, bias, lo, hi);
      out[outOff + x + 1] = epilogue(v1, fuse, bias, lo, hi);
      out[outOff + x + 2] = epilogue(v2, fuse, bias, lo, hi);
      out[outOff + x + 3] = epilogue(v3, fuse, bias, lo, hi);
    }
    for (; x < to; x++) {
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
