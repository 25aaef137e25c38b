package dev.kiln.compiler.ops;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.kiln.compiler.KilnException;
import dev.kiln.compiler.ir.DType;
import dev.kiln.compiler.ir.Graph;
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
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The shape arithmetic exporters emit around Reshape (PyTorch's {@code x.view(x.size(0), -1)}):
 * every node after Shape sees only known inputs, so it is evaluated while typing and Reshape gets a
 * static target.
 */
class ShapeSubgraphTest {
  /** Shape → Gather(0) → Unsqueeze → Concat(·, [-1]) → Reshape: {@code [N, -1]}. */
  private static ModelBuilder flatten(int opset) {
    ModelBuilder b = new ModelBuilder(opset)
        .input("x", 2, 3, 4, 5)
        .initializer("zero", Tensor.ofLongs(DType.INT64, Shape.SCALAR, 0))
        .initializer("minusOne", Tensors.int64(-1))
        .node("Shape", List.of("x"), List.of("shape"))
        .node("Gather", List.of("shape", "zero"), List.of("batch"), Attr.i("axis", 0));
    if (opset >= 13) {
      b.initializer("axes", Tensors.int64(0))
          .node("Unsqueeze", List.of("batch", "axes"), List.of("batch1"));
    } else {
      b.node("Unsqueeze", List.of("batch"), List.of("batch1"), Attr.ints("axes", 0));
    }
    return b.node("Concat", List.of("batch1", "minusOne"), List.of("target"), Attr.i("axis", 0))
        .node("Reshape", List.of("x", "target"), List.of("y"))
        .output("y");
  }

  @ParameterizedTest(name = "opset {0}")
  @ValueSource(ints = {11, 13, 21})
  void flattenSubgraphTypesStatically(int opset) {
    Graph g = flatten(opset).importGraph();
    assertEquals(TensorType.of(DType.INT64, Shape.of(2)), g.type("target"));
    assertEquals(TensorType.float32(2, 60), g.type("y"));
  }

  @ParameterizedTest(name = "opset {0}")
  @ValueSource(ints = {11, 13, 21})
  void flattenSubgraphMatchesOrt(int opset) {
    Oracle.assertMatchesOrt(flatten(opset).build(), Map.of("x", Tensors.random(120, 2, 3, 4, 5)),
        "Shape→Gather→Unsqueeze→Concat→Reshape");
  }

  /** Shape → Slice[2:] → Concat([1, -1], ·) → Reshape, with a Squeeze/Transpose tail. */
  @Test
  void sliceSubgraphMatchesOrt() {
    ModelBuilder b = new ModelBuilder(13)
        .input("x", 2, 3, 4, 5)
        .initializer("starts", Tensors.int64(2))
        .initializer("ends", Tensors.int64(Long.MAX_VALUE))
        .initializer("head", Tensors.int64(1, -1))
        .node("Shape", List.of("x"), List.of("shape"))
        .node("Slice", List.of("shape", "starts", "ends"), List.of("spatial"))
        .node("Concat", List.of("head", "spatial"), List.of("target"), Attr.i("axis", 0))
        .node("Reshape", List.of("x", "target"), List.of("r"))
        .node("Squeeze", List.of("r"), List.of("s"))
        .node("Transpose", List.of("s"), List.of("y"), Attr.ints("perm", 1, 2, 0))
        .output("y");
    assertEquals(TensorType.float32(4, 5, 6), b.importGraph().type("y"));
    Oracle.assertMatchesOrt(b.build(), Map.of("x", Tensors.random(121, 2, 3, 4, 5)),
        "Shape→Slice→Concat→Reshape");
  }

  @Test
  void reshapeTargetComputedAtRunTimeIsAnError() {
    ModelBuilder b = new ModelBuilder(13)
        .input("x", 2, 3)
        .input("target", DType.INT64, 2)
        .namedNode("r", "Reshape", List.of("x", "target"), List.of("y"))
        .output("y");
    KilnException e = assertThrows(KilnException.class, b::importGraph);
    assertEquals("test.onnx: node 'r' (Reshape, opset 13): input 1 (shape) must be known at compile"
        + " time (a constant or a computation on static shapes)", e.getMessage());
  }

  /** Data that is only known at run time poisons the target even after layout operators. */
  @Test
  void targetDerivedFromRunTimeDataIsAnError() {
    ModelBuilder b = new ModelBuilder(13)
        .input("x", 2, 3)
        .input("dims", DType.INT64, 3)
        .initializer("starts", Tensors.int64(1))
        .initializer("ends", Tensors.int64(3))
        .node("Slice", List.of("dims", "starts", "ends"), List.of("target"))
        .namedNode("r", "Reshape", List.of("x", "target"), List.of("y"))
        .output("y");
    KilnException e = assertThrows(KilnException.class, b::importGraph);
    assertEquals("test.onnx: node 'r' (Reshape, opset 13): input 1 (shape) must be known at compile"
        + " time (a constant or a computation on static shapes)", e.getMessage());
  }
}
