package dev.kiln.runtime.kernels.conv;

import dev.kiln.runtime.kernels.ConvShape;
import dev.kiln.runtime.kernels.gemm.Gemm;
import java.util.Arrays;

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

  @Override
  void packB(ConvShape s, float[] in, int groupInOff, int k0, int kc, int col0, int nc,
      float[] dst, int dOff) {
    int kernelSize = s.kernelH * s.kernelW;
    int inPlane = s.inH * s.inW;
    int panels = Gemm.ceilDiv(nc, Gemm.PANEL_COLS);
    int y0 = col0 / s.outW;
    int x0 = col0 % s.outW;
    for (int kk = 0; kk < kc; kk++) {
      int k = k0 + kk;
      int c = k / kernelSize;
      int i = (k % kernelSize) / s.kernelW;
      int j = k % s.kernelW;
      int channelBase = groupInOff + c * inPlane;
      int yOffset = i * s.dilationH - s.padTop;
      int xOffset = j * s.dilationW - s.padLeft;
      int y = y0;
      int x = x0;
      for (int q = 0; q < panels; q++) {
        int row = dOff + q * Gemm.PANEL_COLS * kc + kk * Gemm.PANEL_COLS;
        int width = Math.min(Gemm.PANEL_COLS, nc - q * Gemm.PANEL_COLS);
        int t = 0;
        while (t < width) {
          int run = Math.min(s.outW - x, width - t);
          int iy = y * s.strideH + yOffset;
          if (iy < 0 || iy >= s.inH) {
            Arrays.fill(dst, row + t, row + t + run, 0f);
          } else {
            int inRow = channelBase + iy * s.inW;
            int ix0 = x * s.strideW + xOffset;
            if (s.strideW == 1) {
              int lo = Math.min(run, Math.max(0, -ix0));
              int hi = Math.max(lo, Math.min(run, s.inW - ix0));
              Arrays.fill(dst, row + t, row + t + lo, 0f);
              System.arraycopy(in, inRow + ix0 + lo, dst, row + t + lo, hi - lo);
              Arrays.fill(dst, row + t + hi, row + t + run, 0f);
            } else {
              for (int u = 0; u < run; u++) {
                int ix = ix0 + u * s.strideW;
                dst[row + t + u] = ix >= 0 && ix < s.inW ? in[inRow + ix] : 0f;
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
        if (width < Gemm.PANEL_COLS) {
          Arrays.fill(dst, row + width, row + Gemm.PANEL_COLS, 0f);
        }
      }
    }
  }
}
