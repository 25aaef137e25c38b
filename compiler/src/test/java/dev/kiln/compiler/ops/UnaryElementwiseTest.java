package dev.kiln.compiler.ops;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.kiln.compiler.KilnException;
import dev.kiln.compiler.importer.onnx.proto.OnnxProto.AttributeProto;
import dev.kiln.compiler.ir.Attributes;
import dev.kiln.compiler.ir.DType;
import dev.kiln.compiler.ir.TensorType;
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

/**
 * LeakyRelu, Sigmoid, HardSigmoid, HardSwish, Tanh, Erf, Exp, Sqrt and Reciprocal against ONNX
 * Runtime, over inputs in [−6, 6): both saturation regions of the hard activations, negative inputs
 * (Sqrt gives NaN there, as ONNX Runtime does), and inputs near 0 for Reciprocal.
 */
class UnaryElementwiseTest {
  /** Each case: operator, opset, attributes as {@code name=value;...} (floats), input dims. */
  @ParameterizedTest(name = "[{index}] {0} opset {1} {2} x[{3}]")
  @CsvSource(delimiter = '|', value = {
    "LeakyRelu   | 7  |                    | 2:3:5:7",
    "LeakyRelu   | 16 | alpha=0.2          | 2:3:5:7",
    "LeakyRelu   | 13 | alpha=-1.5         | 11",
    "Sigmoid     | 7  |                    | 2:3:5:7",
    "Sigmoid     | 13 |                    | 1",
    "HardSigmoid | 7  |                    | 2:3:5:7",
    "HardSigmoid | 13 | alpha=0.5;beta=0.25 | 4:13",
    "HardSigmoid | 21 | beta=0.1           | 17",
    "HardSwish   | 14 |                    | 2:3:5:7",
    "HardSwish   | 21 |                    | ",
    "Tanh        | 7  |                    | 2:3:5:7",
    "Tanh        | 13 |                    | 19",
    "Erf         | 9  |                    | 2:3:5:7",
    "Erf         | 13 |                    | 31",
    "Exp         | 7  |                    | 2:3:5:7",
    "Exp         | 13 |                    | 3:1:7",
    "Sqrt        | 7  |                    | 2:3:5:7",
    "Sqrt        | 13 |                    | 23",
    "Reciprocal  | 7  |                    | 2:3:5:7",
    "Reciprocal  | 13 |                    | 29",
  })
  void matchesOrt(String op, int opset, String attributes, String dims) {
    int[] shape = parseDims(dims);
    ModelBuilder b = new ModelBuilder(opset)
        .input("x", shape)
        .node(op, List.of("x"), List.of("y"), parseFloatAttributes(attributes))
        .output("y");
    OpAssertions.assertAttributesRoundTrip(b);
    Oracle.assertMatchesOrt(b.build(), Map.of("x", Tensors.uniform(opset, -6f, 6f, shape)),
        op + " opset " + opset);
  }

  /** Only initializers feed the chain: the case constant folding will evaluate. */
  @Test
  void chainOnConstantsMatchesOrt() {
    ModelBuilder b = new ModelBuilder(13)
        .initializer("c", Tensors.uniform(5, -3f, 3f, 4, 6))
        .node("Tanh", List.of("c"), List.of("t"))
        .node("Erf", List.of("t"), List.of("y"))
        .output("y");
    Oracle.assertMatchesOrt(b.build(), Map.of(), "Tanh → Erf on a constant");
  }

  @Test
  void attributeDefaultsAreTheSpecs() {
    assertEquals(new LeakyRelu(0.01f), OpRegistry.create("LeakyRelu", Attributes.EMPTY, 13));
    assertEquals(new HardSigmoid(0.2f, 0.5f), OpRegistry.create("HardSigmoid", Attributes.EMPTY, 13));
  }

  /** FLOPs per element, as documented on each operator. */
  @ParameterizedTest(name = "{0}: {1} FLOPs per element")
  @CsvSource({
    "Relu, 1", "LeakyRelu, 2", "Sigmoid, 3", "HardSigmoid, 4", "HardSwish, 5", "Tanh, 1", "Erf, 1",
    "Exp, 1", "Sqrt, 1", "Reciprocal, 1",
  })
  void costCountsFlopsAndBytes(String op, int flopsPerElement) {
    var cost = OpAssertions.onlyNodeCost(new ModelBuilder(14)
        .input("x", 2, 3, 5)
        .node(op, List.of("x"), List.of("y"))
        .output("y"));
    assertEquals(30L * flopsPerElement, cost.flops());
    assertEquals(120, cost.bytesRead());
    assertEquals(120, cost.bytesWritten());
  }

  @Test
  void hardSwishBeforeOpset14IsAnError() {
    ModelBuilder b = new ModelBuilder(13)
        .input("x", 2, 3)
        .namedNode("h", "HardSwish", List.of("x"), List.of("y"))
        .output("y");
    KilnException e = assertThrows(KilnException.class, b::importGraph);
    assertEquals("test.onnx: node 'h' (HardSwish, opset 13): this operator was introduced in opset 14",
        e.getMessage());
  }

  @Test
  void erfBeforeOpset9IsAnError() {
    ModelBuilder b = new ModelBuilder(8)
        .input("x", 2, 3)
        .namedNode("e", "Erf", List.of("x"), List.of("y"))
        .output("y");
    KilnException e = assertThrows(KilnException.class, b::importGraph);
    assertEquals("test.onnx: node 'e' (Erf, opset 8): this operator was introduced in opset 9",
        e.getMessage());
  }

  @Test
  void alphaOfTheWrongKindIsAnError() {
    ModelBuilder b = new ModelBuilder(13)
        .input("x", 2, 3)
        .namedNode("l", "LeakyRelu", List.of("x"), List.of("y"), Attr.ints("alpha", 1))
        .output("y");
    KilnException e = assertThrows(KilnException.class, b::importGraph);
    assertEquals("test.onnx: node 'l' (LeakyRelu, opset 13): attribute 'alpha' must be FLOAT, got INTS",
        e.getMessage());
  }

  @Test
  void unknownAttributeIsAnError() {
    ModelBuilder b = new ModelBuilder(13)
        .input("x", 2, 3)
        .namedNode("s", "HardSigmoid", List.of("x"), List.of("y"), Attr.f("gamma", 1f))
        .output("y");
    KilnException e = assertThrows(KilnException.class, b::importGraph);
    assertEquals("test.onnx: node 's' (HardSigmoid, opset 13): unsupported attribute [gamma]",
        e.getMessage());
  }

  @Test
  void integerInputIsAnError() {
    ModelBuilder b = new ModelBuilder(13)
        .input("x", DType.INT64, 2, 3)
        .namedNode("s", "Sqrt", List.of("x"), List.of("y"))
        .output("y");
    KilnException e = assertThrows(KilnException.class, b::importGraph);
    assertEquals("test.onnx: node 's' (Sqrt, opset 13): expects a float32 input, got int64",
        e.getMessage());
  }

  @Test
  void outputHasTheInputsType() {
    var g = new ModelBuilder(13)
        .input("x", 1, 3, 224, 224)
        .node("Sigmoid", List.of("x"), List.of("y"))
        .output("y")
        .importGraph();
    assertEquals(TensorType.float32(1, 3, 224, 224), g.type("y"));
  }

  /** {@code "2:3:5"}; null or empty is a scalar. */
  static int[] parseDims(String dims) {
    if (dims == null || dims.isBlank()) {
      return new int[0];
    }
    String[] parts = dims.split(":");
    int[] out = new int[parts.length];
    for (int i = 0; i < parts.length; i++) {
      out[i] = Integer.parseInt(parts[i].trim());
    }
    return out;
  }

  private static AttributeProto[] parseFloatAttributes(String text) {
    List<AttributeProto> out = new ArrayList<>();
    if (text != null) {
      for (String pair : text.split(";")) {
        String[] kv = pair.split("=");
        out.add(Attr.f(kv[0].trim(), Float.parseFloat(kv[1].trim())));
      }
    }
    return out.toArray(new AttributeProto[0]);
  }
}
