package dev.kiln.runtime.kernels.gemm;

import dev.kiln.runtime.kernels.Epilogue;

/**
 * The plain-Java microkernel, used when the Vector API is off: a 4×4 tile in 16 scalar accumulators.
 *
 * <p>Why not loops for C2's auto-vectorizer: C2 (JDK 25) vectorizes {@code c[j] += a·b[j]} only when
 * every array is indexed by the same expression; with the packed panels' different offsets into flat
 * arrays it emits scalar code anyway (measured 3.6 GFLOP/s for such an axpy against 16 with equal
 * indices), and flat arrays with offsets are the kernels' contract. Register blocking is what is left:
 * each loaded value is used four times. Multiply and add stay separate ({@code Math.fma} is emulated
 * in software on CPUs without FMA, thousands of times slower), which also rounds like the reference.
 */
final class ScalarGemmMicrokernel extends GemmMicrokernel {
  private static final int ROWS = 4;
  private static final int COLS = 4;
  private static final int A_STEP = Gemm.PANEL_ROWS;
  private static final int B_STEP = Gemm.PANEL_COLS;

  @Override
  public int rows() {
    return ROWS;
  }

  @Override
  public int cols() {
    return COLS;
  }

  @Override
  public void tile(int kc, float[] a, int aOff, float[] b, int bOff,
      float[] c, int cOff, int ldc, boolean accumulate) {
    float c00 = 0f, c01 = 0f, c02 = 0f, c03 = 0f;
    float c10 = 0f, c11 = 0f, c12 = 0f, c13 = 0f;
    float c20 = 0f, c21 = 0f, c22 = 0f, c23 = 0f;
    float c30 = 0f, c31 = 0f, c32 = 0f, c33 = 0f;
    for (int k = 0; k < kc; k++) {
      int ai = aOff + k * A_STEP;
      int bi = bOff + k * B_STEP;
      float b0 = b[bi], b1 = b[bi + 1], b2 = b[bi + 2], b3 = b[bi + 3];
      float a0 = a[ai];
      c00 += a0 * b0; c01 += a0 * b1; c02 += a0 * b2; c03 += a0 * b3;
      float a1 = a[ai + 1];
      c10 += a1 * b0; c11 += a1 * b1; c12 += a1 * b2; c13 += a1 * b3;
      float a2 = a[ai + 2];
      c20 += a2 * b0; c21 += a2 * b1; c22 += a2 * b2; c23 += a2 * b3;
      float a3 = a[ai + 3];
      c30 += a3 * b0; c31 += a3 * b1; c32 += a3 * b2; c33 += a3 * b3;
    }
    store(c, cOff, accumulate, c00, c01, c02, c03);
    store(c, cOff + ldc, accumulate, c10, c11, c12, c13);
    store(c, cOff + 2 * ldc, accumulate, c20, c21, c22, c23);
    store(c, cOff + 3 * ldc, accumulate, c30, c31, c32, c33);
  }

  @Override
  public void row(int kc, float[] a, int aOff, float[] b, int bOff,
      float[] c, int cOff, boolean accumulate) {
    float c0 = 0f, c1 = 0f, c2 = 0f, c3 = 0f;
    for (int k = 0; k < kc; k++) {
      int bi = bOff + k * B_STEP;
      float a0 = a[aOff + k * A_STEP];
      c0 += a0 * b[bi];
      c1 += a0 * b[bi + 1];
      c2 += a0 * b[bi + 2];
      c3 += a0 * b[bi + 3];
    }
    store(c, cOff, accumulate, c0, c1, c2, c3);
  }

  private static void store(float[] c, int off, boolean accumulate, float v0, float v1, float v2, float v3) {
    if (accumulate) {
      c[off] += v0;
      c[off + 1] += v1;
      c[off + 2] += v2;
      c[off + 3] += v3;
    } else {
      c[off] = v0;
      c[off + 1] = v1;
      c[off + 2] = v2;
      c[off + 3] = v3;
    }
  }

  @Override
  public void copy(float[] src, int srcOff, float[] dst, int dstOff, int count) {
    System.arraycopy(src, srcOff, dst, dstOff, count);
  }

  @Override
  public void gather(float[] src, int sOff, int stride, int lo, int hi,
      float[] dst, int dOff, int count) {
    int t = 0;
    for (; t < lo; t++) {
      dst[dOff + t] = 0f;
    }
    if (stride == 1) {
      System.arraycopy(src, sOff + lo, dst, dOff + lo, hi - lo);
      t = hi;
    } else {
      for (; t < hi; t++) {
        dst[dOff + t] = src[sOff + t * stride];
      }
    }
    for (; t < count; t++) {
      dst[dOff + t] = 0f;
    }
  }

  @Override
  public void epilogue(int mode, Epilogue e, int channel0, float lo, float hi,
      float[] c, int cOff, int ldc, int rows, int cols, float[] residual, int residualOff) {
    boolean addBias = (mode & FUSE_BIAS) != 0;
    boolean addResidual = (mode & FUSE_RESIDUAL) != 0;
    boolean relu = (mode & FUSE_RELU) != 0;
    boolean clip = (mode & FUSE_CLIP) != 0;
    for (int r = 0; r < rows; r++) {
      float bias = addBias ? e.bias(channel0 + r) : 0f;
      int off = cOff + r * ldc;
      int resOff = residualOff + r * ldc;
      for (int i = 0; i < cols; i++) {
        float v = c[off + i];
        if (addBias) {
          v += bias;
        }
        if (addResidual) {
          v += residual[resOff + i];
        }
        if (relu) {
          v = v > 0f ? v : (Float.isNaN(v) ? v : 0f);
        } else if (clip) {
          v = v < lo ? lo : (v > hi ? hi : v);
        }
        c[off + i] = v;
      }
    }
  }
}
