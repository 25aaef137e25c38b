package dev.kiln.runtime;

import java.util.Arrays;
import java.util.Objects;

/**
 * A model input or output: its name, its shape, and where its data sits in a session's arena.
 * Immutable.
 */
public final class TensorInfo {
  private final String name;
  private final int[] shape;
  private final int elements;
  private final int arenaOffset;

  /** @param arenaOffset in floats */
  public TensorInfo(String name, int[] shape, int arenaOffset) {
    this.name = Objects.requireNonNull(name, "name");
    this.shape = shape.clone();
    long n = 1;
    for (int d : shape) {
      if (d < 0) {
        throw new IllegalArgumentException("negative dimension in " + Arrays.toString(shape));
      }
      n *= d;
    }
    if (n > Integer.MAX_VALUE) {
      throw new IllegalArgumentException("shape " + Arrays.toString(shape) + " is too large");
    }
    this.elements = (int) n;
    this.arenaOffset = arenaOffset;
  }

  public String name() {
    return name;
  }

  public int[] shape() {
    return shape.clone();
  }

  public int elements() {
    return elements;
  }

  /** Where the data sits in the arena, in floats (for generated code and tools). */
  public int arenaOffset() {
    return arenaOffset;
  }

  @Override
  public String toString() {
    return name + Arrays.toString(shape);
  }
}
