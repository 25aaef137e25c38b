package dev.kiln.runtime;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import org.junit.jupiter.api.Test;

class TablesTest {
  /** Two chars per int, high 16 bits first, across pieces; the sign and both halves survive. */
  @Test
  void decodesIntsAcrossPieces() {
    String first = "" + (char) 0 + (char) 7 + (char) 0xFFFF + (char) 0xFFFF;
    String second = "" + (char) 0x8000 + (char) 0 + (char) 0x1234 + (char) 0x5678;
    assertArrayEquals(new int[] {7, -1, Integer.MIN_VALUE, 0x12345678},
        Tables.ints(first, second));
    assertArrayEquals(new int[0], Tables.ints());
  }
}
