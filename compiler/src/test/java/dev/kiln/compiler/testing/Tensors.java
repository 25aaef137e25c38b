package dev.kiln.compiler.testing;

import dev.kiln.compiler.ir.DType;
import dev.kiln.compiler.ir.Shape;
import dev.kiln.compiler.ir.Tensor;
import java.util.SplittableRandom;

/** Seeded test data. */
public final class Tensors {
  private Tensors() {}

  /** Uniform in [-1, 1). */
  public static Tensor random(long seed, int... dims) {
    return uniform(seed, -1f, 1f, dims);
  }

  public static Tensor uniform(long seed, float lo, float hi, int... dims) {
    Shape s = Shape.of(dims);
    SplittableRandom r = new SplittableRandom(seed);
    float[] data = new float[s.elementCount()];
    for (int i = 0; i < data.length; i++) {
      data[i] = (float) (lo + (hi - lo) * r.nextDouble());
    }
    return Tensor.adopt(s, data);
  }

  public static Tensor int64(long... values) {
    return Tensor.int64Vector(values);
  }

  public static Tensor scalar(float v) {
    return Tensor.scalarFloat(v);
  }

  public static Tensor ints(DType dtype, int[] dims, long... values) {
    return Tensor.ofLongs(dtype, Shape.of(dims), values);
  }
}
