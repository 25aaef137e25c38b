package dev.kiln.compiler.testing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.kiln.compiler.ir.DType;
import dev.kiln.compiler.ir.Shape;
import dev.kiln.compiler.ir.Tensor;
import org.junit.jupiter.api.Test;
import org.opentest4j.AssertionFailedError;

/** The assertions every numeric test relies on must fail, and say where. */
class TensorAssertTest {
  @Test
  void integerDifferencesPrintAsIntegers() {
    Tensor expected = Tensor.ofLongs(DType.INT64, Shape.of(2), 1, 123456789012L);
    Tensor actual = Tensor.ofLongs(DType.INT64, Shape.of(2), 1, 123456789013L);
    AssertionFailedError e = assertThrows(AssertionFailedError.class,
        () -> TensorAssert.assertBitIdentical(expected, actual, "ints"));
    assertEquals("ints: first difference at [1]: expected 123456789012, got 123456789013",
        e.getMessage());
    AssertionFailedError close = assertThrows(AssertionFailedError.class,
        () -> TensorAssert.assertClose(Tensor.int64Vector(3, 4), Tensor.int64Vector(3, 9), 0, "c"));
    assertEquals("c: 1 of 2 elements differ by more than 0.00 (tolerance 0 × scale 4.000);"
        + " first at [1]: expected 4, got 9; worst |Δ| 5.000", close.getMessage());
  }

  @Test
  void floatDifferencesNameTheCoordinate() {
    Tensor expected = Tensor.ofFloats(Shape.of(2, 2), 1, 2, 3, 4);
    Tensor actual = Tensor.ofFloats(Shape.of(2, 2), 1, 2, 3.5f, 4);
    AssertionFailedError e = assertThrows(AssertionFailedError.class,
        () -> TensorAssert.assertBitIdentical(expected, actual, "f"));
    assertEquals("f: first difference at [1, 0]: expected 3.0, got 3.5", e.getMessage());
    TensorAssert.assertClose(expected, actual, 0.2, "within 0.2 × 4");
  }
}
