package dev.kiln.runtime.kernels.reference;

/**
 * Reductions over any set of axes. At compile time the input's dimensions are split into the kept
 * ones and the reduced ones, each with its stride in the input; the output holds one value per
 * position of the kept dimensions, in row-major order (so keepdims only changes the output's shape).
 * Sums accumulate in double, so the result does not depend on the reduction's length or order.
 */
public final class ReferenceReduce {
  private ReferenceReduce() {}

  /**
   * {@code out[kept] = Σ_reduced in[kept, reduced] / count}, count being the product of {@code
   * reducedDims}; an empty reduction gives NaN (0/0), and no reduced dimensions copies the input.
   */
  public static void mean(int[] keptDims, int[] keptStrides, int[] reducedDims, int[] reducedStrides,
      float[] in, int inOff, float[] out, int outOff) {
    int count = 1;
    for (int d : reducedDims) {
      count *= d;
    }
    meanKept(keptDims, keptStrides, 0, reducedDims, reducedStrides, count, in, inOff, out, outOff);
  }

  /** Walks the kept dimensions from {@code axis} on; returns the outputs written. */
  private static int meanKept(int[] keptDims, int[] keptStrides, int axis, int[] reducedDims,
      int[] reducedStrides, int count, float[] in, int inOff, float[] out, int outOff) {
    if (axis == keptDims.length) {
      out[outOff] = (float) (sum(reducedDims, reducedStrides, 0, in, inOff) / count);
      return 1;
    }
    int written = 0;
    for (int i = 0; i < keptDims[axis]; i++) {
      written += meanKept(keptDims, keptStrides, axis + 1, reducedDims, reducedStrides, count,
          in, inOff + i * keptStrides[axis], out, outOff + written);
    }
    return written;
  }

  /** The sum over the reduced dimensions from {@code axis} on, starting at {@code off}. */
  private static double sum(int[] dims, int[] strides, int axis, float[] in, int off) {
    if (axis == dims.length) {
      return in[off];
    }
    int n = dims[axis];
    int stride = strides[axis];
    double s = 0;
    if (axis == dims.length - 1) {
      for (int i = 0; i < n; i++) {
        s += in[off + i * stride];
      }
      return s;
    }
    for (int i = 0; i < n; i++) {
      s += sum(dims, strides, axis + 1, in, off + i * stride);
    }
    return s;
  }
}
