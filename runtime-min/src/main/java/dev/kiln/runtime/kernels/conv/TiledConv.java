package dev.kiln.runtime.kernels.conv;

import dev.kiln.runtime.kernels.ConvShape;
import dev.kiln.runtime.kernels.gemm.Gemm;

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
  /** 256 KiB of masks: a 3×3 layer with planes up to 341×341, a 7×7 one up to 148×148. */
  private static final int MAX_MASK_FLOATS = 1 << 16;

  private TiledConv() {}

  @Override
  public String name() {
    return "tiled";
  }

  @Override
  public boolean supports(ConvShape s) {
    return true;
  }

  /** The packed A panels, then for {@link #flat} layers their {@link FlatTaps#masks}. */
  @Override
  public int packedWeightFloats(ConvShape s) {
    return super.packedWeightFloats(s) + (flat(s) ? FlatTaps.maskFloats(s) : 0);
  }

  @Override
  public void packWeights(ConvShape s, float[] w, int wOff, float[] packed, int pOff) {
    super.packWeights(s, w, wOff, packed, pOff);
    if (flat(s)) {
      FlatTaps.masks(s, packed, pOff + super.packedWeightFloats(s));
    }
  }

  /**
   * Layers whose B rows are packed by {@link Im2colOps#flatRow} when the JVM's ops take it: the
   * {@link FlatTaps} geometry (a 3×3 stride-1 "same" layer and the like), with a mask table of at
   * most {@link #MAX_MASK_FLOATS}.
   */
  static boolean flat(ConvShape s) {
    return FlatTaps.applies(s) && FlatTaps.maskFloats(s) <= MAX_MASK_FLOATS;
  }

  /**
   * One {@link Im2colOps#row} (or {@link Im2colOps#flatRow}) call per row k of the block, with (c,
   * i, j) stepped incrementally.
   */
  @Override
  void packB(ConvShape s, float[] in, int groupInOff, int k0, int kc, int col0, int nc,
      float[] dst, int dOff, float[] packed, int pOff) {
    Im2colOps ops = Im2colOps.get();
    int kernelSize = s.kernelH * s.kernelW;
    int inPlane = s.inH * s.inW;
    int panelStride = Gemm.PANEL_COLS * kc;
    if (flat(s) && ops.flatRows()) {
      int masks = pOff + super.packedWeightFloats(s) + col0 / FlatTaps.LANES * kernelSize;
      int c = k0 / kernelSize;
      int tap = k0 % kernelSize;
      for (int kk = 0; kk < kc; kk++) {
        int i = tap / s.kernelW;
        int j = tap % s.kernelW;
        int src = groupInOff + c * inPlane + col0 + (i - s.padTop) * s.inW + j - s.padLeft;
        ops.flatRow(in, src, packed, masks + tap, kernelSize, nc, dst,
            dOff + kk * Gemm.PANEL_COLS, panelStride);
        if (++tap == kernelSize) {
          tap = 0;
          c++;
        }
      }
      return;
    }
    int c = k0 / kernelSize;
    int i = (k0 % kernelSize) / s.kernelW;
    int j = k0 % s.kernelW;
    for (int kk = 0; kk < kc; kk++) {
      ops.row(s, in, groupInOff + c * inPlane, i * s.dilationH, j * s.dilationW, col0, nc,
          dst, dOff + kk * Gemm.PANEL_COLS, panelStride);
      if (++j == s.kernelW) {
        j = 0;
        if (++i == s.kernelH) {
          i = 0;
          c++;
        }
      }
    }
  }
}
