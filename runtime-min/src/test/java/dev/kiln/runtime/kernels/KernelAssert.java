package dev.kiln.runtime.kernels;

import static org.junit.jupiter.api.Assertions.fail;

import java.util.SplittableRandom;

/** Comparisons for fast kernels against the reference, with messages that say where and why. */
public final class KernelAssert {
  private KernelAssert() {}

  /**
   * Lucene's rule of thumb: float error grows with the length of the reduction, so the tolerance is
   * {@code 1e-5 · reductionLength} for data in [-1, 1], times the magnitude of the expected value
   * when that exceeds 1.
   */
  public static float tolerance(int reductionLength, float expected) {
    return 1e-5f * Math.max(1, reductionLength) * Math.max(1f, Math.abs(expected));
  }

  /**
   * Asserts {@code actual} matches {@code expected} within {@link #tolerance} element by element; the
   * message names {@code context} (every parameter of the case), the first bad coordinate as
   * {@code dims} index and the count of bad elements.
   */
  public static void assertClose(String context, int reductionLength, float[] expected,
      float[] actual, int[] dims) {
    if (expected.length != actual.length) {
      fail(context + ": length " + actual.length + ", expected " + expected.length);
    }
    int bad = 0;
    int first = -1;
    for (int i = 0; i < expected.length; i++) {
      float e = expected[i];
      float a = actual[i];
      boolean same = Float.isNaN(e) ? Float.isNaN(a) : Math.abs(a - e) <= tolerance(reductionLength, e);
      if (!same) {
        if (first < 0) {
          first = i;
        }
        bad++;
      }
    }
    if (bad > 0) {
      float e = expected[first];
      float a = actual[first];
      fail(String.format(java.util.Locale.ROOT,
          "%s: %d of %d outputs differ; first at %s (flat index %d): got %s, expected %s,"
              + " |diff| %.3g > tolerance %.3g (reduction length %d)",
          context, bad, expected.length, coordinate(first, dims), first, a, e, Math.abs(a - e),
          tolerance(reductionLength, e), reductionLength));
    }
  }

  /** Asserts bit-identical arrays, naming the first differing coordinate. */
  public static void assertBitIdentical(String context, float[] expected, float[] actual, int[] dims) {
    for (int i = 0; i < expected.length; i++) {
      if (Float.floatToRawIntBits(expected[i]) != Float.floatToRawIntBits(actual[i])) {
        fail(context + ": not bit-identical at " + coordinate(i, dims) + " (flat index " + i + "): "
            + actual[i] + " vs " + expected[i]);
      }
    }
  }

  /** {@code [n,c,y,x]}-style coordinate of flat index {@code i} in a row-major tensor of {@code dims}. */
  public static String coordinate(int i, int[] dims) {
    int[] idx = new int[dims.length];
    for (int d = dims.length - 1; d >= 0; d--) {
      idx[d] = dims[d] == 0 ? 0 : i % dims[d];
      i = dims[d] == 0 ? 0 : i / dims[d];
    }
    return java.util.Arrays.toString(idx);
  }

  /** Seeded values uniform in [-1, 1). */
  public static float[] random(long seed, int n) {
    SplittableRandom r = new SplittableRandom(seed);
    float[] a = new float[n];
    for (int i = 0; i < n; i++) {
      a[i] = (float) (2 * r.nextDouble() - 1);
    }
    return a;
  }
}
