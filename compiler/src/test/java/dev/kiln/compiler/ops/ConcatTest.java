package dev.kiln.compiler.ops;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.kiln.compiler.KilnException;
import dev.kiln.compiler.ir.Attributes;
import dev.kiln.compiler.ir.DType;
import dev.kiln.compiler.ir.Graph;
import dev.kiln.compiler.ir.Tensor;
import dev.kiln.compiler.ir.TensorType;
import dev.kiln.compiler.testing.Attr;
import dev.kiln.compiler.testing.ModelBuilder;
import dev.kiln.compiler.testing.Oracle;
import dev.kiln.compiler.testing.Tensors;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class ConcatTest {
  /** Each case: opset, the inputs' shapes (lengths along the axis vary), axis. */
  @ParameterizedTest(name = "[{index}] opset {0} {1} axis {2}")
  @CsvSource({
    "13, 2x3x5 2x4x5, 1",
    "13, 2x3x5 2x3x1 2x3x7, -1",
    "11, 1x3x4x4 2x3x4x4 3x3x4x4, 0",
    "7, 1x2x3x3 1x5x3x3, 1",
    "13, 3x2 3x0 3x5, 1",
    "13, 7 11 1, 0",
    "13, 1x1x1x1 1x1x1x1, -3",
  })
  void matchesOrt(int opset, String shapes, int axis) {
    ModelBuilder b = new ModelBuilder(opset);
    Map<String, Tensor> inputs = new LinkedHashMap<>();
    List<String> names = new ArrayList<>();
    String[] parts = shapes.split(" ");
    for (int i = 0; i < parts.length; i++) {
      int[] dims = Arrays.stream(parts[i].split("x")).mapToInt(Integer::parseInt).toArray();
      String name = "x" + i;
      b.input(name, dims);
      inputs.put(name, Tensors.random(20 + i, dims));
      names.add(name);
    }
    b.node("Concat", names, List.of("y"), Attr.i("axis", axis)).output("y");
    Oracle.assertMatchesOrt(b.build(), inputs, "Concat " + shapes + " axis " + axis);
  }

  /** Shape vectors are int64; exporters concatenate them to build Reshape targets. */
  @Test
  void int64MatchesOrt() {
    ModelBuilder b = new ModelBuilder(13)
        .input("a", DType.INT64, 2, 3)
        .input("b", DType.INT64, 2, 1)
        .node("Concat", List.of("a", "b"), List.of("y"), Attr.i("axis", 1))
        .output("y");
    Oracle.assertMatchesOrt(b.build(), Map.of(
        "a", Tensors.ints(DType.INT64, new int[] {2, 3}, 1, -2, 3, 4, 5, 6),
        "b", Tensors.ints(DType.INT64, new int[] {2, 1}, Long.MAX_VALUE, Long.MIN_VALUE)),
        "Concat int64");
  }

  @Test
  void constantInputsFoldAtImport() {
    Graph g = new ModelBuilder(13)
        .input("x", 2, 6)
        .initializer("a", Tensors.int64(1, 3))
        .initializer("b", Tensors.int64(-1))
        .node("Concat", List.of("a", "b"), List.of("shape"), Attr.i("axis", 0))
        .node("Reshape", List.of("x", "shape"), List.of("y"))
        .output("y")
        .importGraph();
    assertEquals(TensorType.float32(1, 3, 4), g.type("y"));
  }

  @Test
  void mismatchedShapesAreAnError() {
    ModelBuilder b = new ModelBuilder(13)
        .input("a", 2, 3)
        .input("b", 3, 3)
        .namedNode("c", "Concat", List.of("a", "b"), List.of("y"), Attr.i("axis", 1))
        .output("y");
    KilnException e = assertThrows(KilnException.class, b::importGraph);
    assertEquals("test.onnx: node 'c' (Concat, opset 13): input 1 [3,3] does not match input 0 [2,3]"
        + " outside axis 1", e.getMessage());
  }

  @Test
  void missingAxisIsAnError() {
    ModelBuilder b = new ModelBuilder(13)
        .input("a", 2, 3)
        .namedNode("c", "Concat", List.of("a", "a"), List.of("y"))
        .output("y");
    KilnException e = assertThrows(KilnException.class, b::importGraph);
    assertEquals("test.onnx: node 'c' (Concat, opset 13): attribute 'axis' is required",
        e.getMessage());
  }

  @Test
  void axisOutOfRangeIsAnError() {
    ModelBuilder b = new ModelBuilder(13)
        .input("a", 2, 3)
        .namedNode("c", "Concat", List.of("a", "a"), List.of("y"), Attr.i("axis", -3))
        .output("y");
    KilnException e = assertThrows(KilnException.class, b::importGraph);
    assertEquals("test.onnx: node 'c' (Concat, opset 13): axis -3 is out of range for rank 2",
        e.getMessage());
  }

  @Test
  void attributesRoundTrip() {
    Concat c = Concat.fromAttributes(Attributes.builder().putInt("axis", -2).build(), 13);
    assertEquals(c, Concat.fromAttributes(c.attributes(), 13));
  }
}
