package dev.kiln.runtime.kernels.conv;

import dev.kiln.runtime.kernels.ConvShape;
import dev.kiln.runtime.kernels.gemm.Gemm;

/**
 * "gemm-1x1": a 1×1, stride-1, unpadded convolution is a GEMM as it stands — the input's channel
 * planes are the rows of B, so packing B is a copy of 32-float row pieces, no index arithmetic.
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

  @Override
  void packB(ConvShape s, float[] in, int groupInOff, int k0, int kc, int col0, int nc,
      float[] dst, int dOff, float[] packed, int pOff, int extraOff) {
    int hw = s.inH * s.inW;
    Gemm.packBlockRows(in, groupInOff, hw, k0, kc, col0, nc, dst, dOff);
  }
}
