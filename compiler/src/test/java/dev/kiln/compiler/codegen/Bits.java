package dev.kiln.compiler.codegen;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;

/** Bit-for-bit comparison of float outputs. */
final class Bits {
  private Bits() {}

  static void assertBitIdentical(float[] expected, float[] actual, String what) {
    assertEquals(expected.length, actual.length, what + ": length");
    for (int i = 0; i < expected.length; i++) {
      if (Float.floatToRawIntBits(expected[i]) != Float.floatToRawIntBits(actual[i])) {
        fail(what + ": first difference at element " + i + ": expected " + expected[i] + " (0x"
            + Integer.toHexString(Float.floatToRawIntBits(expected[i])) + ") but was " + actual[i]
            + " (0x" + Integer.toHexString(Float.floatToRawIntBits(actual[i])) + ")");
      }
    }
  }
}
