package dev.kiln.runtime.kernels.conv;

import dev.kiln.runtime.kernels.ConvShape;
import dev.kiln.runtime.kernels.gemm.Gemm;

/**
 * Stride-2 planes read as flat runs, the stride-2 counterpart of {@link FlatTaps}. Split the input
 * plane into its four phases, {@code P[pi][pj][u][v] = in[2u + pi][2v + pj]}, each laid out with
 * the output's row length {@code outW}. Output {@code q = y·outW + x} then reads tap (i, j) at
 * phase plane ({@code (i − padTop) mod 2}, {@code (j − padLeft) mod 2}), index {@code q +
 * ⌊(i − padTop)/2⌋·outW + ⌊(j − padLeft)/2⌋}: the output index plus a constant, as for stride 1.
 * That holds when the phases fit the output's rows and columns ({@code inH ≤ 2·outH}, {@code inW ≤
 * 2·outW}: MobileNet-V2's and ResNet-18's 3×3/2 layers with padding 1, ResNet-18's 7×7/2 stem).
 * Used by the depthwise kernel's phase planes and by tiled's phase rows. Taps that fall outside the
 * input are masked by the table {@link #masks}, made with the weights; the phase split itself
 * ({@link Im2colOps#splitPhases}) costs one pass over the input, and every tap after it is a plain
 * vector load instead of two loads and a shuffle.
 */
final class PhaseTaps {
  private PhaseTaps() {}

  /** Whether the planes of {@code s} (depthwise or not) read as flat runs of phases. */
  static boolean applies(ConvShape s) {
    return s.strideH == 2 && s.strideW == 2 && s.dilationH == 1 && s.dilationW == 1
        && s.inH <= 2 * s.outH && s.inW <= 2 * s.outW && s.padTop < s.kernelH
        && s.padLeft < s.kernelW;
  }

  /**
   * Floats of {@link #masks}: one per tap per {@link FlatTaps#LANES} outputs, for an even number of
   * vectors (the vector path computes them in pairs).
   */
  static int maskFloats(ConvShape s) {
    int vectors = Gemm.ceilDiv(s.outH * s.outW, FlatTaps.LANES);
    return (vectors + vectors % 2) * s.kernelH * s.kernelW;
  }

  /**
   * For each {@link FlatTaps#LANES} outputs from {@code q0} and each tap (i, j), at {@code dst[dOff
   * + (q0 / 16)·kH·kW + i·kW + j]}: bit l set when output {@code q0 + l} exists and its tap lies
   * inside the input, stored as a float (an integer below 2^16, exact).
   */
  static void masks(ConvShape s, float[] dst, int dOff) {
    FlatTaps.masks(s, maskFloats(s) / (s.kernelH * s.kernelW), dst, dOff);
  }

  /**
   * Floats of one input plane's phase planes with their slack, then one vector for the plane's
   * last, partial output vector: what a worker of the depthwise kernel needs.
   */
  static int scratchFloats(ConvShape s) {
    return 4 * planeStride(s) + 2 * slack(s) + FlatTaps.LANES;
  }

  /**
   * Floats from one phase plane to the next: the plane and a vector's worth of room, so that a
   * phase row can be stored in whole vectors (lanes past its end land in the next row, stored
   * after it, or in the room after the last).
   */
  static int planeStride(ConvShape s) {
    return s.outH * s.outW + FlatTaps.LANES;
  }

  /**
   * Where phase plane 0 starts in the scratch, and the room after the last: beyond the reach of any
   * tap's shift ({@code |⌊(i − padTop)/2⌋| ≤ kH/2 + 1} rows, as many columns) plus two vectors.
   */
  static int slack(ConvShape s) {
    return (s.kernelH / 2 + 1) * (s.outW + 1) + s.kernelW + 2 * FlatTaps.LANES;
  }

  /**
   * Offset of tap (i, j) from output q's index into its phase plane, plane 0 at 0 and the planes
   * {@code planeStride} apart.
   */
  static int shift(ConvShape s, int i, int j, int planeStride) {
    int di = i - s.padTop;
    int dj = j - s.padLeft;
    int plane = Math.floorMod(di, 2) * 2 + Math.floorMod(dj, 2);
    return plane * planeStride + Math.floorDiv(di, 2) * s.outW + Math.floorDiv(dj, 2);
  }

  /** The phase row output row y's taps read first: {@code y + ⌊−padTop/2⌋}. */
  static int firstRow(ConvShape s, int y) {
    return y + Math.floorDiv(-s.padTop, 2);
  }

  /** The phase row output row y's taps read last: {@code y + ⌊(kH − 1 − padTop)/2⌋}. */
  static int lastRow(ConvShape s, int y) {
    return y + Math.floorDiv(s.kernelH - 1 - s.padTop, 2);
  }
}
