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

class TransposeTest {
  /** Each case: opset, shape, perm ("-" for the default reverse). */
  @ParameterizedTest(name = "[{index}] opset {0} {1} perm {2}")
  @CsvSource({
    "13, 2x3x5x7, 0:2:3:1",
    "13, 2x3x5x7, 0:3:1:2",
    "13, 2x3x5x7, -",
    "7, 3x11, 1:0",
    "21, 3x11, -",
    "13, 5, 0",
    "13, 2x1x3x1x4, 4:2:0:3:1",
    "13, 4x0x3, 2:0:1",
  })
  void matchesOrt(int opset, String shape, String perm) {
    int[] dims = Arrays.stream(shape.split("x")).mapToInt(Integer::parseInt).toArray();
    ModelBuilder b = new ModelBuilder(opset).input("x", dims);
    if (perm.equals("-")) {
      b.node("Transpose", List.of("x"), List.of("y"));
    } else {
      long[] p = Arrays.stream(perm.split(":")).mapToLong(Long::parseLong).toArray();
      b.node("Transpose", List.of("x"), List.of("y"), Attr.ints("perm", p));
    }
    b.output("y");
    Oracle.assertMatchesOrt(b.build(), Map.of("x", Tensors.random(60, dims)), "Transpose " + perm);
  }

  @Test
  void int64MatchesOrt() {
    ModelBuilder b = new ModelBuilder(13)
        .input("x", DType.INT64, 2, 3)
        .node("Transpose", List.of("x"), List.of("y"))
        .output("y");
    Oracle.assertMatchesOrt(b.build(),
        Map.of("x", Tensors.ints(DType.INT64, new int[] {2, 3}, 1, 2, 3, 4, 5, 6)),
        "Transpose int64");
  }

  @Test
  void defaultReversesAxes() {
    Graph g = new ModelBuilder(13)
        .input("x", 2, 3, 5)
        .node("Transpose", List.of("x"), List.of("y"))
        .output("y")
        .importGraph();
    assertEquals(TensorType.float32(5, 3, 2), g.type("y"));
  }

  @Test
  void notAPermutationIsAnError() {
    ModelBuilder b = new ModelBuilder(13)
        .input("x", 2, 3, 5)
        .namedNode("t", "Transpose", List.of("x"), List.of("y"), Attr.ints("perm", 0, 2, 2))
        .output("y");
    KilnException e = assertThrows(KilnException.class, b::importGraph);
    assertEquals("test.onnx: node 't' (Transpose, opset 13): perm [0, 2, 2] is not a permutation of"
        + " the axes 0..2", e.getMessage());
  }

  @Test
  void attributesRoundTrip() {
    Transpose t = Transpose.fromAttributes(Attributes.builder().putInts("perm", 1, 0).build(), 13);
    assertEquals(t, Transpose.fromAttributes(t.attributes(), 13));
    Transpose reverse = Transpose.fromAttributes(Attributes.EMPTY, 13);
    assertEquals(reverse, Transpose.fromAttributes(reverse.attributes(), 13));
  }
}
