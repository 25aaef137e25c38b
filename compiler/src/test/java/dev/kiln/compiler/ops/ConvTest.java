package dev.kiln.compiler.ops;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.kiln.compiler.KilnException;
import dev.kiln.compiler.ir.Graph;
import dev.kiln.compiler.ir.TensorType;
import dev.kiln.compiler.testing.Attr;
import dev.kiln.compiler.testing.ModelBuilder;
import dev.kiln.compiler.testing.Oracle;
import dev.kiln.compiler.testing.Tensors;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;

class ConvTest {
  /** Each case: input c,h,w; m; kernel; stride; pads t,l,b,r; dilation; group; bias; auto_pad. */
  @ParameterizedTest(name = "[{index}] c={0} {1}x{2} m={3} k={4} s={5} p={6} d={7} g={8} bias={9} {10}")
  @CsvSource({
    "3, 8, 8, 4, 3, 1, 1:1:1:1, 1, 1, true, NOTSET",
    "3, 7, 9, 5, 3, 2, 0:0:0:0, 1, 1, false, NOTSET",
    "4, 11, 6, 6, 3, 2, 1:0:2:1, 1, 2, true, NOTSET",
    "8, 9, 9, 8, 3, 1, 1:1:1:1, 1, 8, true, NOTSET",
    "8, 10, 10, 8, 5, 2, 2:2:2:2, 1, 8, true, NOTSET",
    "5, 13, 13, 7, 3, 1, 2:2:2:2, 2, 1, true, NOTSET",
    "1, 1, 1, 1, 1, 1, 0:0:0:0, 1, 1, true, NOTSET",
    "3, 10, 7, 2, 4, 3, 0:0:0:0, 1, 1, true, SAME_UPPER",
    "3, 10, 7, 2, 4, 3, 0:0:0:0, 1, 1, true, SAME_LOWER",
    "3, 10, 7, 2, 3, 2, 0:0:0:0, 1, 1, false, VALID",
    "6, 5, 5, 9, 1, 1, 0:0:0:0, 1, 3, true, NOTSET",
  })
  void matchesOrt(int c, int h, int w, int m, int k, int stride, String pads, int dilation,
      int group, boolean bias, String autoPad) {
    long[] p = java.util.Arrays.stream(pads.split(":")).mapToLong(Long::parseLong).toArray();
    ModelBuilder b = new ModelBuilder(13)
        .input("x", 2, c, h, w)
        .initializer("w", Tensors.random(1, m, c / group, k, k));
    if (bias) {
      b.initializer("b", Tensors.random(2, m));
    }
    var attrs = new java.util.ArrayList<dev.kiln.compiler.importer.onnx.proto.OnnxProto.AttributeProto>();
    attrs.add(Attr.ints("strides", stride, stride));
    attrs.add(Attr.ints("dilations", dilation, dilation));
    attrs.add(Attr.i("group", group));
    if (autoPad.equals("NOTSET")) {
      attrs.add(Attr.ints("pads", p));
    } else {
      attrs.add(Attr.s("auto_pad", autoPad));
    }
    b.node("Conv", bias ? List.of("x", "w", "b") : List.of("x", "w"), List.of("y"),
        attrs.toArray(new dev.kiln.compiler.importer.onnx.proto.OnnxProto.AttributeProto[0]));
    b.output("y");
    Oracle.assertMatchesOrt(b.build(), Map.of("x", Tensors.random(3, 2, c, h, w)), "Conv");
  }

  @Test
  void conv1dMatchesOrt() {
    ModelBuilder b = new ModelBuilder(13)
        .input("x", 1, 3, 17)
        .initializer("w", Tensors.random(1, 4, 3, 3))
        .node("Conv", List.of("x", "w"), List.of("y"), Attr.ints("pads", 1, 2), Attr.ints("strides", 2))
        .output("y");
    Oracle.assertMatchesOrt(b.build(), Map.of("x", Tensors.random(3, 1, 3, 17)), "Conv1d");
  }

  @Test
  void infersOutputShape() {
    Graph g = new ModelBuilder(13)
        .input("x", 1, 3, 224, 224)
        .initializer("w", Tensors.random(1, 64, 3, 7, 7))
        .node("Conv", List.of("x", "w"), List.of("y"), Attr.ints("pads", 3, 3, 3, 3),
            Attr.ints("strides", 2, 2))
        .output("y")
        .importGraph();
    assertEquals(TensorType.float32(1, 64, 112, 112), g.type("y"));
  }

  @Test
  void kernelShapeDisagreeingWithWeightsIsAnError() {
    ModelBuilder b = new ModelBuilder(13)
        .input("x", 1, 3, 8, 8)
        .initializer("w", Tensors.random(1, 64, 3, 5, 5))
        .namedNode("Conv_12", "Conv", List.of("x", "w"), List.of("y"), Attr.ints("kernel_shape", 3, 3))
        .output("y");
    KilnException e = assertThrows(KilnException.class, b::importGraph);
    assertEquals("test.onnx: node 'Conv_12' (Conv, opset 13): kernel_shape [3, 3] does not match"
        + " the weights' spatial shape [5, 5]", e.getMessage());
  }

  @Test
  void channelMismatchIsAnError() {
    ModelBuilder b = new ModelBuilder(13)
        .input("x", 1, 4, 8, 8)
        .initializer("w", Tensors.random(1, 8, 3, 3, 3))
        .namedNode("c", "Conv", List.of("x", "w"), List.of("y"))
        .output("y");
    KilnException e = assertThrows(KilnException.class, b::importGraph);
    assertEquals("test.onnx: node 'c' (Conv, opset 13): weights [8,3,3,3] expect 3 input channels"
        + " (group 1) but the input [1,4,8,8] has 4", e.getMessage());
  }
}
