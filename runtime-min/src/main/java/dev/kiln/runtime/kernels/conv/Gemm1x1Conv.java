package dev.kiln.runtime.kernels.conv;

import dev.kiln.runtime.kernels.ConvShape;
import dev.kiln.runtime.kernels.gemm.Gemm;
import dev.kiln.runtime.kernels.gemm.GemmMicrokernel;

/**
 * "gemm-1x1": a 1×1, stride-1, unpadded convolution is a GEMM as it stands — the input's channel
 * planes are the rows of B, so packing B is a copy of 32-float row pieces, no index arithmetic, and
 * with few output channels the microkernel reads whole panels of B straight from the planes.
 * Grouped 1×1 convolutions run one GEMM per group.
 */
final class Gemm1x1Conv extends GemmConv {
  static final Gemm1x1Conv INSTANCE = new Gemm1x1Conv();

  private Gemm1x1Conv() {}

  @Override
  public String name() {
    return "gemm-1x1";
  }

  @Override
  public boolean supports(ConvShape s) {
    return s.kernelH == 1 && s.kernelW == 1 && s.strideH == 1 && s.strideW == 1
        && s.padTop == 0 && s.padLeft == 0 && s.padBottom == 0 && s.padRight == 0
        && s.outH == s.inH && s.outW == s.inW;
  }

  /**
   * Layers with at most this many output channels per group read B in place. Packing B costs the
   * same for every output channel count and is shared by all row tiles, while reading in place costs
   * each row tile a little (a 32-float row piece of a plane spans three cache lines, not two, and the
   * panel's rows are a plane apart). Measured on the zoo's 1×1 layers, in place against packed: 16–64
   * output channels 0.58–0.92× the time; 96–1280, measured with every layer in place, 0.90–1.21×,
   * so those keep packing.
   */
  static final int IN_PLACE_MAX_ROWS = 64;

  /**
   * ... and a reduction at least this long. A short one is dominated by the tile's stores, not its
   * loads, so the pack it saves is small, and SqueezeNet's 16→64 on 55² ran anywhere from 0.58× to
   * 1.94× the packed time from one run to the next (the loads a plane apart presumably collide with
   * the stores a plane apart, as 4 KiB aliasing, depending on where the arrays lie).
   */
  static final int IN_PLACE_MIN_REDUCTION = 64;

  @Override
  int inPlaceColumns(ConvShape s, int nc) {
    boolean inPlace = s.outChannelsPerGroup() <= IN_PLACE_MAX_ROWS
        && s.inChannelsPerGroup() >= IN_PLACE_MIN_REDUCTION
        && GemmMicrokernel.get().readsBInPlace();
    return inPlace ? nc / Gemm.PANEL_COLS * Gemm.PANEL_COLS : 0;
  }

  @Override
  void packB(ConvShape s, float[] in, int groupInOff, int k0, int kc, int col0, int nc,
      float[] dst, int dOff, float[] packed, int pOff, int extraOff) {
    int hw = s.inH * s.inW;
    Gemm.packBlockRows(in, groupInOff, hw, k0, kc, col0, nc, dst, dOff);
  }
}
