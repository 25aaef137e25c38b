package dev.kiln.compiler.ops;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.kiln.compiler.KilnException;
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

class UnsqueezeTest {
  /** Each case: opset (axes attribute before 13, input from 13), shape, axes of the output. */
  @ParameterizedTest(name = "[{index}] opset {0} {1} axes {2}")
  @CsvSource({
    "11, 3x5, 0:3",
    "11, 3x5, -1",
    "7, 3x5, 1",
    "13, 3x5, 0:-1",
    "13, 3x5, 4:0:2",
    "13, 7, -2",
    "21, 2x3, 1",
  })
  void matchesOrt(int opset, String shape, String axes) {
    int[] dims = Arrays.stream(shape.split("x")).mapToInt(Integer::parseInt).toArray();
    long[] a = Arrays.stream(axes.split(":")).mapToLong(Long::parseLong).toArray();
    ModelBuilder b = new ModelBuilder(opset).input("x", dims);
    if (opset < 13) {
      b.node("Unsqueeze", List.of("x"), List.of("y"), Attr.ints("axes", a));
    } else {
      b.initializer("axes", Tensors.int64(a)).node("Unsqueeze", List.of("x", "axes"), List.of("y"));
    }
    b.output("y");
    Oracle.assertMatchesOrt(b.build(), Map.of("x", Tensors.random(80, dims)), "Unsqueeze " + axes);
  }

  /** A scalar becomes a 1-element vector: what exporters do before Concat-ing shape entries. */
  @Test
  void int64ScalarMatchesOrt() {
    ModelBuilder b = new ModelBuilder(13)
        .input("x", DType.INT64)
        .initializer("axes", Tensors.int64(0))
        .node("Unsqueeze", List.of("x", "axes"), List.of("y"))
        .output("y");
    Oracle.assertMatchesOrt(b.build(),
        Map.of("x", Tensor.ofLongs(DType.INT64, Shape.SCALAR, 9)), "Unsqueeze int64 scalar");
  }

  @Test
  void axesIndexTheOutput() {
    Graph g = new ModelBuilder(13)
        .input("x", 3, 5)
        .initializer("axes", Tensors.int64(-1, 1))
        .node("Unsqueeze", List.of("x", "axes"), List.of("y"))
        .output("y")
        .importGraph();
    assertEquals(TensorType.float32(3, 1, 5, 1), g.type("y"));
  }

  @Test
  void repeatedAxisIsAnError() {
    ModelBuilder b = new ModelBuilder(13)
        .input("x", 3, 5)
        .initializer("axes", Tensors.int64(0, -4))
        .namedNode("u", "Unsqueeze", List.of("x", "axes"), List.of("y"))
        .output("y");
    KilnException e = assertThrows(KilnException.class, b::importGraph);
    assertEquals("test.onnx: node 'u' (Unsqueeze, opset 13): axes [0, -4] name axis 0 twice",
        e.getMessage());
  }

  @Test
  void axisOutOfRangeIsAnError() {
    ModelBuilder b = new ModelBuilder(11)
        .input("x", 3, 5)
        .namedNode("u", "Unsqueeze", List.of("x"), List.of("y"), Attr.ints("axes", 3))
        .output("y");
    KilnException e = assertThrows(KilnException.class, b::importGraph);
    assertEquals("test.onnx: node 'u' (Unsqueeze, opset 11): axis 3 is out of range for rank 3",
        e.getMessage());
  }

  @Test
  void attributesRoundTrip() {
    Unsqueeze u = Unsqueeze.fromAttributes(Attributes.builder().putLongs("axes", 0).build(), 11);
    assertEquals(u, Unsqueeze.fromAttributes(u.attributes(), 11));
    Unsqueeze u13 = Unsqueeze.fromAttributes(Attributes.EMPTY, 13);
    assertEquals(u13, Unsqueeze.fromAttributes(u13.attributes(), 13));
  }
}
