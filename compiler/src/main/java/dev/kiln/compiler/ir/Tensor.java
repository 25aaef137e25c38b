package dev.kiln.compiler.ir;

import dev.kiln.compiler.KilnException;
import java.util.Arrays;
import java.util.Objects;

/**
 * An immutable tensor value: a constant weight, a folded shape tensor, or data flowing through the
 * interpreter. Float data is held as {@code float[]}; int64, int32 and bool as {@code long[]}.
 *
 * <p>Accessors that return arrays return copies. {@link #adopt} is the one way in that does not copy:
 * the caller hands over an array it has just filled and never touches again.
 */
public final class Tensor {
  private final TensorType type;
  private final float[] floats;
  private final long[] longs;

  private Tensor(TensorType type, float[] floats, long[] longs) {
    this.type = type;
    this.floats = floats;
    this.longs = longs;
    int n = type.elementCount();
    int have = floats != null ? floats.length : longs.length;
    if (have != n) {
      throw new KilnException(
          "tensor " + type + " needs " + n + " elements but " + have + " were given");
    }
    if (type.dtype().isFloat() != (floats != null)) {
      throw new IllegalArgumentException("data array does not match " + type.dtype());
    }
  }

  public static Tensor ofFloats(Shape shape, float... data) {
    return new Tensor(new TensorType(DType.FLOAT32, shape), data.clone(), null);
  }

  public static Tensor ofLongs(DType dtype, Shape shape, long... data) {
    if (dtype.isFloat()) {
      throw new IllegalArgumentException("ofLongs needs an integer or bool type, got " + dtype);
    }
    return new Tensor(new TensorType(dtype, shape), null, data.clone());
  }

  /** A 1-D int64 tensor, as shape computations produce. */
  public static Tensor int64Vector(long... data) {
    return ofLongs(DType.INT64, Shape.of(data.length), data);
  }

  public static Tensor scalarFloat(float v) {
    return ofFloats(Shape.SCALAR, v);
  }

  /** Takes ownership of a freshly filled float array, without a copy. */
  public static Tensor adopt(Shape shape, float[] data) {
    return new Tensor(new TensorType(DType.FLOAT32, shape), data, null);
  }

  /** Takes ownership of a freshly filled long array, without a copy. */
  public static Tensor adopt(DType dtype, Shape shape, long[] data) {
    return new Tensor(new TensorType(dtype, shape), null, data);
  }

  /** A zero-filled tensor of the given type. */
  public static Tensor zeros(TensorType type) {
    return type.dtype().isFloat()
        ? new Tensor(type, new float[type.elementCount()], null)
        : new Tensor(type, null, new long[type.elementCount()]);
  }

  public TensorType type() {
    return type;
  }

  public DType dtype() {
    return type.dtype();
  }

  public Shape shape() {
    return type.shape();
  }

  public int elementCount() {
    return type.elementCount();
  }

  public boolean isFloat() {
    return floats != null;
  }

  public float floatAt(int i) {
    return floats != null ? floats[i] : longs[i];
  }

  public long longAt(int i) {
    return longs != null ? longs[i] : (long) floats[i];
  }

  /** A copy of the data as floats (integer data converted). */
  public float[] toFloatArray() {
    if (floats != null) {
      return floats.clone();
    }
    float[] out = new float[longs.length];
    for (int i = 0; i < out.length; i++) {
      out[i] = longs[i];
    }
    return out;
  }

  /** A copy of the data as longs (float data truncated toward zero). */
  public long[] toLongArray() {
    if (longs != null) {
      return longs.clone();
    }
    long[] out = new long[floats.length];
    for (int i = 0; i < out.length; i++) {
      out[i] = (long) floats[i];
    }
    return out;
  }

  /** Copies the float data into {@code dst} at {@code offset}. */
  public void copyFloatsTo(float[] dst, int offset) {
    if (floats != null) {
      System.arraycopy(floats, 0, dst, offset, floats.length);
    } else {
      for (int i = 0; i < longs.length; i++) {
        dst[offset + i] = longs[i];
      }
    }
  }

  /** Same type and bit-identical data. */
  @Override
  public boolean equals(Object o) {
    return o instanceof Tensor t
        && type.equals(t.type)
        && Arrays.equals(floats, t.floats)
        && Arrays.equals(longs, t.longs);
  }

  @Override
  public int hashCode() {
    return Objects.hash(type, Arrays.hashCode(floats), Arrays.hashCode(longs));
  }

  /** The type, and the values when there are few of them (for the printer and error messages). */
  @Override
  public String toString() {
    int n = elementCount();
    if (n > 8) {
      return type.toString();
    }
    StringBuilder sb = new StringBuilder(type.toString()).append('{');
    for (int i = 0; i < n; i++) {
      if (i > 0) {
        sb.append(',');
      }
      if (floats != null) {
        sb.append(floats[i]);
      } else {
        sb.append(longs[i]);
      }
    }
    return sb.append('}').toString();
  }
}
