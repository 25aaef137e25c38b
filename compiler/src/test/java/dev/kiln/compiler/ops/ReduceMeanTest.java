package dev.kiln.compiler.ops;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.kiln.compiler.KilnException;
import dev.kiln.compiler.importer.onnx.proto.OnnxProto.AttributeProto;
import dev.kiln.compiler.ir.DType;
import dev.kiln.compiler.ir.Shape;
import dev.kiln.compiler.ir.Tensor;
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

/**
 * ReduceMean in both forms: axes as an attribute (opsets 7, 11, 13) and as an input (18+), where
 * {@code none} leaves the input out and {@code empty} passes an empty axes tensor.
 */
class ReduceMeanTest {
  /** Each case: opset, input dims, axes ({@code -} for none given), keepdims, noop_with_empty_axes, output dims. */
  @ParameterizedTest(name = "[{index}] opset {0} x[{1}] axes={2} keepdims={3} noop={4}")
  @CsvSource({
    "7,  2:3:5:7, 1,     1, 0, 2:1:5:7",
    "11, 2:3:5:7, -1,    0, 0, 2:3:5",
    "13, 2:3:5:7, 2:3,   1, 0, 2:3:1:1",
    "13, 2:3:5:7, 0:2,   0, 0, 3:7",
    "13, 2:3:5:7, -,     1, 0, 1:1:1:1",
    "13, 2:3:5:7, -,     0, 0, ''",
    "13, 13,      0,     0, 0, ''",
    "13, 3:1:11,  -3:-1, 1, 0, 1:1:1",
    "18, 2:3:5:7, 1,     1, 0, 2:1:5:7",
    "18, 2:3:5:7, 3:-3,  0, 0, 2:5",
    "18, 2:3:5:7, none,  1, 0, 1:1:1:1",
    "18, 2:3:5:7, none,  0, 1, 2:3:5:7",
    "18, 2:3:5:7, empty, 0, 0, ''",
    "18, 2:3:5:7, empty, 1, 1, 2:3:5:7",
    "21, 4:97,    1,     0, 0, 4",
  })
  void matchesOrt(int opset, String xDims, String axes, int keepDims, int noop, String outDims) {
    int[] x = UnaryElementwiseTest.parseDims(xDims);
    ModelBuilder b = new ModelBuilder(opset).input("x", x);
    List<AttributeProto> attrs = new ArrayList<>();
    attrs.add(Attr.i("keepdims", keepDims));
    if (noop != 0) {
      attrs.add(Attr.i("noop_with_empty_axes", noop));
    }
    List<String> inputs = new ArrayList<>(List.of("x"));
    if (opset < 18) {
      if (!axes.equals("-")) {
        attrs.add(Attr.ints("axes", parseAxes(axes)));
      }
    } else if (!axes.equals("none")) {
      b.initializer("axes", Tensors.int64(axes.equals("empty") ? new long[0] : parseAxes(axes)));
      inputs.add("axes");
    }
    b.node("ReduceMean", inputs, List.of("y"), attrs.toArray(new AttributeProto[0])).output("y");
    assertEquals(TensorType.of(DType.FLOAT32, Shape.of(UnaryElementwiseTest.parseDims(outDims))),
        OpAssertions.assertAttributesRoundTrip(b).type("y"));
    Oracle.assertMatchesOrt(b.build(), Map.of("x", Tensors.uniform(3, -2f, 5f, x)),
        "ReduceMean opset " + opset + " axes " + axes);
  }

  /** Exporters compute the axes in the graph (here [3] − 2 from Shape); they still fold to constants. */
  @Test
  void axesComputedFromStaticShapesAreKnown() {
    ModelBuilder b = new ModelBuilder(18)
        .input("x", 2, 3, 5)
        .node("Shape", List.of("x"), List.of("s"), Attr.i("start", 1), Attr.i("end", 2))
        .initializer("two", Tensors.int64(2))
        .node("Sub", List.of("s", "two"), List.of("axes"))
        .node("ReduceMean", List.of("x", "axes"), List.of("y"), Attr.i("keepdims", 0))
        .output("y");
    assertEquals(TensorType.float32(2, 5), b.importGraph().type("y"));
    Oracle.assertMatchesOrt(b.build(), Map.of("x", Tensors.random(4, 2, 3, 5)), "computed axes");
  }

  /**
   * Values near 1000 summed in float would drift by several ulps of the mean over 40,000 terms; the
   * double accumulator keeps the result within one float ulp (6e-5 at 1000) of the exact mean.
   */
  @Test
  void meanOfManyLargeValuesIsExactToFloatPrecision() {
    int n = 40_009;
    Tensor x = Tensors.uniform(5, 1000f, 1001f, 2, n);
    ReduceMean op = new ReduceMean(List.of(1), false, false, false);
    Tensor y = op.evaluate(new Tensor[] {x}, new TensorType[] {TensorType.float32(2)})[0];
    for (int row = 0; row < 2; row++) {
      double exact = 0;
      for (int i = 0; i < n; i++) {
        exact += x.floatAt(row * n + i);
      }
      exact /= n;
      assertEquals(exact, y.floatAt(row), 6.2e-5, "row " + row);
    }
  }

  @Test
  void axesAttributeAtOpset18IsAnError() {
    ModelBuilder b = new ModelBuilder(18)
        .input("x", 2, 3)
        .namedNode("r", "ReduceMean", List.of("x"), List.of("y"), Attr.ints("axes", 1))
        .output("y");
    KilnException e = assertThrows(KilnException.class, b::importGraph);
    assertEquals("test.onnx: node 'r' (ReduceMean, opset 18): attribute 'axes' is an input from"
        + " opset 18", e.getMessage());
  }

  @Test
  void noopWithEmptyAxesBeforeOpset18IsAnError() {
    ModelBuilder b = new ModelBuilder(13)
        .input("x", 2, 3)
        .namedNode("r", "ReduceMean", List.of("x"), List.of("y"), Attr.i("noop_with_empty_axes", 1))
        .output("y");
    KilnException e = assertThrows(KilnException.class, b::importGraph);
    assertEquals("test.onnx: node 'r' (ReduceMean, opset 13): unsupported attribute"
        + " [noop_with_empty_axes]", e.getMessage());
  }

  @Test
  void axisOutOfRangeIsAnError() {
    ModelBuilder b = new ModelBuilder(13)
        .input("x", 2, 3, 4)
        .namedNode("r", "ReduceMean", List.of("x"), List.of("y"), Attr.ints("axes", 0, -4))
        .output("y");
    KilnException e = assertThrows(KilnException.class, b::importGraph);
    assertEquals("test.onnx: node 'r' (ReduceMean, opset 13): axis -4 is out of range for rank 3",
        e.getMessage());
  }

  @Test
  void repeatedAxisIsAnError() {
    ModelBuilder b = new ModelBuilder(18)
        .input("x", 2, 3, 4)
        .initializer("axes", Tensors.int64(1, -2))
        .namedNode("r", "ReduceMean", List.of("x", "axes"), List.of("y"))
        .output("y");
    KilnException e = assertThrows(KilnException.class, b::importGraph);
    assertEquals("test.onnx: node 'r' (ReduceMean, opset 18): axes [1, -2] name axis 1 twice",
        e.getMessage());
  }

  @Test
  void axesOnlyKnownAtRunTimeAreAnError() {
    ModelBuilder b = new ModelBuilder(18)
        .input("x", 2, 3, 4)
        .input("axes", DType.INT64, 1)
        .namedNode("r", "ReduceMean", List.of("x", "axes"), List.of("y"))
        .output("y");
    KilnException e = assertThrows(KilnException.class, b::importGraph);
    assertEquals("test.onnx: node 'r' (ReduceMean, opset 18): input 1 (axes) must be known at compile"
        + " time (a constant or a computation on static shapes)", e.getMessage());
  }

  @Test
  void costIsOneAddPerInputAndOneDividePerOutput() {
    var cost = OpAssertions.onlyNodeCost(new ModelBuilder(13)
        .input("x", 2, 3, 5)
        .node("ReduceMean", List.of("x"), List.of("y"), Attr.ints("axes", 2))
        .output("y"));
    assertEquals(30 + 6, cost.flops());
    assertEquals(120, cost.bytesRead());
    assertEquals(24, cost.bytesWritten());
  }

  @Test
  void evaluatesWithoutTheGraph() {
    ReduceMean op = new ReduceMean(List.of(0), false, false, false);
    Tensor x = Tensor.ofFloats(Shape.of(2, 2), 1f, 2f, 4f, 8f);
    Tensor[] y = op.evaluate(new Tensor[] {x}, new TensorType[] {TensorType.float32(2)});
    assertEquals(Tensor.ofFloats(Shape.of(2), 2.5f, 5f), y[0], Arrays.toString(y));
  }

  private static long[] parseAxes(String axes) {
    return Arrays.stream(axes.split(":")).mapToLong(s -> Long.parseLong(s.trim())).toArray();
  }
}
