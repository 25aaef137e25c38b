package dev.kiln.compiler.ops;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.kiln.compiler.KilnException;
import dev.kiln.compiler.importer.onnx.proto.OnnxProto.AttributeProto;
import dev.kiln.compiler.ir.Attributes;
import dev.kiln.compiler.ir.Cost;
import dev.kiln.compiler.ir.CostContext;
import dev.kiln.compiler.ir.DType;
import dev.kiln.compiler.ir.Graph;
import dev.kiln.compiler.ir.Shape;
import dev.kiln.compiler.ir.TensorType;
import dev.kiln.compiler.testing.Attr;
import dev.kiln.compiler.testing.ModelBuilder;
import dev.kiln.compiler.testing.Oracle;
import dev.kiln.compiler.testing.Tensors;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class SliceTest {
  private static final long MAX = Long.MAX_VALUE;
  private static final long MIN = Long.MIN_VALUE;

  private static long[] parse(String values) {
    if (values.equals("-")) {
      return null;
    }
    return Arrays.stream(values.split(":"))
        .mapToLong(v -> v.equals("max") ? MAX : v.equals("min") ? MIN : Long.parseLong(v))
        .toArray();
  }

  /** Each case (opset 10+, inputs): shape, starts, ends, axes ("-" = none), steps ("-" = none). */
  @ParameterizedTest(name = "[{index}] opset {0} {1} [{2}:{3}] axes {4} steps {5}")
  @CsvSource({
    "13, 4x7x5, 1:2, 3:6, 0:1, -",
    "13, 4x7x5, 0:1:0, 4:7:5, -, -",
    "13, 4x7x5, -3, max, -1, -",
    "13, 4x7x5, 6:-1, min:0, 1:2, -1:-2",
    "13, 4x7x5, -1, min, -2, -3",
    "13, 4x7x5, 1:0, 100:-2, 2:-2, 2:1",
    "13, 4x7x5, 0, 7, 1, 3",
    "13, 4x7x5, 5, 2, 1, 1",
    "13, 4x7x5, 2, 5, 1, -1",
    "13, 4x7x5, -100, 100, 0, -1",
    "13, 4x7x5, 3:1, -100:max, -2:-3, -1:2",
    "11, 9x8, 1:-2, -1:2, 0:1, 2:-3",
    "10, 9x8, 1, 8, 1, 3",
    "10, 9x8, 0:0, 5:3, -, -",
  })
  void matchesOrt(int opset, String shape, String starts, String ends, String axes, String steps) {
    int[] dims = Arrays.stream(shape.split("x")).mapToInt(Integer::parseInt).toArray();
    ModelBuilder b = new ModelBuilder(opset)
        .input("x", dims)
        .initializer("starts", Tensors.int64(parse(starts)))
        .initializer("ends", Tensors.int64(parse(ends)));
    List<String> inputs = new ArrayList<>(List.of("x", "starts", "ends"));
    if (parse(axes) != null) {
      b.initializer("axes", Tensors.int64(parse(axes)));
      inputs.add("axes");
    } else if (parse(steps) != null) {
      inputs.add("");
    }
    if (parse(steps) != null) {
      b.initializer("steps", Tensors.int64(parse(steps)));
      inputs.add("steps");
    }
    b.node("Slice", inputs, List.of("y")).output("y");
    Oracle.assertMatchesOrt(b.build(), Map.of("x", Tensors.random(40, dims)),
        "Slice " + starts + " " + ends + " " + axes + " " + steps);
  }

  /** Before opset 10: starts, ends and axes are attributes, steps are 1. */
  @ParameterizedTest(name = "[{index}] opset {0} [{1}:{2}] axes {3}")
  @CsvSource({
    "9, 1:0, 3:-1, 0:2",
    "7, -2, max, 1",
    "9, 0:1:2, 100:-3:1, -",
  })
  void attributeFormMatchesOrt(int opset, String starts, String ends, String axes) {
    List<AttributeProto> attrs = new ArrayList<>(List.of(
        Attr.ints("starts", parse(starts)), Attr.ints("ends", parse(ends))));
    if (parse(axes) != null) {
      attrs.add(Attr.ints("axes", parse(axes)));
    }
    ModelBuilder b = new ModelBuilder(opset)
        .input("x", 4, 6, 5)
        .node("Slice", List.of("x"), List.of("y"), attrs.toArray(new AttributeProto[0]))
        .output("y");
    Oracle.assertMatchesOrt(b.build(), Map.of("x", Tensors.random(41, 4, 6, 5)),
        "Slice-" + opset + " " + starts + " " + ends);
  }

  /** Shape vectors are sliced as int64 (x.shape[2:] and the like). */
  @Test
  void int64MatchesOrt() {
    ModelBuilder b = new ModelBuilder(13)
        .input("x", DType.INT64, 6)
        .initializer("starts", Tensors.int64(-1))
        .initializer("ends", Tensors.int64(MIN))
        .initializer("axes", Tensors.int64(0))
        .initializer("steps", Tensors.int64(-2))
        .node("Slice", List.of("x", "starts", "ends", "axes", "steps"), List.of("y"))
        .output("y");
    Oracle.assertMatchesOrt(b.build(),
        Map.of("x", Tensors.ints(DType.INT64, new int[] {6}, 10, 20, 30, 40, 50, 60)),
        "Slice int64");
  }

  @Test
  void infersClampedShape() {
    Graph g = new ModelBuilder(13)
        .input("x", 4, 7, 5)
        .initializer("starts", Tensors.int64(MAX, -100))
        .initializer("ends", Tensors.int64(MIN, 3))
        .initializer("axes", Tensors.int64(1, -1))
        .initializer("steps", Tensors.int64(-3, 1))
        .node("Slice", List.of("x", "starts", "ends", "axes", "steps"), List.of("y"))
        .output("y")
        .importGraph();
    // Axis 1 runs 6, 3, 0 backwards; axis 2 keeps [0, 3).
    assertEquals(TensorType.float32(4, 3, 3), g.type("y"));
  }

  @Test
  void startsComputedAtRunTimeAreAnError() {
    ModelBuilder b = new ModelBuilder(13)
        .input("x", 4, 7)
        .input("starts", DType.INT64, 1)
        .initializer("ends", Tensors.int64(3))
        .namedNode("s", "Slice", List.of("x", "starts", "ends"), List.of("y"))
        .output("y");
    KilnException e = assertThrows(KilnException.class, b::importGraph);
    assertEquals("test.onnx: node 's' (Slice, opset 13): input 1 (starts) must be known at compile"
        + " time (a constant or a computation on static shapes)", e.getMessage());
  }

  @Test
  void zeroStepIsAnError() {
    ModelBuilder b = new ModelBuilder(13)
        .input("x", 4, 7)
        .initializer("starts", Tensors.int64(0))
        .initializer("ends", Tensors.int64(3))
        .initializer("axes", Tensors.int64(1))
        .initializer("steps", Tensors.int64(0))
        .namedNode("s", "Slice", List.of("x", "starts", "ends", "axes", "steps"), List.of("y"))
        .output("y");
    KilnException e = assertThrows(KilnException.class, b::importGraph);
    assertEquals("test.onnx: node 's' (Slice, opset 13): steps [0] has a zero step", e.getMessage());
  }

  @Test
  void repeatedAxisIsAnError() {
    ModelBuilder b = new ModelBuilder(13)
        .input("x", 4, 7)
        .initializer("starts", Tensors.int64(0, 1))
        .initializer("ends", Tensors.int64(3, 2))
        .initializer("axes", Tensors.int64(1, -1))
        .namedNode("s", "Slice", List.of("x", "starts", "ends", "axes"), List.of("y"))
        .output("y");
    KilnException e = assertThrows(KilnException.class, b::importGraph);
    assertEquals("test.onnx: node 's' (Slice, opset 13): axes [1, -1] name axis 1 twice",
        e.getMessage());
  }

  /** A slice reads only what it keeps. */
  @Test
  void costCountsTheSliceOnly() {
    TensorType x = TensorType.float32(10, 10);
    TensorType vector = new TensorType(DType.INT64, Shape.of(1));
    CostContext ctx = new CostContext(new TensorType[] {x, vector, vector},
        new boolean[] {false, true, true}, new TensorType[] {TensorType.float32(2, 10)});
    Cost c = Slice.fromAttributes(Attributes.EMPTY, 13).cost(ctx);
    assertEquals(0, c.flops());
    assertEquals(16 + 80, c.bytesRead());
    assertEquals(80, c.bytesWritten());
  }

  @Test
  void attributesRoundTrip() {
    Attributes a = Attributes.builder().putLongs("starts", 1).putLongs("ends", -1)
        .putLongs("axes", 2).build();
    Slice s = Slice.fromAttributes(a, 9);
    assertEquals(s, Slice.fromAttributes(s.attributes(), 9));
    Slice s13 = Slice.fromAttributes(Attributes.EMPTY, 13);
    assertEquals(s13, Slice.fromAttributes(s13.attributes(), 13));
  }
}
