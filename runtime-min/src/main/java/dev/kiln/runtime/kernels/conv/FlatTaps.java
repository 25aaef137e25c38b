package dev.kiln.runtime.kernels.conv;

import dev.kiln.runtime.kernels.ConvShape;
import dev.kiln.runtime.kernels.gemm.Gemm;

/**
 * Convolutions whose planes can be read as one flat run: stride 1, dilation 1 and output rows as
 * wide as the input rows (the "same" padding, {@code padLeft + padRight == kW − 1}). Output {@code q
 * = y·W + x} then reads tap (i, j) at input {@code q + (i − padTop)·W + j − padLeft}: the output index
 * plus a constant. A vector of outputs is a vector loaded from the input, whatever output rows it
 * spans, with the lanes whose tap falls outside the input (the first and last rows, the first and
 * last columns) set to zero. Which lanes those are depends on the geometry alone, so the compiler
 * stores them with the layer's weights: {@link #masks}.
 */
final class FlatTaps {
  /** Lanes per mask: one 512-bit float vector. */
  static final int LANES = 16;

  private FlatTaps() {}

  /** Whether the planes of {@code s} read as flat runs. */
  static boolean applies(ConvShape s) {
    return s.strideH == 1 && s.strideW == 1 && s.dilationH == 1 && s.dilationW == 1
        && s.outW == s.inW;
  }

  /** Floats of {@link #masks}: one per tap per {@link #LANES} outputs. */
  static int maskFloats(ConvShape s) {
    return Gemm.ceilDiv(s.outH * s.outW, LANES) * s.kernelH * s.kernelW;
  }

  /**
   * For each {@link #LANES} outputs from {@code q0} and each tap (i, j), at {@code dst[dOff + (q0 /
   * 16)·kH·kW + i·kW + j]}: bit l set when output {@code q0 + l} exists and its tap lies inside the
   * input, stored as a float (an integer below 2^16, exact).
   */
  static void masks(ConvShape s, float[] dst, int dOff) {
    masks(s, Gemm.ceilDiv(s.outH * s.outW, LANES), dst, dOff);
  }

  /**
   * {@link #masks} for {@code vectors} groups of {@link #LANES} outputs (groups past the last output
   * are all zero), for any stride: output {@code q = y·outW + x}'s tap (i, j) is inside when input
   * ({@code y·strideH − padTop + i}, {@code x·strideW − padLeft + j}) is. Shared with {@link
   * PhaseTaps#masks}.
   */
  static void masks(ConvShape s, int vectors, float[] dst, int dOff) {
    int pixels = s.outH * s.outW;
    int t = dOff;
    for (int q0 = 0; q0 < vectors * LANES; q0 += LANES) {
      for (int i = 0; i < s.kernelH; i++) {
        for (int j = 0; j < s.kernelW; j++) {
          int bits = 0;
          for (int l = 0; l < LANES && q0 + l < pixels; l++) {
            int y = (q0 + l) / s.outW * s.strideH + i - s.padTop;
            int x = (q0 + l) % s.outW * s.strideW + j - s.padLeft;
            if (y >= 0 && y < s.inH && x >= 0 && x < s.inW) {
              bits |= 1 << l;
            }
          }
          dst[t++] = bits;
        }
      }
    }
  }
}
