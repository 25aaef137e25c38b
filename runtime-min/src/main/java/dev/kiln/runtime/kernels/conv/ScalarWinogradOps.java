package dev.kiln.runtime.kernels.conv;

/**
 * The scalar twin of {@code VectorWinogradOps}: the same float operations in the same order, one lane
 * at a time. The transform formulas are {@link WinogradConv}'s matrices B^T and A^T with common
 * subexpressions shared; each line below is one row of the matrix.
 *
 * <p>C2 does not vectorize these loops: source and destination are regions of the same workspace
 * array, and without a proof that they do not overlap it keeps the scalar order.
 */
final class ScalarWinogradOps implements WinogradOps {
  @Override
  public void gemm(float[] u, int uOff, float[] v, int vOff, int vStride, int channels,
      float[] m, int mOff, int mStride, int lanes) {
    for (int r = 0; r < PANEL; r++) {
      int row = mOff + r * mStride;
      for (int t = 0; t < lanes; t++) {
        m[row + t] = 0f;
      }
    }
    for (int c = 0; c < channels; c++) {
      int vRow = vOff + c * vStride;
      int uPanel = uOff + c * PANEL;
      for (int r = 0; r < PANEL; r++) {
        float w = u[uPanel + r];
        int row = mOff + r * mStride;
        for (int t = 0; t < lanes; t++) {
          m[row + t] = Math.fma(v[vRow + t], w, m[row + t]);
        }
      }
    }
  }

  @Override
  public void gatherTaps(int tile, float[] src, int srcOff, float[] dst, int dstOff, int dstStride,
      int count) {
    for (int j = 0; j < tile + 2; j++) {
      int d = dstOff + j * dstStride;
      int from = srcOff + j;
      for (int t = 0; t < count; t++) {
        dst[d + t] = src[from + t * tile];
      }
    }
  }

  @Override
  public void scatterRow(int tile, float[] src, int srcOff, int srcStride, float[] dst, int dstOff,
      int count) {
    for (int b = 0; b < tile; b++) {
      int from = srcOff + b * srcStride;
      int d = dstOff + b;
      for (int t = 0; t < count; t++) {
        dst[d + t * tile] = src[from + t];
      }
    }
  }

  @Override
  public void inputTransform(int tile, float[] src, int srcOff, int srcStride,
      float[] dst, int dstOff, int dstStride, int lanes) {
    switch (tile) {
      case 2:
        inputF2(src, srcOff, srcStride, dst, dstOff, dstStride, lanes);
        break;
      case 4:
        inputF4(src, srcOff, srcStride, dst, dstOff, dstStride, lanes);
        break;
      case 6:
        inputF6(src, srcOff, srcStride, dst, dstOff, dstStride, lanes);
        break;
      default:
        throw new IllegalArgumentException("no Winograd F(" + tile + ",3)");
    }
  }

  @Override
  public void outputTransform(int tile, float[] src, int srcOff, int srcStride,
      float[] dst, int dstOff, int dstStride, int lanes) {
    switch (tile) {
      case 2:
        outputF2(src, srcOff, srcStride, dst, dstOff, dstStride, lanes);
        break;
      case 4:
        outputF4(src, srcOff, srcStride, dst, dstOff, dstStride, lanes);
        break;
      case 6:
        outputF6(src, srcOff, srcStride, dst, dstOff, dstStride, lanes);
        break;
      default:
        throw new IllegalArgumentException("no Winograd F(" + tile + ",3)");
    }
  }

  private static void inputF2(float[] s, int so, int ss, float[] d, int dOff, int ds, int lanes) {
    for (int t = 0; t < lanes; t++) {
      float d0 = s[so + t];
      float d1 = s[so + ss + t];
      float d2 = s[so + 2 * ss + t];
      float d3 = s[so + 3 * ss + t];
      d[dOff + t] = d0 - d2;
      d[dOff + ds + t] = d1 + d2;
      d[dOff + 2 * ds + t] = d2 - d1;
      d[dOff + 3 * ds + t] = d1 - d3;
    }
  }

  private static void outputF2(float[] s, int so, int ss, float[] d, int dOff, int ds, int lanes) {
    for (int t = 0; t < lanes; t++) {
      float m0 = s[so + t];
      float m1 = s[so + ss + t];
      float m2 = s[so + 2 * ss + t];
      float m3 = s[so + 3 * ss + t];
      d[dOff + t] = m0 + m1 + m2;
      d[dOff + ds + t] = m1 - m2 - m3;
    }
  }

  private static void inputF4(float[] s, int so, int ss, float[] d, int dOff, int ds, int lanes) {
    for (int t = 0; t < lanes; t++) {
      float d0 = s[so + t];
      float d1 = s[so + ss + t];
      float d2 = s[so + 2 * ss + t];
      float d3 = s[so + 3 * ss + t];
      float d4 = s[so + 4 * ss + t];
      float d5 = s[so + 5 * ss + t];
      float p1 = d4 - d2;
      float q1 = d3 - d1;
      d[dOff + t] = d0 * 4f - d2 * 5f + d4;
      d[dOff + ds + t] = (d3 + d4) - (d1 + d2) * 4f;
      d[dOff + 2 * ds + t] = (d4 - d3) + (d1 - d2) * 4f;
      d[dOff + 3 * ds + t] = p1 + q1 * 2f;
      d[dOff + 4 * ds + t] = p1 - q1 * 2f;
      d[dOff + 5 * ds + t] = d1 * 4f - d3 * 5f + d5;
    }
  }

  private static void outputF4(float[] s, int so, int ss, float[] d, int dOff, int ds, int lanes) {
    for (int t = 0; t < lanes; t++) {
      float m0 = s[so + t];
      float m1 = s[so + ss + t];
      float m2 = s[so + 2 * ss + t];
      float m3 = s[so + 3 * ss + t];
      float m4 = s[so + 4 * ss + t];
      float m5 = s[so + 5 * ss + t];
      float a1 = m1 + m2;
      float s1 = m1 - m2;
      float a2 = m3 + m4;
      float s2 = m3 - m4;
      d[dOff + t] = m0 + a1 + a2;
      d[dOff + ds + t] = s1 + s2 * 2f;
      d[dOff + 2 * ds + t] = a1 + a2 * 4f;
      d[dOff + 3 * ds + t] = s1 + s2 * 8f + m5;
    }
  }

  private static void inputF6(float[] s, int so, int ss, float[] d, int dOff, int ds, int lanes) {
    for (int t = 0; t < lanes; t++) {
      float d0 = s[so + t];
      float d1 = s[so + ss + t];
      float d2 = s[so + 2 * ss + t];
      float d3 = s[so + 3 * ss + t];
      float d4 = s[so + 4 * ss + t];
      float d5 = s[so + 5 * ss + t];
      float d6 = s[so + 6 * ss + t];
      float d7 = s[so + 7 * ss + t];
      float odd1 = d1 + d5 - d3 * 4.25f;
      float even1 = d2 + d6 - d4 * 4.25f;
      float odd2 = d1 * 0.5f - d3 * 2.5f + d5 * 2f;
      float even2 = d2 * 0.25f - d4 * 1.25f + d6;
      float odd3 = d1 * 2f - d3 * 2.5f + d5 * 0.5f;
      float even3 = d2 * 4f - d4 * 5f + d6;
      d[dOff + t] = d0 - d6 + (d4 - d2) * 5.25f;
      d[dOff + ds + t] = even1 + odd1;
      d[dOff + 2 * ds + t] = even1 - odd1;
      d[dOff + 3 * ds + t] = even2 + odd2;
      d[dOff + 4 * ds + t] = even2 - odd2;
      d[dOff + 5 * ds + t] = even3 + odd3;
      d[dOff + 6 * ds + t] = even3 - odd3;
      d[dOff + 7 * ds + t] = d7 - d1 + (d3 - d5) * 5.25f;
    }
  }

  private static void outputF6(float[] s, int so, int ss, float[] d, int dOff, int ds, int lanes) {
    for (int t = 0; t < lanes; t++) {
      float m0 = s[so + t];
      float m1 = s[so + ss + t];
      float m2 = s[so + 2 * ss + t];
      float m3 = s[so + 3 * ss + t];
      float m4 = s[so + 4 * ss + t];
      float m5 = s[so + 5 * ss + t];
      float m6 = s[so + 6 * ss + t];
      float m7 = s[so + 7 * ss + t];
      float a1 = m1 + m2;
      float s1 = m1 - m2;
      float a2 = m3 + m4;
      float s2 = m3 - m4;
      float a3 = m5 + m6;
      float s3 = m5 - m6;
      d[dOff + t] = m0 + a1 + a2 + a3;
      d[dOff + ds + t] = s1 + s2 * 2f + s3 * 0.5f;
      d[dOff + 2 * ds + t] = a1 + a2 * 4f + a3 * 0.25f;
      d[dOff + 3 * ds + t] = s1 + s2 * 8f + s3 * 0.125f;
      d[dOff + 4 * ds + t] = a1 + a2 * 16f + a3 * 0.0625f;
      d[dOff + 5 * ds + t] = s1 + s2 * 32f + s3 * 0.03125f + m7;
    }
  }
}
