package dev.kiln.compiler.ops;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.kiln.compiler.KilnException;
import dev.kiln.compiler.ir.Attributes;
import dev.kiln.compiler.ir.DType;
import dev.kiln.compiler.ir.Shape;
import dev.kiln.compiler.ir.Tensor;
import dev.kiln.compiler.ir.TensorType;
import dev.kiln.compiler.testing.Attr;
import dev.kiln.compiler.testing.ModelBuilder;
import dev.kiln.compiler.testing.Oracle;
import dev.kiln.compiler.testing.Tensors;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ConstantOfShapeTest {
  /** Default value: float32 zeros; added to x so the graph has an input to feed. */
  @Test
  void defaultValueMatchesOrt() {
    ModelBuilder b = new ModelBuilder(9)
        .input("x", 2, 3)
        .initializer("shape", Tensors.int64(2, 3))
        .node("ConstantOfShape", List.of("shape"), List.of("zeros"))
        .node("Add", List.of("x", "zeros"), List.of("y"))
        .output("y");
    Oracle.assertMatchesOrt(b.build(), Map.of("x", Tensors.random(100, 2, 3)), "ConstantOfShape");
  }

  /** The shape comes from Shape(x); the value is an int64 tensor attribute. */
  @Test
  void int64ValueFromShapeMatchesOrt() {
    ModelBuilder b = new ModelBuilder(21)
        .input("x", 2, 3, 4)
        .node("Shape", List.of("x"), List.of("s"))
        .node("ConstantOfShape", List.of("s"), List.of("y"),
            Attr.tensor("value", Tensor.ofLongs(DType.INT64, Shape.of(1), -3)))
        .output("y");
    Oracle.assertMatchesOrt(b.build(), Map.of("x", Tensors.random(101, 2, 3, 4)),
        "ConstantOfShape int64");
  }

  @Test
  void floatValueAndEmptyShapeGiveAScalar() {
    ModelBuilder b = new ModelBuilder(13)
        .input("x")
        .initializer("shape", Tensor.ofLongs(DType.INT64, Shape.of(0)))
        .node("ConstantOfShape", List.of("shape"), List.of("c"),
            Attr.tensor("value", Tensor.ofFloats(Shape.of(1), 2.5f)))
        .node("Mul", List.of("x", "c"), List.of("y"))
        .output("y");
    Oracle.assertMatchesOrt(b.build(), Map.of("x", Tensors.scalar(3f)), "ConstantOfShape scalar");
    assertEquals(TensorType.float32(), b.importGraph().type("c"));
  }

  @Test
  void shapeComputedAtRunTimeIsAnError() {
    ModelBuilder b = new ModelBuilder(13)
        .input("shape", DType.INT64, 2)
        .namedNode("c", "ConstantOfShape", List.of("shape"), List.of("y"))
        .output("y");
    KilnException e = assertThrows(KilnException.class, b::importGraph);
    assertEquals("test.onnx: node 'c' (ConstantOfShape, opset 13): input 0 (shape) must be known at"
        + " compile time (a constant or a computation on static shapes)", e.getMessage());
  }

  @Test
  void negativeDimensionIsAnError() {
    ModelBuilder b = new ModelBuilder(13)
        .initializer("shape", Tensors.int64(2, -1))
        .namedNode("c", "ConstantOfShape", List.of("shape"), List.of("y"))
        .output("y");
    KilnException e = assertThrows(KilnException.class, b::importGraph);
    assertEquals("test.onnx: node 'c' (ConstantOfShape, opset 13): shape [2, -1] has a negative"
        + " dimension", e.getMessage());
  }

  @Test
  void attributesRoundTrip() {
    ConstantOfShape c = ConstantOfShape.fromAttributes(Attributes.EMPTY, 9);
    assertEquals(ConstantOfShape.DEFAULT_VALUE, c.value());
    assertEquals(c, ConstantOfShape.fromAttributes(c.attributes(), 9));
  }
}
