package dev.kiln.compiler.ops;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.kiln.compiler.KilnException;
import dev.kiln.compiler.ir.Attributes;
import dev.kiln.compiler.ir.DType;
import dev.kiln.compiler.ir.Graph;
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

class SqueezeTest {
  /**
   * Each case: opset (axes attribute before 13, input from 13), shape, axes ("-" = not given,
   * "empty" = given but empty, which squeezes every unit axis too).
   */
  @ParameterizedTest(name = "[{index}] opset {0} {1} axes {2}")
  @CsvSource({
    "11, 1x3x1x5, 0:2",
    "11, 1x3x1x5, -2",
    "11, 1x3x1x5, -",
    "7, 3x1, 1",
    "13, 1x3x1x5, 0:-2",
    "13, 1x3x1x5, -",
    "13, 1x1x1, -",
    "21, 2x1x4x1, 3:1",
    "11, 1x3x1, empty",
    "13, 1x3x1, empty",
  })
  void matchesOrt(int opset, String shape, String axes) {
    int[] dims = Arrays.stream(shape.split("x")).mapToInt(Integer::parseInt).toArray();
    ModelBuilder b = new ModelBuilder(opset).input("x", dims);
    if (axes.equals("-")) {
      b.node("Squeeze", List.of("x"), List.of("y"));
    } else {
      long[] a = axes.equals("empty")
          ? new long[0]
          : Arrays.stream(axes.split(":")).mapToLong(Long::parseLong).toArray();
      if (opset < 13) {
        b.node("Squeeze", List.of("x"), List.of("y"), Attr.ints("axes", a));
      } else {
        b.initializer("axes", Tensors.int64(a)).node("Squeeze", List.of("x", "axes"), List.of("y"));
      }
    }
    b.output("y");
    Oracle.assertMatchesOrt(b.build(), Map.of("x", Tensors.random(70, dims)), "Squeeze " + axes);
  }

  @Test
  void int64MatchesOrt() {
    ModelBuilder b = new ModelBuilder(13)
        .input("x", DType.INT64, 1)
        .node("Squeeze", List.of("x"), List.of("y"))
        .output("y");
    Oracle.assertMatchesOrt(b.build(), Map.of("x", Tensors.ints(DType.INT64, new int[] {1}, 42)),
        "Squeeze int64");
  }

  @Test
  void withoutAxesDropsEveryUnitAxis() {
    Graph g = new ModelBuilder(13)
        .input("x", 1, 3, 1, 5, 1)
        .node("Squeeze", List.of("x"), List.of("y"))
        .output("y")
        .importGraph();
    assertEquals(TensorType.float32(3, 5), g.type("y"));
  }

  @Test
  void squeezingALongerAxisIsAnError() {
    ModelBuilder b = new ModelBuilder(13)
        .input("x", 1, 3, 5)
        .initializer("axes", Tensors.int64(-2))
        .namedNode("s", "Squeeze", List.of("x", "axes"), List.of("y"))
        .output("y");
    KilnException e = assertThrows(KilnException.class, b::importGraph);
    assertEquals("test.onnx: node 's' (Squeeze, opset 13): cannot squeeze axis 1 of [1,3,5]: its"
        + " length is 3, not 1", e.getMessage());
  }

  @Test
  void axesComputedAtRunTimeAreAnError() {
    ModelBuilder b = new ModelBuilder(13)
        .input("x", 1, 3, 5)
        .input("axes", DType.INT64, 1)
        .namedNode("s", "Squeeze", List.of("x", "axes"), List.of("y"))
        .output("y");
    KilnException e = assertThrows(KilnException.class, b::importGraph);
    assertEquals("test.onnx: node 's' (Squeeze, opset 13): input 1 (axes) must be known at compile"
        + " time (a constant or a computation on static shapes)", e.getMessage());
  }

  @Test
  void attributesRoundTrip() {
    Squeeze s = Squeeze.fromAttributes(Attributes.builder().putLongs("axes", 0, -1).build(), 11);
    assertEquals(s, Squeeze.fromAttributes(s.attributes(), 11));
  }
}
