package dev.kiln.compiler.ops;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.kiln.compiler.KilnException;
import dev.kiln.compiler.exec.GraphInterpreter;
import dev.kiln.compiler.ir.DType;
import dev.kiln.compiler.ir.Graph;
import dev.kiln.compiler.ir.Shape;
import dev.kiln.compiler.ir.Tensor;
import dev.kiln.compiler.ir.TensorType;
import dev.kiln.compiler.testing.Attr;
import dev.kiln.compiler.testing.ModelBuilder;
import dev.kiln.compiler.testing.Oracle;
import dev.kiln.compiler.testing.TensorAssert;
import dev.kiln.compiler.testing.Tensors;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class DropoutTest {
  private static final Tensor X = Tensors.uniform(1, -3f, 3f, 2, 3, 5);

  /** Output Y only: an identity at every opset, with the ratio at its default. */
  @ParameterizedTest(name = "opset {0}")
  @ValueSource(ints = {7, 10, 12, 13, 21})
  void outputIsTheInput(int opset) {
    ModelBuilder b = new ModelBuilder(opset)
        .input("x", 2, 3, 5)
        .node("Dropout", List.of("x"), List.of("d"))
        .node("Relu", List.of("d"), List.of("y"))
        .output("y");
    OpAssertions.assertAttributesRoundTrip(b);
    Oracle.assertMatchesOrt(b.build(), Map.of("x", X), "Dropout opset " + opset);
  }

  @Test
  void ratioAttributeBeforeOpset12MatchesOrt() {
    ModelBuilder b = new ModelBuilder(10)
        .input("x", 2, 3, 5)
        .node("Dropout", List.of("x"), List.of("y"), Attr.f("ratio", 0.3f))
        .output("y");
    assertEquals(new Dropout(0.3f, null, false, DType.BOOL), b.importGraph().nodes().get(0).op());
    OpAssertions.assertAttributesRoundTrip(b);
    Oracle.assertMatchesOrt(b.build(), Map.of("x", X), "ratio attribute");
  }

  /** From opset 12 ONNX Runtime's mask is all true too, so it is compared as well. */
  @ParameterizedTest(name = "opset {0}")
  @ValueSource(ints = {12, 13, 21})
  void maskMatchesOrtFromOpset12(int opset) {
    ModelBuilder b = new ModelBuilder(opset)
        .input("x", 2, 3, 5)
        .node("Dropout", List.of("x"), List.of("y", "mask"), Attr.i("seed", 7))
        .output("y")
        .output("mask");
    OpAssertions.assertAttributesRoundTrip(b);
    Oracle.assertMatchesOrt(b.build(), Map.of("x", X), "Dropout mask opset " + opset);
  }

  @Test
  void ratioAndFalseTrainingModeInputsMatchOrt() {
    ModelBuilder b = new ModelBuilder(13)
        .input("x", 2, 3, 5)
        .initializer("ratio", Tensors.scalar(0.25f))
        .initializer("training", Tensors.ints(DType.BOOL, new int[0], 0))
        .node("Dropout", List.of("x", "ratio", "training"), List.of("y", "mask"))
        .output("y")
        .output("mask");
    Oracle.assertMatchesOrt(b.build(), Map.of("x", X), "Dropout with ratio and training_mode=false");
  }

  /**
   * ONNX Runtime fills the mask with false before opset 12 (its kernel there is a copy that zeroes
   * the mask); the mask means "kept", and at inference everything is kept, so Kiln's is all true.
   */
  @Test
  void maskAtOpset10IsAllTrueBool() {
    ModelBuilder b = new ModelBuilder(10)
        .input("x", 2, 3, 5)
        .node("Dropout", List.of("x"), List.of("y", "mask"))
        .output("y")
        .output("mask");
    Map<String, Tensor> out = run(b);
    TensorAssert.assertBitIdentical(X, out.get("y"), "y");
    TensorAssert.assertBitIdentical(Tensor.adopt(DType.BOOL, X.shape(), filled(30, 1)),
        out.get("mask"), "mask");
  }

  /** Before opset 10 the mask has the input's type. */
  @Test
  void maskAtOpset7IsOnesOfTheInputsType() {
    ModelBuilder b = new ModelBuilder(7)
        .input("x", 2, 3, 5)
        .node("Dropout", List.of("x"), List.of("y", "mask"))
        .output("y")
        .output("mask");
    Graph g = b.importGraph();
    assertEquals(TensorType.float32(2, 3, 5), g.type("mask"));
    float[] ones = new float[30];
    Arrays.fill(ones, 1f);
    TensorAssert.assertBitIdentical(Tensor.adopt(Shape.of(2, 3, 5), ones), run(b).get("mask"), "mask");
  }

  @Test
  void trueTrainingModeIsAnError() {
    ModelBuilder b = new ModelBuilder(13)
        .input("x", 2, 3)
        .initializer("training", Tensors.ints(DType.BOOL, new int[0], 1))
        .namedNode("drop", "Dropout", List.of("x", "", "training"), List.of("y"))
        .output("y");
    KilnException e = assertThrows(KilnException.class, b::importGraph);
    assertEquals("test.onnx: node 'drop' (Dropout, opset 13): training_mode is true: Kiln compiles"
        + " inference graphs", e.getMessage());
  }

  @Test
  void trainingModeKnownOnlyAtRunTimeIsAnError() {
    ModelBuilder b = new ModelBuilder(12)
        .input("x", 2, 3)
        .input("training", DType.BOOL)
        .namedNode("drop", "Dropout", List.of("x", "", "training"), List.of("y"))
        .output("y");
    KilnException e = assertThrows(KilnException.class, b::importGraph);
    assertEquals("test.onnx: node 'drop' (Dropout, opset 12): training_mode must be known at compile"
        + " time to be false: Kiln compiles inference graphs", e.getMessage());
  }

  @Test
  void ratioAttributeFromOpset12IsAnError() {
    ModelBuilder b = new ModelBuilder(13)
        .input("x", 2, 3)
        .namedNode("drop", "Dropout", List.of("x"), List.of("y"), Attr.f("ratio", 0.5f))
        .output("y");
    KilnException e = assertThrows(KilnException.class, b::importGraph);
    assertEquals("test.onnx: node 'drop' (Dropout, opset 13): attribute 'ratio' is an input from"
        + " opset 12", e.getMessage());
  }

  @Test
  void ratioInputBeforeOpset12IsAnError() {
    ModelBuilder b = new ModelBuilder(10)
        .input("x", 2, 3)
        .initializer("ratio", Tensors.scalar(0.5f))
        .namedNode("drop", "Dropout", List.of("x", "ratio"), List.of("y"))
        .output("y");
    KilnException e = assertThrows(KilnException.class, b::importGraph);
    assertEquals("test.onnx: node 'drop' (Dropout, opset 10): expects 1 input, got 2", e.getMessage());
  }

  @Test
  void costMovesDataWithoutArithmetic() {
    var cost = OpAssertions.onlyNodeCost(new ModelBuilder(13)
        .input("x", 2, 3, 5)
        .node("Dropout", List.of("x"), List.of("y", "mask"))
        .output("y"));
    assertEquals(0, cost.flops());
    assertEquals(120, cost.bytesRead());
    assertEquals(120 + 30, cost.bytesWritten());
  }

  private static Map<String, Tensor> run(ModelBuilder b) {
    return GraphInterpreter.run(b.importGraph(), Map.of("x", X));
  }

  private static long[] filled(int n, long value) {
    long[] out = new long[n];
    Arrays.fill(out, value);
    return out;
  }
}
