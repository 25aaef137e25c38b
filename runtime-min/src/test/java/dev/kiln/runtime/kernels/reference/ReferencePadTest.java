package dev.kiln.runtime.kernels.reference;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import org.junit.jupiter.api.Test;

class ReferencePadTest {
  @Test
  void padWithAValueFromAnArrayMatchesTheLiteralValue() {
    float[] in = {1, 2, 3};
    float[] expected = new float[6];
    float[] actual = new float[6];
    int[] view = {3};
    int[] strides = {1};
    int[] before = {1};
    int[] outDims = {6};
    ReferencePad.pad(ReferencePad.Mode.CONSTANT, 9.5f, view, strides, before, outDims, strides, in,
        0, expected, 0);
    ReferencePad.pad(ReferencePad.Mode.CONSTANT, new float[] {0, 9.5f}, 1, view, strides, before,
        outDims, strides, in, 0, actual, 0);
    assertArrayEquals(new float[] {9.5f, 1, 2, 3, 9.5f, 9.5f}, expected);
    assertArrayEquals(expected, actual);
  }
}
