package dev.kiln.compiler.ops;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.kiln.compiler.KilnException;
import dev.kiln.compiler.importer.onnx.proto.OnnxProto.AttributeProto;
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

class ConvTransposeTest {
  /**
   * Each case: input c,h,w; output channels m; kernel; stride; pads t:l:b:r ({@code -} for none);
   * dilation; group; bias; output_padding ({@code -} for none); output_shape h:w ({@code -} for
   * none); auto_pad; the expected output h:w.
   */
  @ParameterizedTest(name = "[{index}] c={0} {1}x{2} m={3} k={4} s={5} p={6} d={7} g={8} bias={9}"
      + " op={10} os={11} {12} → {13}")
  @CsvSource({
    "3, 5, 5, 4, 3, 1, -,       1, 1, true,  -,   -,     NOTSET,     7:7",
    "3, 5, 6, 4, 3, 2, 1:1:1:1, 1, 1, true,  1:1, -,     NOTSET,     10:12",
    "2, 4, 7, 3, 4, 2, 1:0:2:1, 1, 1, false, -,   -,     NOTSET,     7:15",
    "3, 6, 5, 2, 3, 1, 0:1:0:1, 2, 1, true,  -,   -,     NOTSET,     10:7",
    "4, 5, 5, 6, 3, 2, 1:1:1:1, 1, 2, true,  -,   -,     NOTSET,     9:9",
    "4, 7, 6, 4, 3, 2, 1:1:1:1, 1, 4, true,  1:0, -,     NOTSET,     14:11",
    "6, 3, 4, 9, 2, 3, -,       1, 3, true,  2:1, -,     NOTSET,     10:12",
    "3, 5, 5, 2, 3, 2, -,       1, 1, true,  -,   12:12, NOTSET,     12:12",
    "3, 5, 5, 2, 3, 3, 1:1:1:1, 1, 1, true,  1:0, 15:14, NOTSET,     15:14",
    "3, 5, 5, 2, 3, 2, -,       1, 1, true,  -,   10:10, NOTSET,     10:10",
    "3, 5, 5, 2, 3, 2, 1:1:1:1, 1, 1, true,  -,   9:8,   NOTSET,     9:8",
    "3, 5, 5, 2, 3, 2, -,       1, 1, true,  -,   10:9,  SAME_UPPER, 10:9",
    "3, 5, 5, 2, 3, 2, -,       1, 1, true,  1:1, 12:12, NOTSET,     12:12",
    "3, 5, 6, 2, 3, 2, -,       1, 1, true,  -,   -,     SAME_UPPER, 10:12",
    "3, 5, 6, 2, 3, 2, -,       1, 1, true,  -,   -,     SAME_LOWER, 10:12",
    "3, 5, 6, 2, 4, 3, -,       1, 1, true,  1:0, -,     SAME_UPPER, 15:18",
    "3, 5, 6, 2, 2, 3, -,       1, 1, true,  -,   -,     SAME_LOWER, 14:17",
    "3, 5, 6, 2, 3, 2, -,       1, 1, true,  -,   -,     VALID,      11:13",
    "1, 1, 1, 1, 1, 1, -,       1, 1, true,  -,   -,     NOTSET,     1:1",
  })
  void matchesOrt(int c, int h, int w, int m, int k, int stride, String pads, int dilation,
      int group, boolean bias, String outputPadding, String outputShape, String autoPad,
      String expected) {
    ModelBuilder b = new ModelBuilder(13)
        .input("x", 2, c, h, w)
        .initializer("w", Tensors.random(1, c, m / group, k, k));
    if (bias) {
      b.initializer("b", Tensors.random(2, m));
    }
    List<AttributeProto> attrs = new ArrayList<>();
    attrs.add(Attr.ints("strides", stride, stride));
    attrs.add(Attr.ints("dilations", dilation, dilation));
    attrs.add(Attr.i("group", group));
    if (!pads.equals("-")) {
      attrs.add(Attr.ints("pads", longs(pads)));
    }
    if (!outputPadding.equals("-")) {
      attrs.add(Attr.ints("output_padding", longs(outputPadding)));
    }
    if (!outputShape.equals("-")) {
      attrs.add(Attr.ints("output_shape", longs(outputShape)));
    }
    if (!autoPad.equals("NOTSET")) {
      attrs.add(Attr.s("auto_pad", autoPad));
    }
    b.node("ConvTranspose", bias ? List.of("x", "w", "b") : List.of("x", "w"), List.of("y"),
        attrs.toArray(new AttributeProto[0]));
    b.output("y");
    int[] hw = UnaryElementwiseTest.parseDims(expected);
    assertEquals(TensorType.float32(2, m, hw[0], hw[1]),
        OpAssertions.assertAttributesRoundTrip(b).type("y"));
    Oracle.assertMatchesOrt(b.build(), Map.of("x", Tensors.random(3, 2, c, h, w)), "ConvTranspose");
  }

  @Test
  void rectangularKernelWithPerAxisStridesMatchesOrt() {
    ModelBuilder b = new ModelBuilder(11)
        .input("x", 1, 2, 4, 7)
        .initializer("w", Tensors.random(1, 2, 3, 2, 3))
        .node("ConvTranspose", List.of("x", "w"), List.of("y"), Attr.ints("strides", 3, 2),
            Attr.ints("dilations", 1, 2), Attr.ints("pads", 0, 1, 1, 2),
            Attr.ints("kernel_shape", 2, 3), Attr.ints("output_padding", 2, 1))
        .output("y");
    assertEquals(TensorType.float32(1, 3, 12, 15), b.importGraph().type("y"));
    Oracle.assertMatchesOrt(b.build(), Map.of("x", Tensors.random(3, 1, 2, 4, 7)), "rectangular");
  }

  @Test
  void outputShapeWithBatchAndChannelsIsAnError() {
    ModelBuilder b = new ModelBuilder(13)
        .input("x", 1, 2, 5, 5)
        .initializer("w", Tensors.random(1, 2, 3, 3, 3))
        .namedNode("up", "ConvTranspose", List.of("x", "w"), List.of("y"), Attr.ints("strides", 2, 2),
            Attr.ints("output_shape", 1, 3, 10, 10))
        .output("y");
    KilnException e = assertThrows(KilnException.class, b::importGraph);
    assertEquals("test.onnx: node 'up' (ConvTranspose, opset 13): output_shape has 4 values, expected 2"
        + " (one per spatial axis)", e.getMessage());
  }

  @Test
  void outputShapeBeyondWhatTheInputGivesIsAnError() {
    ModelBuilder b = new ModelBuilder(13)
        .input("x", 1, 2, 5, 5)
        .initializer("w", Tensors.random(1, 2, 3, 3, 3))
        .namedNode("up", "ConvTranspose", List.of("x", "w"), List.of("y"), Attr.ints("strides", 2, 2),
            Attr.ints("output_shape", 12, 13))
        .output("y");
    KilnException e = assertThrows(KilnException.class, b::importGraph);
    assertEquals("test.onnx: node 'up' (ConvTranspose, opset 13): output_shape [12, 13] asks for 13 on"
        + " spatial axis 1 but the input [1,2,5,5] gives at most 12 with these weights and strides",
        e.getMessage());
  }

  @Test
  void conv1dTransposeMatchesOrt() {
    ModelBuilder b = new ModelBuilder(13)
        .input("x", 2, 3, 17)
        .initializer("w", Tensors.random(1, 3, 2, 4))
        .initializer("b", Tensors.random(2, 2))
        .node("ConvTranspose", List.of("x", "w", "b"), List.of("y"), Attr.ints("strides", 3),
            Attr.ints("pads", 1, 2), Attr.ints("output_padding", 1))
        .output("y");
    assertEquals(TensorType.float32(2, 2, 50), b.importGraph().type("y"));
    Oracle.assertMatchesOrt(b.build(), Map.of("x", Tensors.random(3, 2, 3, 17)), "ConvTranspose1d");
  }

  @Test
  void conv1dTransposeWithGroupsAndSamePaddingMatchesOrt() {
    ModelBuilder b = new ModelBuilder(13)
        .input("x", 1, 4, 9)
        .initializer("w", Tensors.random(1, 4, 3, 5))
        .node("ConvTranspose", List.of("x", "w"), List.of("y"), Attr.ints("strides", 2),
            Attr.i("group", 2), Attr.s("auto_pad", "SAME_LOWER"))
        .output("y");
    assertEquals(TensorType.float32(1, 6, 18), b.importGraph().type("y"));
    Oracle.assertMatchesOrt(b.build(), Map.of("x", Tensors.random(3, 1, 4, 9)), "grouped 1-D");
  }

  @Test
  void weightsForOtherChannelsAreAnError() {
    ModelBuilder b = new ModelBuilder(13)
        .input("x", 1, 4, 8, 8)
        .initializer("w", Tensors.random(1, 3, 2, 3, 3))
        .namedNode("up", "ConvTranspose", List.of("x", "w"), List.of("y"))
        .output("y");
    KilnException e = assertThrows(KilnException.class, b::importGraph);
    assertEquals("test.onnx: node 'up' (ConvTranspose, opset 13): weights [3,2,3,3] expect 3 input"
        + " channels but the input [1,4,8,8] has 4", e.getMessage());
  }

  /** The spec would allow output padding below the dilation; ONNX Runtime, and so Kiln, does not. */
  @Test
  void outputPaddingNotBelowStrideIsAnError() {
    ModelBuilder b = new ModelBuilder(13)
        .input("x", 1, 2, 8, 8)
        .initializer("w", Tensors.random(1, 2, 2, 3, 3))
        .namedNode("up", "ConvTranspose", List.of("x", "w"), List.of("y"), Attr.ints("strides", 2, 1),
            Attr.ints("dilations", 2, 2), Attr.ints("output_padding", 1, 1))
        .output("y");
    KilnException e = assertThrows(KilnException.class, b::importGraph);
    assertEquals("test.onnx: node 'up' (ConvTranspose, opset 13): output_padding [1, 1] must be"
        + " non-negative and smaller than the strides [2, 1]", e.getMessage());
  }

  @Test
  void groupNotDividingChannelsIsAnError() {
    ModelBuilder b = new ModelBuilder(13)
        .input("x", 1, 3, 8, 8)
        .initializer("w", Tensors.random(1, 3, 2, 3, 3))
        .namedNode("up", "ConvTranspose", List.of("x", "w"), List.of("y"), Attr.i("group", 2))
        .output("y");
    KilnException e = assertThrows(KilnException.class, b::importGraph);
    assertEquals("test.onnx: node 'up' (ConvTranspose, opset 13): group 2 does not divide input"
        + " channels 3", e.getMessage());
  }

  @Test
  void padsCroppingEverythingIsAnError() {
    ModelBuilder b = new ModelBuilder(13)
        .input("x", 1, 2, 2, 2)
        .initializer("w", Tensors.random(1, 2, 2, 3, 3))
        .namedNode("up", "ConvTranspose", List.of("x", "w"), List.of("y"),
            Attr.ints("pads", 2, 2, 2, 2))
        .output("y");
    KilnException e = assertThrows(KilnException.class, b::importGraph);
    assertEquals("test.onnx: node 'up' (ConvTranspose, opset 13): output size 0 on spatial axis 0 is"
        + " out of range (input [1,2,2,2], weights [2,2,3,3])", e.getMessage());
  }

  @Test
  void threeDimensionalIsAnError() {
    ModelBuilder b = new ModelBuilder(13)
        .input("x", 1, 2, 4, 4, 4)
        .initializer("w", Tensors.random(1, 2, 2, 3, 3, 3))
        .namedNode("up", "ConvTranspose", List.of("x", "w"), List.of("y"))
        .output("y");
    KilnException e = assertThrows(KilnException.class, b::importGraph);
    assertEquals("test.onnx: node 'up' (ConvTranspose, opset 13): 3-D transposed convolution is not"
        + " supported (Kiln compiles 1-D and 2-D CNNs)", e.getMessage());
  }

  @Test
  void costCountsEveryInputTimesEveryKernelTap() {
    var cost = OpAssertions.onlyNodeCost(new ModelBuilder(13)
        .input("x", 2, 4, 5, 5)
        .initializer("w", Tensors.random(1, 4, 3, 3, 3))
        .initializer("b", Tensors.random(2, 6))
        .node("ConvTranspose", List.of("x", "w", "b"), List.of("y"), Attr.i("group", 2))
        .output("y"));
    long macs = 2L * 4 * 5 * 5 * 3 * 3 * 3;
    long outputs = 2L * 6 * 7 * 7;
    assertEquals(2 * macs + outputs, cost.flops());
    assertEquals(4L * (4 * 3 * 9 + 6), cost.parameterBytes());
  }

  private static long[] longs(String colonSeparated) {
    return Arrays.stream(colonSeparated.split(":")).mapToLong(s -> Long.parseLong(s.trim())).toArray();
  }
}
