package dev.kiln.runtime.kernels.reference;

/**
 * Data movement: strided copies (Transpose, Slice, Concat, Split), Gather, and fills. The kernels the
 * compiler's evaluation uses exist over {@code float[]} for activations and over {@code long[]} for
 * the int64/int32 shape tensors exporters compute with; the two twins mirror each other line for
 * line. Those only compiled code calls (a plain copy, Gather by compile-time indices) are float-only:
 * compiled code moves float32 data alone.
 *
 * <p>A strided copy is the one primitive behind the layout operators: it walks {@code dims} in
 * row-major order, reading the source and writing the destination at per-dimension strides (in
 * elements) that the compiler worked out. A transpose permutes the source strides, a slice offsets
 * them and multiplies them by the step (a negative step gives a negative stride), a concat or a split
 * writes or reads one part of a larger tensor with the larger tensor's strides.
 */
public final class ReferenceLayout {
  private ReferenceLayout() {}

  /**
   * {@code dst[dstOff + Σ i_k·dstStrides[k]] = src[srcOff + Σ i_k·srcStrides[k]]} for every index
   * vector {@code i} within {@code dims}. A rank-0 copy moves one element; an empty one none.
   */
  public static void stridedCopy(int[] dims, float[] src, int srcOff, int[] srcStrides,
      float[] dst, int dstOff, int[] dstStrides) {
    if (dims.length == 0) {
      dst[dstOff] = src[srcOff];
      return;
    }
    for (int d : dims) {
      if (d == 0) {
        return;
      }
    }
    walk(dims, 0, src, srcOff, srcStrides, dst, dstOff, dstStrides);
  }

  private static void walk(int[] dims, int axis, float[] src, int srcOff, int[] srcStrides,
      float[] dst, int dstOff, int[] dstStrides) {
    int n = dims[axis];
    int ss = srcStrides[axis];
    int ds = dstStrides[axis];
    if (axis == dims.length - 1) {
      if (ss == 1 && ds == 1) {
        System.arraycopy(src, srcOff, dst, dstOff, n);
        return;
      }
      for (int i = 0; i < n; i++) {
        dst[dstOff + i * ds] = src[srcOff + i * ss];
      }
      return;
    }
    for (int i = 0; i < n; i++) {
      walk(dims, axis + 1, src, srcOff + i * ss, srcStrides, dst, dstOff + i * ds, dstStrides);
    }
  }

  /** The same over integer data. */
  public static void stridedCopy(int[] dims, long[] src, int srcOff, int[] srcStrides,
      long[] dst, int dstOff, int[] dstStrides) {
    if (dims.length == 0) {
      dst[dstOff] = src[srcOff];
      return;
    }
    for (int d : dims) {
      if (d == 0) {
        return;
      }
    }
    walk(dims, 0, src, srcOff, srcStrides, dst, dstOff, dstStrides);
  }

  private static void walk(int[] dims, int axis, long[] src, int srcOff, int[] srcStrides,
      long[] dst, int dstOff, int[] dstStrides) {
    int n = dims[axis];
    int ss = srcStrides[axis];
    int ds = dstStrides[axis];
    if (axis == dims.length - 1) {
      if (ss == 1 && ds == 1) {
        System.arraycopy(src, srcOff, dst, dstOff, n);
        return;
      }
      for (int i = 0; i < n; i++) {
        dst[dstOff + i * ds] = src[srcOff + i * ss];
      }
      return;
    }
    for (int i = 0; i < n; i++) {
      walk(dims, axis + 1, src, srcOff + i * ss, srcStrides, dst, dstOff + i * ds, dstStrides);
    }
  }

  /**
   * Gather along one axis, with {@code data} viewed as {@code [outer, axisLength, inner]}:
   * {@code out[o, j, n] = data[o, indices[j], n]} for {@code j < indexCount}. A negative index counts
   * from the end of the axis.
   *
   * @throws IndexOutOfBoundsException for an index outside {@code [-axisLength, axisLength)}
   */
  public static void gather(int outer, int axisLength, int inner, float[] data, int dataOff,
      long[] indices, int indicesOff, int indexCount, float[] out, int outOff) {
    int written = outOff;
    for (int o = 0; o < outer; o++) {
      int base = dataOff + o * axisLength * inner;
      for (int j = 0; j < indexCount; j++) {
        int row = checkedIndex(indices[indicesOff + j], axisLength);
        System.arraycopy(data, base + row * inner, out, written, inner);
        written += inner;
      }
    }
  }

  /** The same over integer data. */
  public static void gather(int outer, int axisLength, int inner, long[] data, int dataOff,
      long[] indices, int indicesOff, int indexCount, long[] out, int outOff) {
    int written = outOff;
    for (int o = 0; o < outer; o++) {
      int base = dataOff + o * axisLength * inner;
      for (int j = 0; j < indexCount; j++) {
        int row = checkedIndex(indices[indicesOff + j], axisLength);
        System.arraycopy(data, base + row * inner, out, written, inner);
        written += inner;
      }
    }
  }

  /**
   * Gather with indices fixed at compile time, as compiled code holds them (an {@code int[]}
   * constant; compiled code moves float32 data only, so this has no integer twin).
   */
  public static void gather(int outer, int axisLength, int inner, float[] data, int dataOff,
      int[] indices, float[] out, int outOff) {
    int written = outOff;
    for (int o = 0; o < outer; o++) {
      int base = dataOff + o * axisLength * inner;
      for (int index : indices) {
        int row = checkedIndex(index, axisLength);
        System.arraycopy(data, base + row * inner, out, written, inner);
        written += inner;
      }
    }
  }

  /** The index made non-negative; a bad index would otherwise silently read a neighbouring row. */
  private static int checkedIndex(long index, int axisLength) {
    if (index < -axisLength || index >= axisLength) {
      throw new IndexOutOfBoundsException(
          "index " + index + " is out of range [-" + axisLength + ", " + axisLength + ")");
    }
    return (int) (index < 0 ? index + axisLength : index);
  }

  /** {@code count} contiguous elements; the ranges must not overlap. */
  public static void copy(float[] src, int srcOff, float[] dst, int dstOff, int count) {
    System.arraycopy(src, srcOff, dst, dstOff, count);
  }

  public static void fill(float value, float[] out, int outOff, int count) {
    for (int i = 0; i < count; i++) {
      out[outOff + i] = value;
    }
  }

  public static void fill(long value, long[] out, int outOff, int count) {
    for (int i = 0; i < count; i++) {
      out[outOff + i] = value;
    }
  }
}
