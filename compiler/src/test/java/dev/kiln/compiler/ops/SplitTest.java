package dev.kiln.compiler.ops;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.kiln.compiler.KilnException;
import dev.kiln.compiler.exec.GraphInterpreter;
import dev.kiln.compiler.importer.onnx.proto.OnnxProto.AttributeProto;
import dev.kiln.compiler.ir.Attributes;
import dev.kiln.compiler.ir.DType;
import dev.kiln.compiler.ir.Graph;
import dev.kiln.compiler.ir.Tensor;
import dev.kiln.compiler.ir.TensorType;
import dev.kiln.compiler.testing.Attr;
import dev.kiln.compiler.testing.ModelBuilder;
import dev.kiln.compiler.testing.Oracle;
import dev.kiln.compiler.testing.Ort;
import dev.kiln.compiler.testing.TensorAssert;
import dev.kiln.compiler.testing.Tensors;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class SplitTest {
  private static List<String> outputs(int n) {
    List<String> names = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      names.add("y" + i);
    }
    return names;
  }

  private static ModelBuilder withOutputs(ModelBuilder b, int n) {
    for (String name : outputs(n)) {
      b.output(name);
    }
    return b;
  }

  /**
   * Each case: opset, input shape, axis, how the lengths are given (attr, input, num, equal), the
   * lengths or count, number of outputs.
   */
  @ParameterizedTest(name = "[{index}] opset {0} {1} axis {2} {3} {4}")
  @CsvSource({
    "11, 2x10x3, 1, attr, 3:0:7, 3",
    "11, 2x10x3, -2, equal, -, 5",
    "7, 6x4, 0, attr, 1:5, 2",
    "13, 2x10x3, 1, input, 4:4:2, 3",
    "13, 2x9x3, -1, equal, -, 3",
    "13, 5x7, 0, input, 5, 1",
    "18, 2x10x3, 1, num, 3, 3",
    "18, 11x2, 0, num, 4, 4",
    "18, 2x7, -1, num, 7, 7",
    "18, 2x10x3, 1, input, 1:2:7, 3",
  })
  void matchesOrt(int opset, String shape, int axis, String form, String lengths, int count) {
    int[] dims = Arrays.stream(shape.split("x")).mapToInt(Integer::parseInt).toArray();
    ModelBuilder b = new ModelBuilder(opset).input("x", dims);
    List<String> inputs = new ArrayList<>(List.of("x"));
    List<AttributeProto> attrs = new ArrayList<>(List.of(Attr.i("axis", axis)));
    switch (form) {
      case "attr" -> attrs.add(Attr.ints("split", parse(lengths)));
      case "input" -> {
        b.initializer("split", Tensors.int64(parse(lengths)));
        inputs.add("split");
      }
      case "num" -> attrs.add(Attr.i("num_outputs", Long.parseLong(lengths)));
      default -> { }
    }
    b.node("Split", inputs, outputs(count), attrs.toArray(new AttributeProto[0]));
    Oracle.assertMatchesOrt(withOutputs(b, count).build(),
        Map.of("x", Tensors.random(30, dims)), "Split " + form + " " + lengths);
  }

  private static long[] parse(String lengths) {
    return Arrays.stream(lengths.split(":")).mapToLong(Long::parseLong).toArray();
  }

  @Test
  void int64MatchesOrt() {
    ModelBuilder b = new ModelBuilder(13)
        .input("x", DType.INT64, 5)
        .initializer("split", Tensors.int64(2, 3))
        .node("Split", List.of("x", "split"), outputs(2));
    Oracle.assertMatchesOrt(withOutputs(b, 2).build(),
        Map.of("x", Tensors.ints(DType.INT64, new int[] {5}, 1, 2, 3, 4, 5)), "Split int64");
  }

  /** num_outputs (18): parts of ⌈10/4⌉ = 3, the last one smaller. */
  @Test
  void numOutputsGivesSmallerLastPart() {
    Graph g = withOutputs(new ModelBuilder(18)
        .input("x", 10, 2)
        .node("Split", List.of("x"), outputs(4), Attr.i("num_outputs", 4)), 4)
        .importGraph();
    assertEquals(TensorType.float32(3, 2), g.type("y0"));
    assertEquals(TensorType.float32(1, 2), g.type("y3"));
  }

  /**
   * An unused middle output still takes its part. (ONNX Runtime 1.29 crashes on an empty output
   * name, so its reference comes from the same split with every output named.)
   */
  @Test
  void skippedOutputKeepsItsPart() {
    Tensor x = Tensors.random(31, 2, 9);
    Map<String, Tensor> expected = Ort.run(new ModelBuilder(13)
        .input("x", 2, 9)
        .initializer("split", Tensors.int64(2, 3, 4))
        .node("Split", List.of("x", "split"), List.of("a", "b", "c"), Attr.i("axis", 1))
        .output("a")
        .output("c")
        .build(), Map.of("x", x));
    Graph g = new ModelBuilder(13)
        .input("x", 2, 9)
        .initializer("split", Tensors.int64(2, 3, 4))
        .node("Split", List.of("x", "split"), List.of("a", "", "c"), Attr.i("axis", 1))
        .output("a")
        .output("c")
        .importGraph();
    Map<String, Tensor> actual = GraphInterpreter.run(g, Map.of("x", x));
    TensorAssert.assertBitIdentical(expected.get("a"), actual.get("a"), "Split part a");
    TensorAssert.assertBitIdentical(expected.get("c"), actual.get("c"), "Split part c");
  }

  @Test
  void unevenEqualSplitIsAnError() {
    ModelBuilder b = withOutputs(new ModelBuilder(13)
        .input("x", 2, 10)
        .namedNode("s", "Split", List.of("x"), outputs(3), Attr.i("axis", 1)), 3);
    KilnException e = assertThrows(KilnException.class, b::importGraph);
    assertEquals("test.onnx: node 's' (Split, opset 13): axis 1 of [2,10] does not split evenly into"
        + " 3 outputs; give split lengths", e.getMessage());
  }

  @Test
  void lengthsNotSummingToTheAxisAreAnError() {
    ModelBuilder b = withOutputs(new ModelBuilder(11)
        .input("x", 2, 10)
        .namedNode("s", "Split", List.of("x"), outputs(2), Attr.i("axis", 1),
            Attr.ints("split", 3, 4)), 2);
    KilnException e = assertThrows(KilnException.class, b::importGraph);
    assertEquals("test.onnx: node 's' (Split, opset 11): split [3, 4] sums to 7 but axis 1 of [2,10]"
        + " has length 10", e.getMessage());
  }

  @Test
  void numOutputsDisagreeingWithOutputsIsAnError() {
    ModelBuilder b = withOutputs(new ModelBuilder(18)
        .input("x", 2, 10)
        .namedNode("s", "Split", List.of("x"), outputs(3), Attr.i("axis", 1),
            Attr.i("num_outputs", 2)), 3);
    KilnException e = assertThrows(KilnException.class, b::importGraph);
    assertEquals("test.onnx: node 's' (Split, opset 18): num_outputs is 2 but the node has 3 outputs",
        e.getMessage());
  }

  /** A trailing unused output is dropped at import; its length still counts. */
  @Test
  void droppedTrailingOutputKeepsLengths() {
    Graph g = new ModelBuilder(18)
        .input("x", 10, 2)
        .node("Split", List.of("x"), List.of("a", "b", ""), Attr.i("num_outputs", 3))
        .output("a")
        .output("b")
        .importGraph();
    assertEquals(TensorType.float32(4, 2), g.type("a"));
    assertEquals(TensorType.float32(4, 2), g.type("b"));
  }

  @Test
  void splitComputedAtRunTimeIsAnError() {
    ModelBuilder b = withOutputs(new ModelBuilder(13)
        .input("x", 2, 10)
        .input("split", DType.INT64, 2)
        .namedNode("s", "Split", List.of("x", "split"), outputs(2), Attr.i("axis", 1)), 2);
    KilnException e = assertThrows(KilnException.class, b::importGraph);
    assertEquals("test.onnx: node 's' (Split, opset 13): input 1 (split) must be known at compile"
        + " time (a constant or a computation on static shapes)", e.getMessage());
  }

  @Test
  void attributesRoundTrip() {
    Attributes legacy = Attributes.builder().putInt("axis", 1).putLongs("split", 2, 3).build();
    Split s11 = Split.fromAttributes(legacy, 11);
    assertEquals(s11, Split.fromAttributes(s11.attributes(), 11));
    Split s18 = Split.fromAttributes(Attributes.builder().putInt("num_outputs", 3).build(), 18);
    assertEquals(s18, Split.fromAttributes(s18.attributes(), 18));
  }
}
