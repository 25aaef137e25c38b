package dev.kiln.runtime.kernels.fast;

import dev.kiln.runtime.kernels.reference.ReferenceSoftmax;

/**
 * Softmax over the last axis of a tensor viewed as {@code [rows, size]}: {@link
 * ReferenceSoftmax#softmax} with {@code inner = 1}, bit for bit (the same maximum, {@code exp} in
 * double rounded to float, sequential sum and division), but walking each row contiguously instead
 * of by a stride, and with the exponentials computed once. Allocation-free; {@code out} may be
 * {@code in}.
 */
public final class Softmax {
  private Softmax() {}

  public static void lastAxis(int rows, int size, float[] in, int inOff, float[] out, int outOff) {
    for (int r = 0; r < rows; r++) {
      int src = inOff + r * size;
      int dst = outOff + r * size;
      float max = Float.NEGATIVE_INFINITY;
      for (int i = 0; i < size; i++) {
        max = Math.max(max, in[src + i]);
      }
      float sum = 0f;
      for (int i = 0; i < size; i++) {
        float e = (float) Math.exp(in[src + i] - max);
        out[dst + i] = e;
        sum += e;
      }
      for (int i = 0; i < size; i++) {
        out[dst + i] /= sum;
      }
    }
  }
}
