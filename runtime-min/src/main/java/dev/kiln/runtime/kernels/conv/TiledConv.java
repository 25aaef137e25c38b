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

  /**
   * The packed A panels, then for {@link #flat} layers their {@link FlatTaps#masks}, for {@link
   * #phased} ones their {@link PhaseTaps#masks}.
   */
  @Override
  public int packedWeightFloats(ConvShape s) {
    int masks = flat(s) ? FlatTaps.maskFloats(s) : phased(s) ? PhaseTaps.maskFloats(s) : 0;
    return super.packedWeightFloats(s) + masks;
  }

  @Override
  public void packWeights(ConvShape s, float[] w, int wOff, float[] packed, int pOff) {
    super.packWeights(s, w, wOff, packed, pOff);
    if (flat(s)) {
      FlatTaps.masks(s, packed, pOff + super.packedWeightFloats(s));
    } else if (phased(s)) {
      PhaseTaps.masks(s, packed, pOff + super.packedWeightFloats(s));
    }
  }

  /**
   * Stride-2 layers whose B rows are packed by {@link Im2colOps#flatRow} from the input's {@link
   * PhaseTaps} phases when the JVM's ops take flat rows, with a mask table of at most {@link
   * #MAX_MASK_FLOATS}: ResNet-18's 7×7/2 stem and its 3×3/2 layers. A 1×1/2 layer reads one
   * phase of four, so splitting all four costs more than its strided rows (ResNet-18's 64→128
   * downsample: 1.21× the time, measured).
   */
  static boolean phased(ConvShape s) {
    return s.kernelH > 1 && s.kernelW > 1 && PhaseTaps.applies(s)
        && PhaseTaps.maskFloats(s) <= MAX_MASK_FLOATS;
  }

  /**
   * For {@link #phased} layers, the phases of the input rows one column tile reads, for the
   * channels one K block spans: bounded by the tile, not the image (ResNet-18's stem: 5 × 4 phase
   * planes of 7 rows of 112 floats).
   */
  @Override
  int extraWorkspaceFloats(ConvShape s) {
    if (!phased(s)) {
      return 0;
    }
    int kernelSize = s.kernelH * s.kernelW;
    int channels = Math.min(s.inChannelsPerGroup(),
        Gemm.kBlockSize(reduction(s)) / kernelSize + 2);
    return channels * 4 * tilePlaneStride(s) + 2 * PhaseTaps.slack(s);
  }

  /**
   * Floats from one phase plane of a column tile to the next: the phase rows a tile's output rows
   * read (at most {@code ⌈NC/outW⌉ + 1} output rows, plus the taps' reach) and a vector's room.
   */
  private static int tilePlaneStride(ConvShape s) {
    int outputRows = Math.min(s.outH, Gemm.ceilDiv(Gemm.NC, s.outW) + 1);
    int rows = PhaseTaps.lastRow(s, outputRows - 1) - PhaseTaps.firstRow(s, 0) + 1;
    return rows * s.outW + FlatTaps.LANES;
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
   * i, j) stepped incrementally. Flat rows read the input planes ({@link #flat}) or the phase
   * planes this call splits first ({@link #phased}): a channel stride and a constant offset per tap.
   */
  @Override
  void packB(ConvShape s, float[] in, int groupInOff, int k0, int kc, int col0, int nc,
      float[] dst, int dOff, float[] packed, int pOff, int extraOff) {
    Im2colOps ops = Im2colOps.get();
    int kernelSize = s.kernelH * s.kernelW;
    int inPlane = s.inH * s.inW;
    int panelStride = Gemm.PANEL_COLS * kc;
    boolean phases = phased(s);
    if ((phases || flat(s)) && ops.flatRows()) {
      float[] source = in;
      int channel = groupInOff + (k0 / kernelSize) * inPlane + col0;
      int channelStride = inPlane;
      int plane = phases ? tilePlaneStride(s) : 0;
      if (phases) {
        // Split this K block's channels, the input rows this tile reads, into phase planes whose
        // row u0 (the tile's first phase row) comes first.
        int u0 = PhaseTaps.firstRow(s, col0 / s.outW);
        int rFrom = Math.max(0, 2 * u0);
        int rTo = Math.min(s.inH, 2 * PhaseTaps.lastRow(s, (col0 + nc - 1) / s.outW) + 2);
        int first = k0 / kernelSize;
        int base = extraOff + PhaseTaps.slack(s) - u0 * s.outW;
        channelStride = 4 * plane;
        for (int c = first; c <= (k0 + kc - 1) / kernelSize; c++) {
          ops.splitPhases(s, in, groupInOff + c * inPlane, rFrom, rTo, dst,
              base + (c - first) * channelStride, plane);
        }
        source = dst;
        channel = base + col0;
      }
      int masks = pOff + super.packedWeightFloats(s) + col0 / FlatTaps.LANES * kernelSize;
      int tap = k0 % kernelSize;
      for (int kk = 0; kk < kc; kk++) {
        int i = tap / s.kernelW;
        int j = tap % s.kernelW;
        int shift = phases ? PhaseTaps.shift(s, i, j, plane)
            : (i - s.padTop) * s.inW + j - s.padLeft;
        ops.flatRow(source, channel + shift, packed, masks + tap, kernelSize, nc, dst,
            dOff + kk * Gemm.PANEL_COLS, panelStride);
        if (++tap == kernelSize) {
          tap = 0;
          channel += channelStride;
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
