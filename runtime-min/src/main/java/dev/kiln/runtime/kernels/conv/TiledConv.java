package dev.kiln.runtime.kernels.conv;

import dev.kiln.runtime.kernels.ConvShape;
import dev.kiln.runtime.kernels.gemm.Gemm;
import dev.kiln.runtime.kernels.gemm.GemmMicrokernel;

/**
 * "tiled": implicit GEMM for every convolution geometry — any kernel size, stride, padding on any
 * side, dilation and groups. Instead of materializing the whole im2col matrix ({@code K × HW} floats,
 * 9× the input for a 3×3 kernel), each task packs only the {@code kc × NC} block of it that the
 * microkernel is about to consume, straight from the NCHW input into 32-column panels; positions in
 * the padding become zeros. The generic fallback: {@link #supports} is true for every shape.
 *
 * <p>Row {@code k = (c·kH + i)·kW + j} of B, column {@code p = y·outW + x} holds
 * {@code in[c][y·sH − padTop + i·dH][x·sW − padLeft + j·dW]}, matching the ONNX weight order, so the
 * weights need no reordering. Within one output row the input positions of a B row are an arithmetic
 * progression: for stride 1 a contiguous copy with zero ends, otherwise a strided gather.
 */
final class TiledConv extends GemmConv {
  static final TiledConv INSTANCE = new TiledConv();

  private TiledConv() {}

  @Override
  public String name() {
    return "tiled";
  }

  @Override
  public boolean supports(ConvShape s) {
    return true;
  }

  /**
   * Walks the tile's columns once, in segments that stay within one output row and one panel; each
   * segment is filled for every row k of the block, with (c, i, j) stepped incrementally. A
   * segment's piece of row k is a gather of the input row {@code iy} at stride sW, zero where it
   * reaches into the padding.
   */
  @Override
  void packB(ConvShape s, float[] in, int groupInOff, int k0, int kc, int col0, int nc,
      float[] dst, int dOff) {
    GemmMicrokernel mk = GemmMicrokernel.get();
    int kernelSize = s.kernelH * s.kernelW;
    int inPlane = s.inH * s.inW;
    int sw = s.strideW;
    int c0 = k0 / kernelSize;
    int i0 = (k0 % kernelSize) / s.kernelW;
    int j0 = k0 % s.kernelW;
    int y = col0 / s.outW;
    int x = col0 % s.outW;
    int t = 0;
    while (t < nc) {
      int inPanel = t % Gemm.PANEL_COLS;
      int run = Math.min(Math.min(s.outW - x, Gemm.PANEL_COLS - inPanel), nc - t);
      int out = dOff + (t / Gemm.PANEL_COLS) * Gemm.PANEL_COLS * kc + inPanel;
      int yBase = y * s.strideH - s.padTop;
      int xBase = x * sw - s.padLeft;
      int c = c0;
      int i = i0;
      int j = j0;
      for (int kk = 0; kk < kc; kk++) {
        int iy = yBase + i * s.dilationH;
        int row = out + kk * Gemm.PANEL_COLS;
        if (iy < 0 || iy >= s.inH) {
          mk.gather(in, 0, 1, 0, 0, dst, row, run);
        } else {
          int ix0 = xBase + j * s.dilationW;
          // Columns u of the run with 0 ≤ ix0 + u·sw < inW read the input; the rest are padding.
          int lo = ix0 >= 0 ? 0 : Math.min(run, (-ix0 + sw - 1) / sw);
          int hi = s.inW - ix0 <= 0 ? 0 : Math.min(run, (s.inW - ix0 + sw - 1) / sw);
          mk.gather(in, groupInOff + c * inPlane + iy * s.inW + ix0, sw, lo, Math.max(lo, hi),
              dst, row, run);
        }
        if (++j == s.kernelW) {
          j = 0;
          if (++i == s.kernelH) {
            i = 0;
            c++;
          }
        }
      }
      t += run;
      x += run;
      if (x == s.outW) {
        x = 0;
        y++;
      }
    }
    int width = nc % Gemm.PANEL_COLS;
    if (width != 0) {
      int last = dOff + (nc / Gemm.PANEL_COLS) * Gemm.PANEL_COLS * kc;
      for (int kk = 0; kk < kc; kk++) {
        mk.gather(in, 0, 1, 0, 0, dst, last + kk * Gemm.PANEL_COLS + width, Gemm.PANEL_COLS - width);
      }
    }
  }
}
