package dev.kiln.runtime.kernels.reference;

/**
 * Resizing a contiguous N-D tensor by separable per-axis tables that the compiler computes once
 * (coordinate transformation, rounding and clamping are all in the tables, so the kernels only
 * gather and weigh). Table entries are input offsets along their axis already multiplied by that
 * axis's input stride.
 *
 * <p>The tables of all axes lie one after another in one flat array, so that generated code holds
 * each as a single constant: axis a's entry for output index o is at {@code Σ_{b<a} outDims[b] + o}.
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
   * @param sourceOffsets per axis, for each output index the input offset (index × input stride);
   *     flat, axis after axis
   */
  public static void nearest(int[] outDims, int[] sourceOffsets, float[] in, int inOff,
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
    nearestWalk(outDims, 0, 0, sourceOffsets, in, inOff, out, outOff);
  }

  /**
   * Returns the number of outputs written: the product of {@code outDims[axis..]}.
   *
   * @param table where this axis's entries start in {@code sourceOffsets}
   */
  private static int nearestWalk(int[] outDims, int axis, int table, int[] sourceOffsets,
      float[] in, int inOff, float[] out, int outOff) {
    int n = outDims[axis];
    if (axis == outDims.length - 1) {
      for (int o = 0; o < n; o++) {
        out[outOff + o] = in[inOff + sourceOffsets[table + o]];
      }
      return n;
    }
    int written = 0;
    for (int o = 0; o < n; o++) {
      written += nearestWalk(outDims, axis + 1, table + n, sourceOffsets, in,
          inOff + sourceOffsets[table + o], out, outOff + written);
    }
    return written;
  }

  /**
   * @param lowOffsets per axis, for each output index the lower neighbour's offset; flat, axis after
   *     axis
   * @param highOffsets per axis, the upper neighbour's offset; laid out like {@code lowOffsets}
   * @param weights from {@code weightsOff}: the lower neighbours' weights laid out like
   *     {@code lowOffsets}, then the upper neighbours' weights likewise (a 0 skips the corner)
   */
  public static void linear(int[] outDims, int[] lowOffsets, int[] highOffsets, float[] weights,
      int weightsOff, float[] in, int inOff, float[] out, int outOff) {
    if (outDims.length == 0) {
      out[outOff] = in[inOff];
      return;
    }
    int total = 1;
    int tableLength = 0;
    for (int d : outDims) {
      total *= d;
      tableLength += d;
    }
    // Corners accumulate, so the output starts at zero.
    ReferenceLayout.fill(0f, out, outOff, total);
    if (total > 0) {
      linearWalk(outDims, 0, 0, lowOffsets, highOffsets, weights, weightsOff,
          weightsOff + tableLength, 1f, in, inOff, out, outOff);
    }
  }

  /**
   * Adds {@code weight × (the axis..N-linear interpolation)} to the block of outputs at
   * {@code outOff}; returns the block's size.
   *
   * @param table where this axis's entries start in the offset tables
   * @param lowWeights where the lower neighbours' weights start in {@code weights}; likewise
   *     {@code highWeights}
   */
  private static int linearWalk(int[] outDims, int axis, int table, int[] lowOffsets,
      int[] highOffsets, float[] weights, int lowWeights, int highWeights, float weight,
      float[] in, int inOff, float[] out, int outOff) {
    int n = outDims[axis];
    if (axis == outDims.length - 1) {
      for (int o = 0; o < n; o++) {
        float highW = weights[highWeights + table + o];
        float v = weights[lowWeights + table + o] * in[inOff + lowOffsets[table + o]];
        if (highW != 0f) {
          v += highW * in[inOff + highOffsets[table + o]];
        }
        out[outOff + o] += weight * v;
      }
      return n;
    }
    int block = 0;
    for (int o = 0; o < n; o++) {
      float lowW = weights[lowWeights + table + o];
      float highW = weights[highWeights + table + o];
      block = linearWalk(outDims, axis + 1, table + n, lowOffsets, highOffsets, weights,
          lowWeights, highWeights, weight * lowW, in, inOff + lowOffsets[table + o], out,
          outOff + o * block);
      if (highW != 0f) {
        linearWalk(outDims, axis + 1, table + n, lowOffsets, highOffsets, weights, lowWeights,
            highWeights, weight * highW, in, inOff + highOffsets[table + o], out,
            outOff + o * block);
      }
    }
    return n * block;
  }
}
