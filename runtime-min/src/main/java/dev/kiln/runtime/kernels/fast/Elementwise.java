package dev.kiln.runtime.kernels.fast;

import dev.kiln.runtime.kernels.reference.ReferenceBinary;

/**
 * Elementwise operations on operands of the same shape: a flat loop where {@link ReferenceBinary}
 * walks broadcast strides dimension by dimension. Same float operations, so the same results bit
 * for bit. Allocation-free; the operands may be the same array (an arena) at any offsets, including
 * {@code out} equal to one of the inputs.
 */
public final class Elementwise {
  private Elementwise() {}

  /** {@code out[i] = a[i] + b[i]} for {@code i < count}. */
  public static void add(float[] a, int aOff, float[] b, int bOff, float[] out, int outOff,
      int count) {
    for (int i = 0; i < count; i++) {
      out[outOff + i] = a[aOff + i] + b[bOff + i];
    }
  }

  /** {@code out[i] = max(a[i] + b[i], +0)}: a residual add with the ReLU that follows it fused. */
  public static void addRelu(float[] a, int aOff, float[] b, int bOff, float[] out, int outOff,
      int count) {
    for (int i = 0; i < count; i++) {
      out[outOff + i] = Math.max(a[aOff + i] + b[bOff + i], 0f);
    }
  }
}
