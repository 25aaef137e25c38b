package dev.kiln.compiler.ops;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.kiln.compiler.KilnException;
import dev.kiln.compiler.exec.GraphInterpreter;
import dev.kiln.compiler.ir.Attributes;
import dev.kiln.compiler.ir.DType;
import dev.kiln.compiler.ir.Graph;
import dev.kiln.compiler.ir.Shape;
import dev.kiln.compiler.ir.Tensor;
import dev.kiln.compiler.ir.TensorType;
import dev.kiln.compiler.testing.Attr;
import dev.kiln.compiler.testing.ModelBuilder;
import dev.kiln.compiler.testing.Oracle;
import dev.kiln.compiler.testing.Tensors;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class GatherTest {
  /**
   * Each case: opset, data shape, axis, index type, index shape ("s" = scalar), indices (negative
   * ones count from the end).
   */
  @ParameterizedTest(name = "[{index}] opset {0} {1} axis {2} {3} {4} {5}")
  @CsvSource({
    "13, 5x4x3, 0, int64, 2, 4:-5",
    "13, 5x4x3, 1, int64, 2x2, 0:3:-1:2",
    "13, 5x4x3, -1, int32, 4, 2:2:0:-3",
    "13, 5x4x3, 2, int64, s, -1",
    "11, 7x2, 0, int32, s, 6",
    "7, 7x2, 1, int64, 3, 1:0:1",
    "13, 6, 0, int64, 1x3, 5:0:-6",
    "13, 2x3x4x5, -2, int64, 2x1, 3:-4",
  })
  void matchesOrt(int opset, String shape, int axis, String indexType, String indexShape,
      String indices) {
    int[] dims = Arrays.stream(shape.split("x")).mapToInt(Integer::parseInt).toArray();
    int[] idxDims = indexShape.equals("s")
        ? new int[0]
        : Arrays.stream(indexShape.split("x")).mapToInt(Integer::parseInt).toArray();
    long[] values = Arrays.stream(indices.split(":")).mapToLong(Long::parseLong).toArray();
    DType type = indexType.equals("int32") ? DType.INT32 : DType.INT64;
    ModelBuilder b = new ModelBuilder(opset)
        .input("x", dims)
        .input("i", type, idxDims)
        .node("Gather", List.of("x", "i"), List.of("y"), Attr.i("axis", axis))
        .output("y");
    Oracle.assertMatchesOrt(b.build(), Map.of("x", Tensors.random(90, dims),
        "i", Tensor.ofLongs(type, Shape.of(idxDims), values)), "Gather " + shape + " " + indices);
  }

  /** Exporters pick a dimension out of Shape's int64 result. */
  @Test
  void int64DataMatchesOrt() {
    ModelBuilder b = new ModelBuilder(13)
        .input("x", DType.INT64, 4)
        .initializer("i", Tensor.ofLongs(DType.INT64, Shape.SCALAR, -2))
        .node("Gather", List.of("x", "i"), List.of("y"))
        .output("y");
    Oracle.assertMatchesOrt(b.build(),
        Map.of("x", Tensors.ints(DType.INT64, new int[] {4}, 1, 3, 224, 224)), "Gather int64");
  }

  @Test
  void infersShapeFromIndices() {
    Graph g = new ModelBuilder(13)
        .input("x", 5, 4, 3)
        .input("i", DType.INT64, 2, 7)
        .node("Gather", List.of("x", "i"), List.of("y"), Attr.i("axis", 1))
        .output("y")
        .importGraph();
    assertEquals(TensorType.float32(5, 2, 7, 3), g.type("y"));
  }

  @Test
  void knownIndexOutOfRangeIsAnError() {
    ModelBuilder b = new ModelBuilder(13)
        .input("x", 5, 4)
        .initializer("i", Tensors.int64(1, -6))
        .namedNode("g", "Gather", List.of("x", "i"), List.of("y"))
        .output("y");
    KilnException e = assertThrows(KilnException.class, b::importGraph);
    assertEquals("test.onnx: node 'g' (Gather, opset 13): index -6 is out of range for axis 0 of"
        + " length 5", e.getMessage());
  }

  @Test
  void runTimeIndexOutOfRangeIsAnError() {
    Graph g = new ModelBuilder(13)
        .input("x", 5, 4)
        .input("i", DType.INT64, 1)
        .namedNode("g", "Gather", List.of("x", "i"), List.of("y"), Attr.i("axis", 1))
        .output("y")
        .importGraph();
    KilnException e = assertThrows(KilnException.class, () -> GraphInterpreter.run(g, Map.of(
        "x", Tensors.random(91, 5, 4), "i", Tensors.int64(4))));
    assertEquals("test.onnx: node 'g' (Gather, opset 13): index 4 is out of range for axis 1 of"
        + " length 4", e.getMessage());
  }

  @Test
  void floatIndicesAreAnError() {
    ModelBuilder b = new ModelBuilder(13)
        .input("x", 5, 4)
        .input("i", 2)
        .namedNode("g", "Gather", List.of("x", "i"), List.of("y"))
        .output("y");
    KilnException e = assertThrows(KilnException.class, b::importGraph);
    assertEquals("test.onnx: node 'g' (Gather, opset 13): indices must be int64 or int32, got"
        + " float32", e.getMessage());
  }

  @Test
  void attributesRoundTrip() {
    Gather g = Gather.fromAttributes(Attributes.builder().putInt("axis", -1).build(), 13);
    assertEquals(g, Gather.fromAttributes(g.attributes(), 13));
  }
}
