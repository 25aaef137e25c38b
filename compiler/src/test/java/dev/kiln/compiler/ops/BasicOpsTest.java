package dev.kiln.compiler.ops;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.kiln.compiler.KilnException;
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
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The first operators against ONNX Runtime: BatchNormalization, Relu, Clip, the arithmetic binaries,
 * Gemm, Flatten, Softmax, Cast, Reshape, Shape, Constant and Identity, with their attribute variants.
 */
class BasicOpsTest {
  @Test
  void batchNormalizationMatchesOrt() {
    for (int opset : new int[] {7, 9, 14, 15}) {
      ModelBuilder b = new ModelBuilder(opset).input("x", 2, 5, 4, 3)
          .initializer("scale", Tensors.random(1, 5)).initializer("bias", Tensors.random(2, 5))
          .initializer("mean", Tensors.random(3, 5))
          .initializer("var", Tensors.uniform(4, 0.1f, 2f, 5))
          .node("BatchNormalization", List.of("x", "scale", "bias", "mean", "var"), List.of("y"),
              Attr.f("epsilon", 1e-3f))
          .output("y");
      Oracle.assertMatchesOrt(b.build(), Map.of("x", Tensors.random(5, 2, 5, 4, 3)), "BN opset " + opset);
    }
  }

  @Test
  void trainingModeBatchNormalizationIsAnError() {
    ModelBuilder b = new ModelBuilder(15).input("x", 1, 2, 3, 3)
        .initializer("s", Tensors.random(1, 2)).initializer("b", Tensors.random(2, 2))
        .initializer("m", Tensors.random(3, 2)).initializer("v", Tensors.uniform(4, 0.1f, 1f, 2))
        .namedNode("bn", "BatchNormalization", List.of("x", "s", "b", "m", "v"), List.of("y"),
            Attr.i("training_mode", 1))
        .output("y");
    assertEquals("test.onnx: node 'bn' (BatchNormalization, opset 15): training_mode=1 is not"
        + " supported: Kiln compiles inference graphs", assertThrows(KilnException.class, b::importGraph).getMessage());
  }

  @Test
  void reluMatchesOrtIncludingSpecialValues() {
    Tensor x = Tensor.ofFloats(Shape.of(2, 4), -1f, 0f, -0f, 3f, Float.NaN, Float.NEGATIVE_INFINITY,
        Float.POSITIVE_INFINITY, 1e-30f);
    ModelBuilder b = new ModelBuilder(14).input("x", 2, 4).node("Relu", List.of("x"), List.of("y")).output("y");
    Oracle.assertMatchesOrt(b.build(), Map.of("x", x), "Relu");
  }

  /** opset | min | max (empty: absent). Before 11 bounds are attributes; from 11, inputs. */
  @ParameterizedTest(name = "Clip opset {0} min={1} max={2}")
  @CsvSource({"7, 0, 6", "10, -0.5, ", "7, , 0.25", "11, 0, 6", "11, , 0.5", "11, -0.25, ", "13, -1, 1",
    "13, , "})
  void clipMatchesOrt(int opset, Float min, Float max) {
    ModelBuilder b = new ModelBuilder(opset).input("x", 3, 7);
    if (opset < 11) {
      List<dev.kiln.compiler.importer.onnx.proto.OnnxProto.AttributeProto> attrs = new java.util.ArrayList<>();
      if (min != null) {
        attrs.add(Attr.f("min", min));
      }
      if (max != null) {
        attrs.add(Attr.f("max", max));
      }
      b.node("Clip", List.of("x"), List.of("y"),
          attrs.toArray(new dev.kiln.compiler.importer.onnx.proto.OnnxProto.AttributeProto[0]));
    } else {
      if (min != null) {
        b.initializer("lo", Tensors.scalar(min));
      }
      if (max != null) {
        b.initializer("hi", Tensors.scalar(max));
      }
      b.node("Clip", List.of("x", min == null ? "" : "lo", max == null ? "" : "hi"), List.of("y"));
    }
    b.output("y");
    Oracle.assertMatchesOrt(b.build(), Map.of("x", Tensors.uniform(9, -3f, 8f, 3, 7)), "Clip");
  }

  /** op | a dims | b dims (':'-separated; 's' for a scalar). */
  @ParameterizedTest(name = "{0} {1} {2}")
  @CsvSource({
    "Add, 2:3:4:5, 2:3:4:5", "Add, 2:3:4:5, 3:1:1", "Add, 1:3:1:5, 2:1:4:1", "Add, 4, s",
    "Sub, 2:3:4, 4", "Sub, 1:5, 5:1", "Mul, 2:3:4:5, 1:3:1:1", "Mul, s, 3:2", "Div, 2:3, 2:3",
    "Div, 3:4:5, 1:5", "Pow, 2:3, s", "Pow, 2:3, 3",
  })
  void arithmeticBroadcastsLikeOrt(String op, String aDims, String bDims) {
    int[] a = dims(aDims);
    int[] bd = dims(bDims);
    boolean positive = op.equals("Pow") || op.equals("Div");
    ModelBuilder m = new ModelBuilder(13).input("a", a).input("b", bd)
        .node(op, List.of("a", "b"), List.of("y")).output("y");
    Tensor av = positive ? Tensors.uniform(1, 0.5f, 2f, a) : Tensors.random(1, a);
    Tensor bv = positive ? Tensors.uniform(2, 0.5f, 2f, bd) : Tensors.random(2, bd);
    Oracle.assertMatchesOrt(m.build(), Map.of("a", av, "b", bv), op);
  }

  @Test
  void integerArithmeticFoldsLikeOrt() {
    ModelBuilder m = new ModelBuilder(13).input("a", DType.INT64, 4).input("b", DType.INT64, 4)
        .node("Div", List.of("a", "b"), List.of("q")).node("Mul", List.of("q", "b"), List.of("p"))
        .node("Sub", List.of("a", "p"), List.of("r")).output("r").output("q");
    Tensor a = Tensor.ofLongs(DType.INT64, Shape.of(4), 7, -7, 9, 100);
    Tensor b = Tensor.ofLongs(DType.INT64, Shape.of(4), 2, 2, -4, 7);
    Oracle.assertMatchesOrt(m.build(), Map.of("a", a, "b", b), "int64 arithmetic");
  }

  @Test
  void incompatibleShapesAreAnError() {
    ModelBuilder m = new ModelBuilder(13).input("a", 1, 3).input("b", 1, 4)
        .namedNode("add", "Add", List.of("a", "b"), List.of("y")).output("y");
    assertEquals("test.onnx: node 'add' (Add, opset 13): shapes [1,3] and [1,4] cannot be broadcast together",
        assertThrows(KilnException.class, m::importGraph).getMessage());
  }

  /** transA | transB | alpha | beta | C dims (':'-separated; empty: no C). */
  @ParameterizedTest(name = "Gemm transA={0} transB={1} alpha={2} beta={3} C={4}")
  @CsvSource({"0, 1, 1, 1, 6", "0, 0, 1, 1, 5:6", "1, 0, 0.5, 2, 1:6", "1, 1, 1, 1, 5:1", "0, 1, 1, 0, 6",
    "0, 1, 2.5, 1, ", "0, 0, 1, -1, s"})
  void gemmMatchesOrt(int transA, int transB, float alpha, float beta, String cDims) {
    int m = 5;
    int k = 7;
    int n = 6;
    ModelBuilder b = new ModelBuilder(13)
        .input("a", transA == 1 ? new int[] {k, m} : new int[] {m, k})
        .initializer("b", Tensors.random(3, transB == 1 ? new int[] {n, k} : new int[] {k, n}));
    List<String> inputs = new java.util.ArrayList<>(List.of("a", "b"));
    if (cDims != null) {
      b.initializer("c", Tensors.random(4, dims(cDims)));
      inputs.add("c");
    }
    b.node("Gemm", inputs, List.of("y"), Attr.i("transA", transA), Attr.i("transB", transB),
        Attr.f("alpha", alpha), Attr.f("beta", beta)).output("y");
    int[] aShape = transA == 1 ? new int[] {k, m} : new int[] {m, k};
    Oracle.assertMatchesOrt(b.build(), Map.of("a", Tensors.random(5, aShape)), "Gemm");
  }

  @ParameterizedTest
  @ValueSource(ints = {0, 1, 2, 3, -1, -3})
  void flattenMatchesOrt(int axis) {
    ModelBuilder b = new ModelBuilder(13).input("x", 2, 3, 4)
        .node("Flatten", List.of("x"), List.of("y"), Attr.i("axis", axis)).output("y");
    Oracle.assertMatchesOrt(b.build(), Map.of("x", Tensors.random(1, 2, 3, 4)), "Flatten axis " + axis);
  }

  /** opset | axis (empty: default). Before 13 the input is coerced to 2-D at the axis. */
  @ParameterizedTest(name = "Softmax opset {0} axis {1}")
  @CsvSource({"11, ", "11, 2", "11, 0", "13, ", "13, 1", "13, 0", "13, -2"})
  void softmaxMatchesOrt(int opset, Integer axis) {
    ModelBuilder b = new ModelBuilder(opset).input("x", 2, 3, 4);
    if (axis == null) {
      b.node("Softmax", List.of("x"), List.of("y"));
    } else {
      b.node("Softmax", List.of("x"), List.of("y"), Attr.i("axis", axis));
    }
    b.output("y");
    Oracle.assertMatchesOrt(b.build(), Map.of("x", Tensors.uniform(3, -20f, 20f, 2, 3, 4)), "Softmax");
  }

  /** to (ONNX code) — float inputs with fractions and negatives, truncated toward zero. */
  @ParameterizedTest
  @ValueSource(ints = {1, 6, 7, 9})
  void castFromFloatMatchesOrt(int to) {
    Tensor x = Tensor.ofFloats(Shape.of(6), -2.7f, -0.5f, 0f, 0.5f, 3.9f, 1e3f);
    ModelBuilder b = new ModelBuilder(13).input("x", 6)
        .node("Cast", List.of("x"), List.of("y"), Attr.i("to", to)).output("y");
    Oracle.assertMatchesOrt(b.build(), Map.of("x", x), "Cast to " + to);
  }

  @Test
  void castFromIntegersMatchesOrt() {
    Tensor x = Tensor.ofLongs(DType.INT64, Shape.of(4), -3, 0, 7, 1L << 40);
    ModelBuilder b = new ModelBuilder(13).input("x", DType.INT64, 4)
        .node("Cast", List.of("x"), List.of("f"), Attr.i("to", 1))
        .node("Cast", List.of("x"), List.of("i"), Attr.i("to", 6))
        .node("Cast", List.of("x"), List.of("b"), Attr.i("to", 9))
        .output("f").output("i").output("b");
    Oracle.assertMatchesOrt(b.build(), Map.of("x", x), "Cast from int64");
  }

  /** target shape (':'-separated) | allowzero. */
  @ParameterizedTest(name = "Reshape to {0} allowzero={1}")
  @CsvSource({"4:6, 0", "-1, 0", "0:-1, 0", "2:0:4, 0", "3:2:4, 1", "1:1:24, 0", "24, 0"})
  void reshapeMatchesOrt(String target, int allowZero) {
    long[] shape = Arrays.stream(target.split(":")).mapToLong(Long::parseLong).toArray();
    ModelBuilder b = new ModelBuilder(14).input("x", 2, 3, 4)
        .initializer("shape", Tensors.int64(shape))
        .node("Reshape", List.of("x", "shape"), List.of("y"), Attr.i("allowzero", allowZero)).output("y");
    Oracle.assertMatchesOrt(b.build(), Map.of("x", Tensors.random(1, 2, 3, 4)), "Reshape");
  }

  @Test
  void reshapeToAnImpossibleShapeIsAnError() {
    ModelBuilder b = new ModelBuilder(13).input("x", 2, 3, 4)
        .initializer("shape", Tensors.int64(5, -1))
        .namedNode("r", "Reshape", List.of("x", "shape"), List.of("y")).output("y");
    assertEquals("test.onnx: node 'r' (Reshape, opset 13): cannot reshape [2,3,4] to [5, -1]",
        assertThrows(KilnException.class, b::importGraph).getMessage());
  }

  /** start | end (empty: absent), opset 15. */
  @ParameterizedTest(name = "Shape start={0} end={1}")
  @CsvSource({", ", "1, ", ", -1", "-3, 3", "2, 1", "-10, 10"})
  void shapeMatchesOrt(Integer start, Integer end) {
    List<dev.kiln.compiler.importer.onnx.proto.OnnxProto.AttributeProto> attrs = new java.util.ArrayList<>();
    if (start != null) {
      attrs.add(Attr.i("start", start));
    }
    if (end != null) {
      attrs.add(Attr.i("end", end));
    }
    ModelBuilder b = new ModelBuilder(15).input("x", 2, 3, 4, 5)
        .node("Shape", List.of("x"), List.of("y"),
            attrs.toArray(new dev.kiln.compiler.importer.onnx.proto.OnnxProto.AttributeProto[0]))
        .output("y");
    Oracle.assertMatchesOrt(b.build(), Map.of("x", Tensors.random(1, 2, 3, 4, 5)), "Shape");
  }

  @Test
  void constantForms() {
    ModelBuilder b = new ModelBuilder(13).input("x", 3)
        .node("Constant", List.of(), List.of("t"), Attr.tensor("value", Tensors.random(2, 3)))
        .node("Constant", List.of(), List.of("f"), Attr.f("value_float", 1.5f))
        .node("Constant", List.of(), List.of("fs"), Attr.floats("value_floats", 1f, 2f, 3f))
        .node("Add", List.of("x", "t"), List.of("a")).node("Mul", List.of("a", "f"), List.of("m"))
        .node("Sub", List.of("m", "fs"), List.of("y"))
        .node("Constant", List.of(), List.of("is"), Attr.ints("value_ints", 4, 5))
        .node("Constant", List.of(), List.of("i"), Attr.i("value_int", 9))
        .output("y").output("is").output("i");
    Oracle.assertMatchesOrt(b.build(), Map.of("x", Tensors.random(1, 3)), "Constant");
    Graph g = b.importGraph();
    assertEquals(new TensorType(DType.INT64, Shape.SCALAR), g.type("i"));
  }

  @Test
  void identityMatchesOrt() {
    ModelBuilder b = new ModelBuilder(13).input("x", 2, 2)
        .node("Identity", List.of("x"), List.of("y")).output("y");
    Oracle.assertMatchesOrt(b.build(), Map.of("x", Tensors.random(1, 2, 2)), "Identity");
  }

  private static int[] dims(String text) {
    return text.equals("s") ? new int[0] : Arrays.stream(text.split(":")).mapToInt(Integer::parseInt).toArray();
  }
}
