package dev.kiln.runtime.kernels.reference;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class ReferenceUnaryTest {
  /**
   * Values of erf to double precision (CPython's math.erf, which agrees with tables to the last
   * digit). The points straddle 2.5, where the kernel switches from the series to the continued
   * fraction, and reach the tail where 1 − erf(x) is far below float precision.
   */
  @ParameterizedTest(name = "erf({0}) = {1}")
  @CsvSource({
    "0.0, 0.0",
    "1e-8, 1.1283791670955126e-08",
    "0.1, 0.1124629160182849",
    "0.5, 0.5204998778130465",
    "-0.75, -0.7111556336535151",
    "1.0, 0.8427007929497149",
    "1.5, 0.9661051464753108",
    "2.0, 0.9953222650189527",
    "2.4999, 0.9995928300996666",
    "2.5, 0.999593047982555",
    "-2.5, -0.999593047982555",
    "2.5001, 0.9995932657565293",
    "3.0, 0.9999779095030014",
    "4.0, 0.9999999845827421",
    "5.0, 0.9999999999984626",
    "6.5, 1.0",
  })
  void erfMatchesKnownValues(double x, double expected) {
    assertEquals(expected, ReferenceUnary.erf(x), 1e-14, "erf(" + x + ")");
  }

  /** Where erf is nearly ±1, the error that matters is relative to 1 − |erf|. */
  @ParameterizedTest(name = "erfc({0}) = {1}")
  @CsvSource({
    "3.0, 2.2090496998585438e-05",
    "4.0, 1.541725790028002e-08",
    "5.0, 1.5374597944280351e-12",
  })
  void tailKeepsRelativeAccuracy(double x, double erfc) {
    double actual = 1.0 - ReferenceUnary.erf(x);
    assertEquals(erfc, actual, 1e-4 * erfc, "1 - erf(" + x + ")");
  }

  @Test
  void erfIsOddAndHandlesSpecialValues() {
    for (double x = 0.0; x < 7.0; x += 0.0625) {
      assertEquals(-ReferenceUnary.erf(x), ReferenceUnary.erf(-x), 0.0, "erf(-" + x + ")");
    }
    assertEquals(1.0, ReferenceUnary.erf(Double.POSITIVE_INFINITY), 0.0);
    assertEquals(-1.0, ReferenceUnary.erf(Double.NEGATIVE_INFINITY), 0.0);
    assertTrue(Double.isNaN(ReferenceUnary.erf(Double.NaN)));
  }

  @Test
  void erfIsMonotoneAcrossTheBranchSwitch() {
    double previous = ReferenceUnary.erf(2.49);
    for (double x = 2.49; x <= 2.51; x += 1e-4) {
      double v = ReferenceUnary.erf(x);
      assertTrue(v >= previous, "erf decreases at " + x + ": " + previous + " then " + v);
      previous = v;
    }
  }

  @Test
  void floatKernelRoundsTheDoubleResultInPlace() {
    float[] data = {-3f, -0.5f, 0f, 0.5f, 1f, 2.5f, Float.NaN};
    float[] expected = new float[data.length];
    for (int i = 0; i < data.length; i++) {
      expected[i] = (float) ReferenceUnary.erf((double) data[i]);
    }
    ReferenceUnary.erf(data, 1, data, 1, data.length - 1);
    assertEquals(-3f, data[0], 0f, "element before the range is untouched");
    for (int i = 1; i < data.length; i++) {
      assertEquals(expected[i], data[i], 0f, "element " + i);
    }
    assertEquals(0.52049988f, data[3], 0f);
  }
}
