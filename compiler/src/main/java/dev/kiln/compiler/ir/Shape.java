package dev.kiln.compiler.ir;

import dev.kiln.compiler.KilnException;
import java.util.Arrays;
import java.util.List;

/** A static tensor shape. Immutable; every dimension is non-negative and the element count fits a Java array. */
public final class Shape {
  /** The most elements one tensor may hold: a Java array's practical limit. */
  public static final long MAX_ELEMENTS = Integer.MAX_VALUE - 8;

  public static final Shape SCALAR = new Shape(new int[0]);

  private final int[] dims;
  private final long elementCount;

  private Shape(int[] dims) {
    long count = 1;
    for (int d : dims) {
      if (d < 0) {
        throw new KilnException("negative dimension in shape " + Arrays.toString(dims));
      }
      count *= d;
      if (count > MAX_ELEMENTS) {
        throw new KilnException(
            "shape " + Arrays.toString(dims) + " has more than " + MAX_ELEMENTS + " elements");
      }
    }
    this.dims = dims;
    this.elementCount = count;
  }

  public static Shape of(int... dims) {
    return new Shape(dims.clone());
  }

  public static Shape of(List<? extends Number> dims) {
    int[] d = new int[dims.size()];
    for (int i = 0; i < d.length; i++) {
      d[i] = checkedDim(dims.get(i).longValue(), dims);
    }
    return new Shape(d);
  }

  /** From 64-bit dimensions as ONNX stores them; rejects values that cannot be a Java array size. */
  public static Shape ofLongs(long... dims) {
    int[] d = new int[dims.length];
    for (int i = 0; i < d.length; i++) {
      d[i] = checkedDim(dims[i], Arrays.toString(dims));
    }
    return new Shape(d);
  }

  private static int checkedDim(long d, Object all) {
    if (d < 0 || d > MAX_ELEMENTS) {
      throw new KilnException("dimension " + d + " out of range in shape " + all);
    }
    return (int) d;
  }

  public int rank() {
    return dims.length;
  }

  /** Dimension {@code axis}; a negative axis counts from the end as in ONNX. */
  public int dim(int axis) {
    return dims[axis < 0 ? axis + dims.length : axis];
  }

  public int[] dims() {
    return dims.clone();
  }

  public long[] longDims() {
    long[] d = new long[dims.length];
    for (int i = 0; i < d.length; i++) {
      d[i] = dims[i];
    }
    return d;
  }

  /** Number of elements; fits an int by construction. */
  public int elementCount() {
    return (int) elementCount;
  }

  /** Product of the dimensions in [from, to). */
  public int product(int from, int to) {
    int p = 1;
    for (int i = from; i < to; i++) {
      p *= dims[i];
    }
    return p;
  }

  /** Row-major strides in elements. */
  public int[] strides() {
    int[] s = new int[dims.length];
    int stride = 1;
    for (int i = dims.length - 1; i >= 0; i--) {
      s[i] = stride;
      stride *= dims[i];
    }
    return s;
  }

  /** A copy with dimension {@code axis} replaced. */
  public Shape withDim(int axis, int value) {
    int[] d = dims.clone();
    d[axis < 0 ? axis + d.length : axis] = value;
    return new Shape(d);
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof Shape s && Arrays.equals(dims, s.dims);
  }

  @Override
  public int hashCode() {
    return Arrays.hashCode(dims);
  }

  /** {@code [1,3,224,224]}. */
  @Override
  public String toString() {
    StringBuilder sb = new StringBuilder("[");
    for (int i = 0; i < dims.length; i++) {
      if (i > 0) {
        sb.append(',');
      }
      sb.append(dims[i]);
    }
    return sb.append(']').toString();
  }

  /** {@code 1x3x224x224}, the CLI's notation; a scalar is the empty string. */
  public String toDimsString() {
    StringBuilder sb = new StringBuilder();
    for (int i = 0; i < dims.length; i++) {
      if (i > 0) {
        sb.append('x');
      }
      sb.append(dims[i]);
    }
    return sb.toString();
  }

  /** Parses the CLI's {@code 1x3x224x224} notation. */
  public static Shape parseDims(String text) {
    String t = text.trim();
    if (t.isEmpty()) {
      return SCALAR;
    }
    String[] parts = t.split("[x,]");
    long[] d = new long[parts.length];
    for (int i = 0; i < parts.length; i++) {
      try {
        d[i] = Long.parseLong(parts[i].trim());
      } catch (NumberFormatException e) {
        throw new KilnException("bad shape '" + text + "': expected dimensions like 1x3x224x224");
      }
    }
    return ofLongs(d);
  }
}
