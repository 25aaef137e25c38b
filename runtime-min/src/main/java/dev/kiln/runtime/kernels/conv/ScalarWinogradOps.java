package dev.kiln.runtime.kernels.conv;

/**
 * The scalar twin of {@code VectorWinogradOps}, and the definition of the float operations both
 * perform: the per-tile formulas below are {@link WinogradConv}'s matrices B^T and A^T with common
 * subexpressions shared, one line per matrix row, and the Vector API code repeats them operation for
 * operation (and calls them for its scalar tails).
 *
 * <p>C2 does not vectorize these loops: sources and destinations are regions of the same workspace
 * array, and without a proof that they do not overlap it keeps the scalar order. The GEMM is
 * register-blocked instead, which triples its speed (2.3 → 7 GFLOP/s, the scalar FMA peak is 9).
 */
final class ScalarWinogradOps implements WinogradOps {
  /**
   * Register-blocked: 4 output channels × 4 tiles in 16 scalar accumulators, each a chain of fused
   * multiply-adds over c in order, exactly as the vector kernel's lanes. (An axpy form over whole
   * rows would be the shape C2 vectorizes, but M and V are regions of one workspace array, and C2
   * does not vectorize a loop whose stores may alias its loads.)
   */
  @Override
  public void gemm(float[] u, int uOff, float[] v, int vOff, int vStride, int channels,
      float[] m, int mOff, int mStride, int lanes) {
    for (int r = 0; r < PANEL; r += 4) {
      for (int t = 0; t < lanes; t += 4) {
        float a00 = 0f;
        float a01 = 0f;
        float a02 = 0f;
        float a03 = 0f;
        float a10 = 0f;
        float a11 = 0f;
        float a12 = 0f;
        float a13 = 0f;
        float a20 = 0f;
        float a21 = 0f;
        float a22 = 0f;
        float a23 = 0f;
        float a30 = 0f;
        float a31 = 0f;
        float a32 = 0f;
        float a33 = 0f;
        for (int c = 0; c < channels; c++) {
          int vo = vOff + c * vStride + t;
          float v0 = v[vo];
          float v1 = v[vo + 1];
          float v2 = v[vo + 2];
          float v3 = v[vo + 3];
          int uo = uOff + c * PANEL + r;
          float w0 = u[uo];
          float w1 = u[uo + 1];
          float w2 = u[uo + 2];
          float w3 = u[uo + 3];
          a00 = Math.fma(v0, w0, a00);
          a01 = Math.fma(v1, w0, a01);
          a02 = Math.fma(v2, w0, a02);
          a03 = Math.fma(v3, w0, a03);
          a10 = Math.fma(v0, w1, a10);
          a11 = Math.fma(v1, w1, a11);
          a12 = Math.fma(v2, w1, a12);
          a13 = Math.fma(v3, w1, a13);
          a20 = Math.fma(v0, w2, a20);
          a21 = Math.fma(v1, w2, a21);
          a22 = Math.fma(v2, w2, a22);
          a23 = Math.fma(v3, w2, a23);
          a30 = Math.fma(v0, w3, a30);
          a31 = Math.fma(v1, w3, a31);
          a32 = Math.fma(v2, w3, a32);
          a33 = Math.fma(v3, w3, a33);
        }
        int o = mOff + r * mStride + t;
        m[o] = a00;
        m[o + 1] = a01;
        m[o + 2] = a02;
        m[o + 3] = a03;
        o += mStride;
        m[o] = a10;
        m[o + 1] = a11;
        m[o + 2] = a12;
        m[o + 3] = a13;
        o += mStride;
        m[o] = a20;
        m[o + 1] = a21;
        m[o + 2] = a22;
        m[o + 3] = a23;
        o += mStride;
        m[o] = a30;
        m[o + 1] = a31;
        m[o + 2] = a32;
        m[o + 3] = a33;
      }
    }
  }

  @Override
  public void inputSegment(int tile, float[] patch, int patchOff, int patchStride, float[] ws,
      int rowsOff, int rowStride, float[] dst, int dstOff, int dstPlaneStride, int count) {
    int alpha = tile + 2;
    for (int i = 0; i < alpha; i++) {
      inputTiles(tile, patch, patchOff + i * patchStride, tile, 1,
          ws, rowsOff + i * alpha * rowStride, rowStride, 0, count);
    }
    for (int nu = 0; nu < alpha; nu++) {
      inputTiles(tile, ws, rowsOff + nu * rowStride, 1, alpha * rowStride,
          dst, dstOff + nu * dstPlaneStride, alpha * dstPlaneStride, 0, count);
    }
  }

  @Override
  public void outputTransform(int tile, float[] src, int srcOff, int srcStride,
      float[] dst, int dstOff, int dstStride, int lanes) {
    for (int t = 0; t < lanes; t++) {
      outputTile(tile, src, srcOff + t, srcStride, dst, dstOff + t, dstStride, tile);
    }
  }

  @Override
  public void outputRow(int tile, float[] src, int srcOff, int srcStride, float[] dst, int dstOff,
      int count, int lastColumns) {
    outputRowTiles(tile, src, srcOff, srcStride, dst, dstOff, 0, count, lastColumns);
  }

  /**
   * {@code B^T d} for tiles {@code [from, to)}: tile t reads {@code src[srcOff + t·laneStep +
   * j·srcStride]} and writes {@code dst[dstOff + t + i·dstStride]}.
   */
  static void inputTiles(int tile, float[] src, int srcOff, int laneStep, int srcStride,
      float[] dst, int dstOff, int dstStride, int from, int to) {
    switch (tile) {
      case 2:
        for (int t = from; t < to; t++) {
          inputF2(src, srcOff + t * laneStep, srcStride, dst, dstOff + t, dstStride);
        }
        break;
      case 4:
        for (int t = from; t < to; t++) {
          inputF4(src, srcOff + t * laneStep, srcStride, dst, dstOff + t, dstStride);
        }
        break;
      case 6:
        for (int t = from; t < to; t++) {
          inputF6(src, srcOff + t * laneStep, srcStride, dst, dstOff + t, dstStride);
        }
        break;
      default:
        throw new IllegalArgumentException("no Winograd F(" + tile + ",3)");
    }
  }

  /** {@link #outputRow} for tiles {@code [from, count)}. */
  static void outputRowTiles(int tile, float[] src, int srcOff, int srcStride, float[] dst,
      int dstOff, int from, int count, int lastColumns) {
    for (int t = from; t < count; t++) {
      outputTile(tile, src, srcOff + t, srcStride, dst, dstOff + tile * t, 1,
          t == count - 1 ? lastColumns : tile);
    }
  }

  /** {@code A^T m} of one tile; stores only the first {@code columns} outputs. */
  static void outputTile(int tile, float[] s, int so, int ss, float[] d, int dOff, int ds,
      int columns) {
    switch (tile) {
      case 2:
        outputF2(s, so, ss, d, dOff, ds, columns);
        break;
      case 4:
        outputF4(s, so, ss, d, dOff, ds, columns);
        break;
      case 6:
        outputF6(s, so, ss, d, dOff, ds, columns);
        break;
      default:
        throw new IllegalArgumentException("no Winograd F(" + tile + ",3)");
    }
  }

  static void inputF2(float[] s, int so, int ss, float[] d, int dOff, int ds) {
    float d0 = s[so];
    float d1 = s[so + ss];
    float d2 = s[so + 2 * ss];
    float d3 = s[so + 3 * ss];
    d[dOff] = d0 - d2;
    d[dOff + ds] = d1 + d2;
    d[dOff + 2 * ds] = d2 - d1;
    d[dOff + 3 * ds] = d1 - d3;
  }

  static void outputF2(float[] s, int so, int ss, float[] d, int dOff, int ds, int columns) {
    float m0 = s[so];
    float m1 = s[so + ss];
    float m2 = s[so + 2 * ss];
    float m3 = s[so + 3 * ss];
    d[dOff] = m0 + m1 + m2;
    if (columns > 1) {
      d[dOff + ds] = m1 - m2 - m3;
    }
  }

  static void inputF4(float[] s, int so, int ss, float[] d, int dOff, int ds) {
    float d0 = s[so];
    float d1 = s[so + ss];
    float d2 = s[so + 2 * ss];
    float d3 = s[so + 3 * ss];
    float d4 = s[so + 4 * ss];
    float d5 = s[so + 5 * ss];
    float p1 = d4 - d2;
    float q1 = d3 - d1;
    d[dOff] = d0 * 4f - d2 * 5f + d4;
    d[dOff + ds] = (d3 + d4) - (d1 + d2) * 4f;
    d[dOff + 2 * ds] = (d4 - d3) + (d1 - d2) * 4f;
    d[dOff + 3 * ds] = p1 + q1 * 2f;
    d[dOff + 4 * ds] = p1 - q1 * 2f;
    d[dOff + 5 * ds] = d1 * 4f - d3 * 5f + d5;
  }

  static void outputF4(float[] s, int so, int ss, float[] d, int dOff, int ds, int columns) {
    float m0 = s[so];
    float m1 = s[so + ss];
    float m2 = s[so + 2 * ss];
    float m3 = s[so + 3 * ss];
    float m4 = s[so + 4 * ss];
    float m5 = s[so + 5 * ss];
    float a1 = m1 + m2;
    float s1 = m1 - m2;
    float a2 = m3 + m4;
    float s2 = m3 - m4;
    d[dOff] = m0 + a1 + a2;
    if (columns > 1) {
      d[dOff + ds] = s1 + s2 * 2f;
    }
    if (columns > 2) {
      d[dOff + 2 * ds] = a1 + a2 * 4f;
    }
    if (columns > 3) {
      d[dOff + 3 * ds] = s1 + s2 * 8f + m5;
    }
  }

  static void inputF6(float[] s, int so, int ss, float[] d, int dOff, int ds) {
    float d0 = s[so];
    float d1 = s[so + ss];
    float d2 = s[so + 2 * ss];
    float d3 = s[so + 3 * ss];
    float d4 = s[so + 4 * ss];
    float d5 = s[so + 5 * ss];
    float d6 = s[so + 6 * ss];
    float d7 = s[so + 7 * ss];
    float odd1 = d1 + d5 - d3 * 4.25f;
    float even1 = d2 + d6 - d4 * 4.25f;
    float odd2 = d1 * 0.5f - d3 * 2.5f + d5 * 2f;
    float even2 = d2 * 0.25f - d4 * 1.25f + d6;
    float odd3 = d1 * 2f - d3 * 2.5f + d5 * 0.5f;
    float even3 = d2 * 4f - d4 * 5f + d6;
    d[dOff] = d0 - d6 + (d4 - d2) * 5.25f;
    d[dOff + ds] = even1 + odd1;
    d[dOff + 2 * ds] = even1 - odd1;
    d[dOff + 3 * ds] = even2 + odd2;
    d[dOff + 4 * ds] = even2 - odd2;
    d[dOff + 5 * ds] = even3 + odd3;
    d[dOff + 6 * ds] = even3 - odd3;
    d[dOff + 7 * ds] = d7 - d1 + (d3 - d5) * 5.25f;
  }

  static void outputF6(float[] s, int so, int ss, float[] d, int dOff, int ds, int columns) {
    float m0 = s[so];
    float m1 = s[so + ss];
    float m2 = s[so + 2 * ss];
    float m3 = s[so + 3 * ss];
    float m4 = s[so + 4 * ss];
    float m5 = s[so + 5 * ss];
    float m6 = s[so + 6 * ss];
    float m7 = s[so + 7 * ss];
    float a1 = m1 + m2;
    float s1 = m1 - m2;
    float a2 = m3 + m4;
    float s2 = m3 - m4;
    float a3 = m5 + m6;
    float s3 = m5 - m6;
    d[dOff] = m0 + a1 + a2 + a3;
    if (columns > 1) {
      d[dOff + ds] = s1 + s2 * 2f + s3 * 0.5f;
    }
    if (columns > 2) {
      d[dOff + 2 * ds] = a1 + a2 * 4f + a3 * 0.25f;
    }
    if (columns > 3) {
      d[dOff + 3 * ds] = s1 + s2 * 8f + s3 * 0.125f;
    }
    if (columns > 4) {
      d[dOff + 4 * ds] = a1 + a2 * 16f + a3 * 0.0625f;
    }
    if (columns > 5) {
      d[dOff + 5 * ds] = s1 + s2 * 32f + s3 * 0.03125f + m7;
    }
  }
}
