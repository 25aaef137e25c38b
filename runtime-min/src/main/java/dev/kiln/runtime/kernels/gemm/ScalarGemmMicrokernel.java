package dev.kiln.runtime.kernels.gemm;

import dev.kiln.runtime.kernels.Epilogue;

/**
 * The plain-Java kernels, used when the Vector API is off, written in the one shape C2's
 * auto-vectorizer handles: {@code acc[j] = acc[j] + a0·b0[j] + ... + a3·b3[j]}, every array indexed
 * by the same {@code j} from 0. C2 (JDK 25) does not vectorize {@code c[cOff + j] += a·b[bOff + j]}
 * with offsets that differ at run time (measured: 3.6 GFLOP/s for such an axpy, 16 with equal
 * indices), and the kernels' contract is flat arrays with offsets. So {@link #multiplyBlock} copies
 * the block's B rows and one C row at a time into per-thread row arrays (allocated on a thread's
 * first call and reused: the only state in the kernels), runs the four-row axpy over them, and copies
 * the row back. Multiply and add stay separate ({@code Math.fma} is emulated in software on CPUs
 * without FMA, thousands of times slower), which also rounds like the reference.
 *
 * <p>{@link #tile} and {@link #row} remain as the register-blocked 4×4 scalar twins of the vector
 * microkernel (about 5–8 GFLOP/s), for callers that need a single tile.
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

  /** Per-thread row scratch: B rows of the block, one C row. Grown, never shrunk. */
  private static final class Rows {
    float[][] b = new float[0][];
    float[] acc = new float[0];

    void ensure(int kc, int n) {
      if (acc.length < n) {
        acc = new float[n];
        b = new float[0][];
      }
      if (b.length < kc) {
        float[][] grown = new float[kc][];
        System.arraycopy(b, 0, grown, 0, b.length);
        for (int i = b.length; i < kc; i++) {
          grown[i] = new float[acc.length];
        }
        b = grown;
      }
    }
  }

  private static final ThreadLocal<Rows> ROW_SCRATCH = ThreadLocal.withInitial(Rows::new);

  /** {@link #multiplyBlock} copies B's rows whatever their step. */
  @Override
  public boolean readsBInPlace() {
    return true;
  }

  @Override
  void multiplyBlock(int m, int n, int kc,
      float[] a, int aOff, int aPanelStride, float[] b, int bOff, int bPanelStride, int bStep,
      float[] c, int cOff, int ldc, boolean accumulate,
      Epilogue epilogue, int channelOffset, boolean rowChannels, float[] residual, int residualOff,
      float[] scratch, int scratchOff) {
    Rows rows = ROW_SCRATCH.get();
    rows.ensure(kc, n);
    float[][] bRows = rows.b;
    float[] acc = rows.acc;
    for (int kk = 0; kk < kc; kk++) {
      for (int q = 0; q * Gemm.PANEL_COLS < n; q++) {
        System.arraycopy(b, bOff + q * bPanelStride + kk * bStep, bRows[kk],
            q * Gemm.PANEL_COLS, Math.min(Gemm.PANEL_COLS, n - q * Gemm.PANEL_COLS));
      }
    }
    boolean withEpilogue = epilogue != null && !epilogue.isIdentity();
    int mode = withEpilogue ? fusedMode(epilogue) : NOT_FUSABLE;
    float lo = withEpilogue ? clipBound(epilogue, false) : 0f;
    float hi = withEpilogue ? clipBound(epilogue, true) : 0f;
    for (int i = 0; i < m; i++) {
      int ai = aOff + (i / Gemm.PANEL_ROWS) * aPanelStride + i % Gemm.PANEL_ROWS;
      int ci = cOff + i * ldc;
      if (accumulate) {
        System.arraycopy(c, ci, acc, 0, n);
      } else {
        java.util.Arrays.fill(acc, 0, n, 0f);
      }
      int kk = 0;
      for (; kk + 4 <= kc; kk += 4) {
        int at = ai + kk * A_STEP;
        axpy4(acc, bRows[kk], bRows[kk + 1], bRows[kk + 2], bRows[kk + 3],
            a[at], a[at + A_STEP], a[at + 2 * A_STEP], a[at + 3 * A_STEP], n);
      }
      for (; kk < kc; kk++) {
        axpy1(acc, bRows[kk], a[ai + kk * A_STEP], n);
      }
      System.arraycopy(acc, 0, c, ci, n);
      if (withEpilogue) {
        applyEpilogue(epilogue, mode, lo, hi, 1, n, c, ci, ldc,
            rowChannels ? channelOffset + i : channelOffset, rowChannels,
            residual, residualOff + i * ldc);
      }
    }
  }

  /** Four steps of k for one row: the loop C2 turns into vector code (same index everywhere). */
  private static void axpy4(float[] acc, float[] b0, float[] b1, float[] b2, float[] b3,
      float a0, float a1, float a2, float a3, int n) {
    for (int j = 0; j < n; j++) {
      acc[j] = acc[j] + a0 * b0[j] + a1 * b1[j] + a2 * b2[j] + a3 * b3[j];
    }
  }

  private static void axpy1(float[] acc, float[] b0, float a0, int n) {
    for (int j = 0; j < n; j++) {
      acc[j] = acc[j] + a0 * b0[j];
    }
  }

  @Override
  public String toString() {
    return "row-axpy GEMM auto-vectorized by C2";
  }

  @Override
  public void copy(float[] src, int srcOff, float[] dst, int dstOff, int count) {
    System.arraycopy(src, srcOff, dst, dstOff, count);
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
