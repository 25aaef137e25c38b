package dev.kiln.compiler.lower;

import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;

/**
 * Accumulates the model's weights into one float array, as the program's kernels read them (packed or
 * transformed where an algorithm needs that). Each block starts on a 16-float (64-byte) boundary so
 * vector loads of a block's start are aligned relative to the array.
 *
 * <p>Every block is padded at its end to that boundary, the last one included, so the array holds
 * exactly {@code Σ roundUp(block, 16)} floats: the algorithm selection adds up what each choice
 * stores ({@link #storedFloats}) and gets the model's weights to the float.
 */
public final class WeightsBlob {
  static final int ALIGN_FLOATS = 16;

  private float[] data = new float[1024];
  private int size;
  private final Map<String, Integer> byKey = new HashMap<>();

  /** Appends {@code values} and returns their offset; a key already added returns the same offset. */
  public int add(String key, float[] values) {
    Integer existing = byKey.get(key);
    if (existing != null) {
      return existing;
    }
    int offset = reserve(values.length);
    System.arraycopy(values, 0, data, offset, values.length);
    byKey.put(key, offset);
    return offset;
  }

  /** The floats a block of {@code floats} takes in the array: itself and its end padding. */
  public static long storedFloats(long floats) {
    return (floats + ALIGN_FLOATS - 1) / ALIGN_FLOATS * ALIGN_FLOATS;
  }

  /** Reserves {@code floats} zeroed floats and returns their offset; the caller fills them via {@link #array()}. */
  public int reserve(int floats) {
    int offset = size;
    long end = offset + storedFloats(floats);
    if (end > Integer.MAX_VALUE - 8) {
      throw new dev.kiln.compiler.KilnException("the model's weights exceed 2^31 floats (8 GiB)");
    }
    if (end > data.length) {
      data = Arrays.copyOf(data, (int) Math.max(end, Math.min(Integer.MAX_VALUE - 8L, data.length * 2L)));
    }
    size = (int) end;
    return offset;
  }

  /** The backing array while building (valid until the next add/reserve). */
  float[] array() {
    return data;
  }

  public int size() {
    return size;
  }

  /** The weights, with the last block's padding. */
  public float[] toArray() {
    return Arrays.copyOf(data, size);
  }
}
