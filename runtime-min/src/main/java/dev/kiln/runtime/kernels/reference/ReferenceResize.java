package dev.kiln.runtime.kernels.reference;

/**
 * Resizing a contiguous N-D tensor by separable per-axis tables that the compiler computes once
 * (coordinate transformation, rounding and clamping are all in the tables, so the kernels only
 * gather and weigh). Table entries are input offsets along their axis already multiplied by that
 * axis's input stride.
 *
 * <p>Nearest: {@code out[o] = in[Σ_a offset_a[o_a]]}.
 *
 * <p>N-linear: with per axis a low and a high neighbour and their weights,
 * {@code out[o] = Σ over the 2^N corners of ∏_a w_a · in[Σ_a offset_a]}; a corner whose high weight
 * is 0 is skipped, so an axis that is not resized costs nothing.
 */
public final class ReferenceResize {
  private ReferenceResize() {}

  /**
   * @param sourceOffsets per axis, for each output index the input offset (index × input stride)
   */
  public static void nearest(int[] outDims, int[][] sourceOffsets, float[] in, int inOff,
      float[] out, int outOff) {
    if (outDims.length == 0) {
      out[outOff] = in[inOff];
      return;
    }
    for (int d : outDims) {
      if (d == 0) {
        return;
      }
    }
    nearestWalk(outDims, 0, sourceOffsets, in, inOff, out, outOff);
  }

  /** Returns the number of outputs written: the product of {@code outDims[axis..]}. */
  private static int nearestWalk(int[] outDims, int axis, int[][] sourceOffsets, float[] in,
      int inOff, float[] out, int outOff) {
    int n = outDims[axis];
    int[] offsets = sourceOffsets[axis];
    if (axis == outDims.length - 1) {
      for (int o = 0; o < n; o++) {
        out[outOff + o] = in[inOff + offsets[o]];
      }
      return n;
    }
    int written = 0;
    for (int o = 0; o < n; o++) {
      written += nearestWalk(outDims, axis + 1, sourceOffsets, in, inOff + offsets[o], out,
          outOff + written);
    }
    return written;
  }

  /**
   * @param lowOffsets per axis, for each output index the lower neighbour's offset
   * @param highOffsets per axis, the upper neighbour's offset
   * @param lowWeights per axis, the lower neighbour's weight
   * @param highWeights per axis, the upper neighbour's weight (0 skips the corner)
   */
  public static void linear(int[] outDims, int[][] lowOffsets, int[][] highOffsets,
      float[][] lowWeights, float[][] highWeights, float[] in, int inOff, float[] out, int outOff) {
    if (outDims.length == 0) {
      out[outOff] = in[inOff];
      return;
    }
    int total = 1;
    for (int d : outDims) {
      total *= d;
    }
    // Corners accumulate, so the output starts at zero.
    ReferenceLayout.fill(0f, out, outOff, total);
    if (total > 0) {
      linearWalk(outDims, 0, lowOffsets, highOffsets, lowWeights, highWeights, 1f, in, inOff, out,
          outOff);
    }
  }

  /**
   * Adds {@code weight × (the axis..N-linear interpolation)} to the block of outputs at
   * {@code outOff}; returns the block's size.
   */
  private static int linearWalk(int[] outDims, int axis, int[][] lowOffsets, int[][] highOffsets,
      float[][] lowWeights, float[][] highWeights, float weight, float[] in, int inOff,
      float[] out, int outOff) {
    int n = outDims[axis];
    int[] low = lowOffsets[axis];
    int[] high = highOffsets[axis];
    float[] lowW = lowWeights[axis];
    float[] highW = highWeights[axis];
    if (axis == outDims.length - 1) {
      for (int o = 0; o < n; o++) {
        float v = lowW[o] * in[inOff + low[o]];
        if (highW[o] != 0f) {
          v += highW[o] * in[inOff + high[o]];
        }
        out[outOff + o] += weight * v;
      }
      return n;
    }
    int block = 0;
    for (int o = 0; o < n; o++) {
      block = linearWalk(outDims, axis + 1, lowOffsets, highOffsets, lowWeights, highWeights,
          weight * lowW[o], in, inOff + low[o], out, outOff + o * block);
      if (highW[o] != 0f) {
        linearWalk(outDims, axis + 1, lowOffsets, highOffsets, lowWeights, highWeights,
            weight * highW[o], in, inOff + high[o], out, outOff + o * block);
      }
    }
    return n * block;
  }
}
