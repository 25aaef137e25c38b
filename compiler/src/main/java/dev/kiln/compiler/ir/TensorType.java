package dev.kiln.compiler.ir;

import java.util.Objects;

/** Element type and static shape of a value. */
public record TensorType(DType dtype, Shape shape) {
  public TensorType {
    Objects.requireNonNull(dtype, "dtype");
    Objects.requireNonNull(shape, "shape");
  }

  public static TensorType float32(int... dims) {
    return new TensorType(DType.FLOAT32, Shape.of(dims));
  }

  public static TensorType of(DType dtype, Shape shape) {
    return new TensorType(dtype, shape);
  }

  public int rank() {
    return shape.rank();
  }

  public int elementCount() {
    return shape.elementCount();
  }

  public long byteSize() {
    return (long) shape.elementCount() * dtype.byteSize();
  }

  public TensorType withShape(Shape s) {
    return new TensorType(dtype, s);
  }

  /** {@code float32[1,3,224,224]}. */
  @Override
  public String toString() {
    return dtype + shape.toString();
  }
}
