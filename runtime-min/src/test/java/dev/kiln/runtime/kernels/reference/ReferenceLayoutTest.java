package dev.kiln.runtime.kernels.reference;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

/** The float-only kernels compiled code calls, against the twins the compiler's evaluation uses. */
class ReferenceLayoutTest {
  /** data [2, 5, 3] with data[i] = i. */
  private static float[] data() {
    float[] data = new float[30];
    for (int i = 0; i < data.length; i++) {
      data[i] = i;
    }
    return data;
  }

  @Test
  void gatherByCompileTimeIndicesMatchesTheInt64Twin() {
    int[] indices = {4, 0, -2, 1, -5};
    long[] longIndices = {4, 0, -2, 1, -5};
    float[] expected = new float[2 + 2 * 5 * 3];
    float[] actual = new float[expected.length];
    ReferenceLayout.gather(2, 5, 3, data(), 0, longIndices, 0, 5, expected, 2);
    ReferenceLayout.gather(2, 5, 3, data(), 0, indices, actual, 2);
    assertArrayEquals(expected, actual);
    // Row 4 of the first outer slice, then row 0.
    assertEquals(12f, actual[2]);
    assertEquals(0f, actual[5]);
  }

  @Test
  void gatherRejectsAnIndexOutsideTheAxis() {
    IndexOutOfBoundsException e = assertThrows(IndexOutOfBoundsException.class,
        () -> ReferenceLayout.gather(2, 5, 3, data(), 0, new int[] {5}, new float[6], 0));
    assertEquals("index 5 is out of range [-5, 5)", e.getMessage());
  }

  @Test
  void copyMovesOneRange() {
    float[] out = {-1, -1, -1, -1};
    ReferenceLayout.copy(data(), 7, out, 1, 2);
    assertArrayEquals(new float[] {-1, 7, 8, -1}, out);
  }
}
