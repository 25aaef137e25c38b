package dev.kiln.runtime.kernels.conv;

import dev.kiln.runtime.kernels.ConvShape;
import dev.kiln.runtime.kernels.gemm.Gemm;

/** The scalar twin of {@code VectorIm2colOps}: the definition of {@link Im2colOps#row}, written out. */
final class ScalarIm2colOps implements Im2colOps {
  @Override
  public void row(ConvShape s, float[] in, int planeOff, int dy, int dx, int col0, int nc,
      float[] dst, int dOff, int panelStride) {
    int y = col0 / s.outW;
    int x = col0 % s.outW;
    int t = 0;
    while (t < nc) {
      int run = Math.min(s.outW - x, nc - t);
      int iy = y * s.strideH - s.padTop + dy;
      int ix0 = x * s.strideW - s.padLeft + dx;
      boolean rowInside = iy >= 0 && iy < s.inH;
      int lo = rowInside ? Im2colOps.firstInside(ix0, s.strideW, run) : run;
      int hi = rowInside ? Math.max(lo, Im2colOps.endInside(ix0, s.strideW, s.inW, run)) : run;
      int src = planeOff + iy * s.inW + ix0;
      for (int u = 0; u < run; u++) {
        dst[Im2colOps.at(dOff, panelStride, t + u)] =
            u >= lo && u < hi ? in[src + u * s.strideW] : 0f;
      }
      t += run;
      x = 0;
      y++;
    }
    for (; t % Gemm.PANEL_COLS != 0; t++) {
      dst[Im2colOps.at(dOff, panelStride, t)] = 0f;
    }
  }

  /** The plain code is as fast on {@link #row}; {@link #flatRow} serves the vector twin's array ends. */
  @Override
  public boolean flatRows() {
    return false;
  }

  @Override
  public void flatRow(float[] in, int src, float[] masks, int m, int maskStride, int nc,
      float[] dst, int dOff, int panelStride) {
    flatRange(in, src, masks, m, maskStride, 0, Gemm.roundUpCols(nc), nc, dst, dOff, panelStride);
  }

  @Override
  public void splitPhases(ConvShape s, float[] in, int inOff, int rFrom, int rTo, float[] dst,
      int base, int plane) {
    for (int r = rFrom; r < rTo; r++) {
      int row = inOff + r * s.inW;
      int to = base + (r % 2) * 2 * plane + (r / 2) * s.outW;
      for (int c = 0; c < s.inW; c++) {
        dst[to + (c % 2) * plane + c / 2] = in[row + c];
      }
    }
  }

  /** {@link #flatRow}'s columns {@code [from, to)}, lane by lane. */
  static void flatRange(float[] in, int src, float[] masks, int m, int maskStride, int from, int to,
      int nc, float[] dst, int dOff, int panelStride) {
    for (int t = from; t < to; t++) {
      boolean inside = t < nc
          && (((int) masks[m + t / FlatTaps.LANES * maskStride] >>> t % FlatTaps.LANES) & 1) != 0;
      dst[Im2colOps.at(dOff, panelStride, t)] = inside ? in[src + t] : 0f;
    }
  }
}
