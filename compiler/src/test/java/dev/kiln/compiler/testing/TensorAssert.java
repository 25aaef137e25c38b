package dev.kiln.compiler.testing;

import static org.junit.jupiter.api.Assertions.fail;

import dev.kiln.compiler.ir.Tensor;
import java.util.Arrays;

/** Tensor comparisons whose failure names the context, the tolerance and the first bad coordinate. */
public final class TensorAssert {
  private TensorAssert() {}

  /**
   * Fails unless the types agree and {@code |expected − actual| ≤ tolerance · max(1, max|expected|)}
   * everywhere (NaN must match NaN).
   */
  public static void assertClose(Tensor expected, Tensor actual, double tolerance, String context) {
    if (!expected.shape().equals(actual.shape()) || expected.dtype() != actual.dtype()) {
      fail(context + ": expected " + expected.type() + " but got " + actual.type());
    }
    double scale = 1;
    for (int i = 0; i < expected.elementCount(); i++) {
      float v = expected.floatAt(i);
      if (Float.isFinite(v)) {
        scale = Math.max(scale, Math.abs(v));
      }
    }
    double allowed = tolerance * scale;
    double worst = 0;
    int firstBad = -1;
    int bad = 0;
    for (int i = 0; i < expected.elementCount(); i++) {
      double e = expected.isFloat() ? expected.floatAt(i) : expected.longAt(i);
      double a = actual.isFloat() ? actual.floatAt(i) : actual.longAt(i);
      boolean ok = Double.isNaN(e) ? Double.isNaN(a)
          : Double.isInfinite(e) ? e == a : Math.abs(e - a) <= allowed;
      if (!ok) {
        bad++;
        if (firstBad < 0) {
          firstBad = i;
        }
        worst = Math.max(worst, Math.abs(e - a));
      }
    }
    if (bad > 0) {
      fail(String.format("%s: %d of %d elements differ by more than %.3g (tolerance %.1g × scale %.4g);"
              + " first at %s: expected %s, got %s; worst |Δ| %.4g",
          context, bad, expected.elementCount(), allowed, tolerance, scale,
          Arrays.toString(coordinate(expected.shape().dims(), firstBad)),
          element(expected, firstBad), element(actual, firstBad), worst));
    }
  }

  /** Fails unless both tensors have the same type and bit-identical data. */
  public static void assertBitIdentical(Tensor expected, Tensor actual, String context) {
    if (!expected.type().equals(actual.type())) {
      fail(context + ": expected " + expected.type() + " but got " + actual.type());
    }
    for (int i = 0; i < expected.elementCount(); i++) {
      boolean same = expected.isFloat()
          ? Float.floatToRawIntBits(expected.floatAt(i)) == Float.floatToRawIntBits(actual.floatAt(i))
          : expected.longAt(i) == actual.longAt(i);
      if (!same) {
        fail(context + ": first difference at " + Arrays.toString(coordinate(expected.shape().dims(), i))
            + ": expected " + element(expected, i) + ", got " + element(actual, i));
      }
    }
  }

  /** One element as its type prints it: a ternary of float and long would print both as floats. */
  private static String element(Tensor t, int i) {
    return t.isFloat() ? Float.toString(t.floatAt(i)) : Long.toString(t.longAt(i));
  }

  public static int[] coordinate(int[] dims, int flat) {
    int[] c = new int[dims.length];
    for (int i = dims.length - 1; i >= 0; i--) {
      if (dims[i] > 0) {
        c[i] = flat % dims[i];
        flat /= dims[i];
      }
    }
    return c;
  }
}
