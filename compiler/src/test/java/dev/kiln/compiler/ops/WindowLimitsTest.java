package dev.kiln.compiler.ops;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import dev.kiln.compiler.KilnException;
import dev.kiln.compiler.exec.GraphInterpreter;
import dev.kiln.compiler.ir.Graph;
import dev.kiln.compiler.ir.Shape;
import dev.kiln.compiler.ir.Tensor;
import dev.kiln.compiler.testing.Attr;
import dev.kiln.compiler.testing.ModelBuilder;
import dev.kiln.compiler.testing.Oracle;
import dev.kiln.compiler.testing.TensorAssert;
import dev.kiln.compiler.testing.Tensors;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;

/**
 * Window geometry at the edges of what an attribute can say: values that would overflow an int
 * must be rejected rather than wrap into a small window, and a huge pool kernel must cost work in
 * proportion to the input, not to the kernel. Also the pools' clipped loops against ONNX Runtime.
 */
class WindowLimitsTest {
  @Test
  void aDilationThatOverflowsIsRejected() {
    ModelBuilder b = new ModelBuilder(13)
        .input("x", 1, 2, 9, 9)
        .initializer("w", Tensors.random(1, 3, 2, 3, 3))
        .namedNode("c", "Conv", List.of("x", "w"), List.of("y"), Attr.s("auto_pad", "SAME_UPPER"),
            Attr.ints("dilations", 1L << 30, 1))
        .output("y");
    KilnException e = assertThrows(KilnException.class, b::importGraph);
    assertEquals("test.onnx: node 'c' (Conv, opset 13): window too large: kernel [3, 3], dilations"
        + " [1073741824, 1] and pads over input [9, 9] span more than 2147483647 positions",
        e.getMessage());
  }

  @Test
  void padsThatOverflowAreRejected() {
    int max = Integer.MAX_VALUE;
    ModelBuilder b = new ModelBuilder(13)
        .input("x", 1, 2, 9, 9)
        .namedNode("p", "MaxPool", List.of("x"), List.of("y"), Attr.ints("kernel_shape", 3, 3),
            Attr.ints("pads", max, 0, max, 0))
        .output("y");
    KilnException e = assertThrows(KilnException.class, b::importGraph);
    assertEquals("test.onnx: node 'p' (MaxPool, opset 13): window too large: kernel [3, 3],"
        + " dilations [1, 1] and pads over input [9, 9] span more than 2147483647 positions",
        e.getMessage());
  }

  /**
   * kernel_shape [2^31 − 9, 3] with SAME_UPPER pads each plane by about 2^30 rows on either side;
   * every window then covers all 9 rows, and the output is each 3-column band's maximum.
   */
  @Test
  void aHugePoolKernelCostsWorkInProportionToTheInput() {
    int huge = Integer.MAX_VALUE - 8;
    Tensor x = Tensors.random(7, 1, 1, 9, 9);
    Graph g = new ModelBuilder(13)
        .input("x", 1, 1, 9, 9)
        .node("MaxPool", List.of("x"), List.of("y"), Attr.ints("kernel_shape", huge, 3),
            Attr.s("auto_pad", "SAME_UPPER"))
        .output("y")
        .importGraph();
    Tensor y = assertTimeoutPreemptively(Duration.ofSeconds(10),
        () -> GraphInterpreter.run(g, Map.of("x", x)).get("y"));
    float[] expected = new float[81];
    for (int col = 0; col < 9; col++) {
      float max = Float.NEGATIVE_INFINITY;
      for (int r = 0; r < 9; r++) {
        for (int c = Math.max(0, col - 1); c <= Math.min(8, col + 1); c++) {
          max = Math.max(max, x.floatAt(r * 9 + c));
        }
      }
      for (int row = 0; row < 9; row++) {
        expected[row * 9 + col] = max;
      }
    }
    TensorAssert.assertBitIdentical(Tensor.ofFloats(Shape.of(1, 1, 9, 9), expected), y, "MaxPool");
  }

  /** Each case: op, kernel, stride, pads t:l:b:r, dilation, ceil_mode, count_include_pad. */
  @ParameterizedTest(name = "[{index}] {0} k={1} s={2} p={3} d={4} ceil={5} include={6}")
  @CsvSource({
    "MaxPool, 3, 2, 1:1:1:1, 2, 1, 0",
    "MaxPool, 4, 3, 0:2:3:1, 1, 1, 0",
    "MaxPool, 5, 1, 2:2:2:2, 3, 0, 0",
    "AveragePool, 3, 2, 1:1:1:1, 1, 1, 1",
    "AveragePool, 3, 2, 1:0:2:1, 1, 1, 0",
    "AveragePool, 4, 3, 2:2:2:2, 1, 0, 1",
    "AveragePool, 3, 1, 2:1:0:2, 2, 0, 1",
    "AveragePool, 2, 3, 1:1:1:1, 2, 1, 0",
  })
  void clippedPoolsMatchOrt(String op, int k, int stride, String pads, int dilation, int ceil,
      int includePad) {
    long[] p = java.util.Arrays.stream(pads.split(":")).mapToLong(Long::parseLong).toArray();
    var attrs = new java.util.ArrayList<>(List.of(Attr.ints("kernel_shape", k, k),
        Attr.ints("strides", stride, stride), Attr.ints("pads", p),
        Attr.ints("dilations", dilation, dilation), Attr.i("ceil_mode", ceil)));
    if (op.equals("AveragePool")) {
      attrs.add(Attr.i("count_include_pad", includePad));
    }
    ModelBuilder b = new ModelBuilder(19)
        .input("x", 2, 3, 11, 10)
        .node(op, List.of("x"), List.of("y"),
            attrs.toArray(new dev.kiln.compiler.importer.onnx.proto.OnnxProto.AttributeProto[0]))
        .output("y");
    Oracle.assertMatchesOrt(b.build(), Map.of("x", Tensors.random(3, 2, 3, 11, 10)), op);
  }
}
