package dev.kiln.compiler.ops;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.kiln.compiler.KilnException;
import dev.kiln.compiler.importer.onnx.proto.OnnxProto.AttributeProto;
import dev.kiln.compiler.ir.Attributes;
import dev.kiln.compiler.testing.Attr;
import dev.kiln.compiler.testing.ModelBuilder;
import dev.kiln.compiler.testing.Oracle;
import dev.kiln.compiler.testing.Tensors;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class LayerNormalizationTest {
  /**
   * Each case: opset, X dims, axis ({@code -} for the default), Scale dims, B dims ({@code -} for
   * none), epsilon ({@code -} for the default). The input is offset from zero so the mean matters.
   */
  @ParameterizedTest(name = "[{index}] opset {0} x[{1}] axis={2} scale[{3}] b[{4}] eps={5}")
  @CsvSource({
    "17, 2:5:24,   -, 24,     24,   -",
    "17, 2:5:24,   -, 24,     -,    -",
    "17, 3:7:5,    1, 7:5,    7:5,  -",
    "17, 3:7:5,   -2, 7:5,    1:5,  0.001",
    "17, 2:3:4:5,  2, 4:5,    5,    -",
    "17, 2:3:4:5,  0, 2:3:4:5, 3:1:1, -",
    "17, 6:13,    -1, 1:13,   13,   0.1",
    "17, 2:6:13,  -1, 1:1:13, 1:13, -",
    "17, 2:6:4,    1, 1:6:1,  4,    -",
    "21, 4:31,     -, 31,     31,   -",
  })
  void matchesOrt(int opset, String xDims, String axis, String scaleDims, String biasDims,
      String epsilon) {
    int[] x = UnaryElementwiseTest.parseDims(xDims);
    ModelBuilder b = new ModelBuilder(opset)
        .input("x", x)
        .initializer("scale", Tensors.uniform(2, 0.5f, 1.5f, UnaryElementwiseTest.parseDims(scaleDims)));
    List<String> inputs = new ArrayList<>(List.of("x", "scale"));
    if (!biasDims.equals("-")) {
      b.initializer("bias", Tensors.random(3, UnaryElementwiseTest.parseDims(biasDims)));
      inputs.add("bias");
    }
    List<AttributeProto> attrs = new ArrayList<>();
    if (!axis.equals("-")) {
      attrs.add(Attr.i("axis", Integer.parseInt(axis)));
    }
    if (!epsilon.equals("-")) {
      attrs.add(Attr.f("epsilon", Float.parseFloat(epsilon)));
    }
    b.node("LayerNormalization", inputs, List.of("y"), attrs.toArray(new AttributeProto[0]))
        .output("y");
    OpAssertions.assertAttributesRoundTrip(b);
    Oracle.assertMatchesOrt(b.build(), Map.of("x", Tensors.uniform(1, 2f, 4f, x)),
        "LayerNormalization x[" + xDims + "] axis " + axis);
  }

  @Test
  void explicitFloatStashTypeMatchesOrt() {
    ModelBuilder b = new ModelBuilder(17)
        .input("x", 3, 10)
        .initializer("scale", Tensors.random(2, 10))
        .node("LayerNormalization", List.of("x", "scale"), List.of("y"), Attr.i("stash_type", 1))
        .output("y");
    OpAssertions.assertAttributesRoundTrip(b);
    Oracle.assertMatchesOrt(b.build(), Map.of("x", Tensors.random(1, 3, 10)), "stash_type 1");
  }

  @Test
  void defaultsAreTheSpecs() {
    assertEquals(new LayerNormalization(-1, 1e-5f, 1),
        OpRegistry.create("LayerNormalization", Attributes.EMPTY, 17));
  }

  /** Mean and InvStdDev, as ONNX's conformance tests use them, match ONNX Runtime. */
  @Test
  void meanAndInvStdDevMatchOrt() {
    ModelBuilder b = new ModelBuilder(17)
        .input("x", 2, 3, 8)
        .initializer("scale", Tensors.random(2, 3, 8))
        .namedNode("ln", "LayerNormalization", List.of("x", "scale"), List.of("y", "mean", "inv"),
            Attr.i("axis", 1))
        .output("y")
        .output("mean")
        .output("inv");
    Oracle.assertMatchesOrt(b.build(), Map.of("x", Tensors.random(3, 2, 3, 8)), "LayerNorm stats");
  }

  @Test
  void invStdDevAloneMatchesOrt() {
    ModelBuilder b = new ModelBuilder(17)
        .input("x", 4, 8)
        .initializer("scale", Tensors.random(2, 8))
        .namedNode("ln", "LayerNormalization", List.of("x", "scale"), List.of("y", "", "inv"))
        .output("y")
        .output("inv");
    Oracle.assertMatchesOrt(b.build(), Map.of("x", Tensors.random(3, 4, 8)), "LayerNorm inv");
  }

  @Test
  void unusedTrailingOutputsAreFine() {
    ModelBuilder b = new ModelBuilder(17)
        .input("x", 2, 8)
        .initializer("scale", Tensors.random(2, 8))
        .node("LayerNormalization", List.of("x", "scale"), List.of("y", "", ""))
        .output("y");
    Oracle.assertMatchesOrt(b.build(), Map.of("x", Tensors.random(1, 2, 8)), "Y only, empty names");
  }

  @Test
  void scaleNotMatchingTheNormalizedShapeIsAnError() {
    ModelBuilder b = new ModelBuilder(17)
        .input("x", 2, 6, 8)
        .initializer("scale", Tensors.random(2, 6))
        .namedNode("ln", "LayerNormalization", List.of("x", "scale"), List.of("y"))
        .output("y");
    KilnException e = assertThrows(KilnException.class, b::importGraph);
    assertEquals("test.onnx: node 'ln' (LayerNormalization, opset 17): Scale [6] does not broadcast to"
        + " the normalized shape [8] (X [2,6,8], axis -1)", e.getMessage());
  }

  @Test
  void scaleVaryingAcrossRowsIsAnError() {
    ModelBuilder b = new ModelBuilder(17)
        .input("x", 6, 8)
        .initializer("scale", Tensors.random(2, 6, 8))
        .namedNode("ln", "LayerNormalization", List.of("x", "scale"), List.of("y"))
        .output("y");
    KilnException e = assertThrows(KilnException.class, b::importGraph);
    assertEquals("test.onnx: node 'ln' (LayerNormalization, opset 17): Scale [6,8] does not broadcast to"
        + " the normalized shape [8] (X [6,8], axis -1)", e.getMessage());
  }

  @Test
  void axisOutOfRangeIsAnError() {
    ModelBuilder b = new ModelBuilder(17)
        .input("x", 2, 8)
        .initializer("scale", Tensors.random(2, 8))
        .namedNode("ln", "LayerNormalization", List.of("x", "scale"), List.of("y"), Attr.i("axis", 2))
        .output("y");
    KilnException e = assertThrows(KilnException.class, b::importGraph);
    assertEquals("test.onnx: node 'ln' (LayerNormalization, opset 17): axis 2 is out of range for"
        + " rank 2", e.getMessage());
  }

  @Test
  void halfPrecisionStashTypeIsAnError() {
    ModelBuilder b = new ModelBuilder(17)
        .input("x", 2, 8)
        .initializer("scale", Tensors.random(2, 8))
        .namedNode("ln", "LayerNormalization", List.of("x", "scale"), List.of("y"),
            Attr.i("stash_type", 10))
        .output("y");
    KilnException e = assertThrows(KilnException.class, b::importGraph);
    assertEquals("test.onnx: node 'ln' (LayerNormalization, opset 17): stash_type FLOAT16 (10) is not"
        + " supported (FLOAT (1) or DOUBLE (11))", e.getMessage());
  }

  @Test
  void beforeOpset17IsAnError() {
    ModelBuilder b = new ModelBuilder(16)
        .input("x", 2, 8)
        .initializer("scale", Tensors.random(2, 8))
        .namedNode("ln", "LayerNormalization", List.of("x", "scale"), List.of("y"))
        .output("y");
    KilnException e = assertThrows(KilnException.class, b::importGraph);
    assertEquals("test.onnx: node 'ln' (LayerNormalization, opset 16): this operator was introduced"
        + " in opset 17", e.getMessage());
  }

  @Test
  void costCountsEightFlopsPerElementWithBias() {
    var cost = OpAssertions.onlyNodeCost(new ModelBuilder(17)
        .input("x", 4, 8)
        .initializer("scale", Tensors.random(2, 8))
        .initializer("bias", Tensors.random(3, 8))
        .node("LayerNormalization", List.of("x", "scale", "bias"), List.of("y"))
        .output("y"));
    assertEquals(8 * 32, cost.flops());
    assertEquals(64, cost.parameterBytes());
  }
}
