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
 *
 * <p>The plane forms ({@link #nearest(int, int, int, int, int, CoordinateMode, NearestMode,
 * float[], int, float[], int)}, {@link #bilinear}) are the oracle of the fast 2-D resize kernels:
 * 2-D resize of NCHW planes (ONNX Resize over the last two axes), nearest or bilinear, for any
 * output size. An output coordinate x maps to {@code x_original} in the input by the coordinate
 * transformation mode, computed in float with {@code scale = out / in}:
 *
 * <pre>
 *   HALF_PIXEL     (x + 0.5) / scale − 0.5
 *   ALIGN_CORNERS  x · (in − 1) / (out − 1)      (0 when out = 1)
 *   ASYMMETRIC     x / scale
 * </pre>
 *
 * Nearest picks {@code in[round(x_original)]} by the nearest mode, clamped to the input. Bilinear
 * clamps {@code x_original} to {@code [0, in − 1]} (as ONNX Runtime and PyTorch do), takes {@code x0
 * = floor}, {@code x1 = min(x0 + 1, in − 1)}, {@code λ = x_original − x0}, and computes
 * {@code top = (1 − λx)·in[y0][x0] + λx·in[y0][x1]}, the same for the bottom row, then {@code
 * (1 − λy)·top + λy·bottom}, in float in that order.
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

  /** How an output coordinate maps into the input. */
  public enum CoordinateMode {
    HALF_PIXEL, ALIGN_CORNERS, ASYMMETRIC
  }

  /** How nearest mode rounds {@code x_original}. */
  public enum NearestMode {
    ROUND_PREFER_FLOOR, ROUND_PREFER_CEIL, FLOOR, CEIL
  }

  public static void nearest(int planes, int inH, int inW, int outH, int outW,
      CoordinateMode coordinates, NearestMode rounding, float[] in, int inOff, float[] out,
      int outOff) {
    for (int p = 0; p < planes; p++) {
      int inBase = inOff + p * inH * inW;
      int outBase = outOff + p * outH * outW;
      for (int y = 0; y < outH; y++) {
        int iy = nearestIndex(original(y, inH, outH, coordinates), rounding, inH);
        for (int x = 0; x < outW; x++) {
          int ix = nearestIndex(original(x, inW, outW, coordinates), rounding, inW);
          out[outBase + y * outW + x] = in[inBase + iy * inW + ix];
        }
      }
    }
  }

  public static void bilinear(int planes, int inH, int inW, int outH, int outW,
      CoordinateMode coordinates, float[] in, int inOff, float[] out, int outOff) {
    for (int p = 0; p < planes; p++) {
      int inBase = inOff + p * inH * inW;
      int outBase = outOff + p * outH * outW;
      for (int y = 0; y < outH; y++) {
        float fy = clamp(original(y, inH, outH, coordinates), inH);
        int y0 = (int) Math.floor(fy);
        int y1 = Math.min(y0 + 1, inH - 1);
        float ly = fy - y0;
        for (int x = 0; x < outW; x++) {
          float fx = clamp(original(x, inW, outW, coordinates), inW);
          int x0 = (int) Math.floor(fx);
          int x1 = Math.min(x0 + 1, inW - 1);
          float lx = fx - x0;
          float top = (1f - lx) * in[inBase + y0 * inW + x0] + lx * in[inBase + y0 * inW + x1];
          float bottom = (1f - lx) * in[inBase + y1 * inW + x0] + lx * in[inBase + y1 * inW + x1];
          out[outBase + y * outW + x] = (1f - ly) * top + ly * bottom;
        }
      }
    }
  }

  /** {@code x_original} of output coordinate {@code x}. */
  public static float original(int x, int in, int out, CoordinateMode mode) {
    float scale = (float) out / in;
    switch (mode) {
      case HALF_PIXEL:
        return (x + 0.5f) / scale - 0.5f;
      case ALIGN_CORNERS:
        return out == 1 ? 0f : x * (float) (in - 1) / (out - 1);
      case ASYMMETRIC:
        return x / scale;
      default:
        throw new AssertionError(mode);
    }
  }

  private static float clamp(float v, int size) {
    return Math.max(0f, Math.min(size - 1, v));
  }

  private static int nearestIndex(float v, NearestMode mode, int size) {
    int i;
    switch (mode) {
      case ROUND_PREFER_FLOOR:
        i = v == Math.floor(v) + 0.5f ? (int) Math.floor(v) : Math.round(v);
        break;
      case ROUND_PREFER_CEIL:
        i = (int) Math.floor(v + 0.5f);
        break;
      case FLOOR:
        i = (int) Math.floor(v);
        break;
      case CEIL:
        i = (int) Math.ceil(v);
        break;
      default:
        throw new AssertionError(mode);
    }
    return Math.max(0, Math.min(size - 1, i));
  }
}
