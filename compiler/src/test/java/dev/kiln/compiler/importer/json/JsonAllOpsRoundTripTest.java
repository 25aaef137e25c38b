package dev.kiln.compiler.importer.json;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kiln.compiler.importer.ImportOptions;
import dev.kiln.compiler.importer.onnx.OnnxImporter;
import dev.kiln.compiler.importer.onnx.proto.OnnxProto.AttributeProto;
import dev.kiln.compiler.ir.DType;
import dev.kiln.compiler.ir.Graph;
import dev.kiln.compiler.ir.GraphVerifier;
import dev.kiln.compiler.ir.Node;
import dev.kiln.compiler.ir.Shape;
import dev.kiln.compiler.ir.Tensor;
import dev.kiln.compiler.ir.Value;
import dev.kiln.compiler.ops.OpRegistry;
import dev.kiln.compiler.testing.Attr;
import dev.kiln.compiler.testing.ModelBuilder;
import dev.kiln.compiler.testing.Tensors;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * A graph holding every registered operator with non-default attributes survives ONNX → JSON →
 * graph unchanged, and computes bit-identical outputs. When an operator is added to {@link
 * OpRegistry}, add one line to {@link #CASES}; {@link #coversEveryRegisteredOperator} fails until
 * then.
 */
class JsonAllOpsRoundTripTest {
  /** Seeds for the constants, in the order the cases create them. */
  private static int seed;

  /** One node each. Inputs: x(...) a graph input, w(...) a random constant, none() an absent one. */
  static final List<Case> CASES = List.of(
      op("Add").in(x(2, 3, 4, 5), w(1, 3, 1, 5)),
      op("AveragePool").in(x(1, 2, 9, 8)).attrs(Attr.ints("kernel_shape", 3, 2),
          Attr.ints("strides", 2, 1), Attr.ints("pads", 1, 0, 1, 1), Attr.i("ceil_mode", 1),
          Attr.i("count_include_pad", 1)),
      op("BatchNormalization").in(x(2, 3, 4, 4), w(3), w(3), w(3), positive(3))
          .attrs(Attr.f("epsilon", 1e-3f)),
      op("Cast").in(x(2, 3)).attrs(Attr.i("to", DType.INT64.onnxCode())),
      op("Clip").in(x(2, 3), none(), w(Tensors.scalar(0.25f))),
      op("Clip").opset(10).in(x(2, 3)).attrs(Attr.f("min", -0.0f), Attr.f("max", 0.1f)),
      op("Concat").in(x(2, 3), w(2, 4)).attrs(Attr.i("axis", -1)),
      op("Constant").attrs(Attr.tensor("value", Tensors.random(7, 3, 5, 2))),
      op("Constant").attrs(Attr.tensor("value", Tensor.ofLongs(DType.INT32, Shape.of(2), 3, -1))),
      op("Constant").attrs(Attr.tensor("value",
          Tensor.ofLongs(DType.BOOL, Shape.of(20), new long[20]))),
      op("ConstantOfShape").in(w(Tensors.int64(2, 3)))
          .attrs(Attr.tensor("value", Tensor.ofFloats(Shape.of(1), 1.5f))),
      op("Conv").in(x(1, 4, 9, 9), w(6, 2, 3, 3), w(6)).attrs(Attr.ints("strides", 2, 1),
          Attr.ints("pads", 1, 0, 2, 1), Attr.ints("dilations", 1, 2), Attr.i("group", 2),
          Attr.ints("kernel_shape", 3, 3)),
      op("Conv").in(x(1, 3, 10, 7), w(2, 3, 4, 4)).attrs(Attr.s("auto_pad", "SAME_LOWER"),
          Attr.ints("strides", 3, 3)),
      op("ConvTranspose").in(x(1, 4, 5, 6), w(4, 3, 3, 3), w(6)).attrs(Attr.ints("strides", 2, 2),
          Attr.ints("pads", 1, 0, 1, 1), Attr.ints("output_padding", 1, 0), Attr.i("group", 2)),
      op("Div").in(x(2, 3), positive(3)),
      op("Dropout").in(x(2, 3), w(Tensors.scalar(0.25f))),
      op("Erf").in(x(2, 3)),
      op("Exp").in(x(2, 3)),
      op("Flatten").in(x(2, 3, 4, 5)).attrs(Attr.i("axis", 2)),
      op("Gather").in(x(3, 4), w(Tensors.int64(2, 0, -1))).attrs(Attr.i("axis", 1)),
      op("Gemm").in(x(4, 3), w(5, 4), w(5)).attrs(Attr.f("alpha", 0.1f), Attr.f("beta", -2.5f),
          Attr.i("transA", 1), Attr.i("transB", 1)),
      op("GlobalAveragePool").in(x(1, 3, 5, 4)),
      op("GlobalMaxPool").in(x(1, 3, 5, 4)),
      op("HardSigmoid").in(x(2, 3)).attrs(Attr.f("alpha", 0.3f), Attr.f("beta", 0.4f)),
      op("HardSwish").opset(14).in(x(2, 3)),
      op("Identity").in(x(2, 3)),
      op("LayerNormalization").opset(17).in(x(2, 3, 4), w(4), w(4))
          .attrs(Attr.i("axis", -1), Attr.f("epsilon", 1e-3f)),
      op("LeakyRelu").in(x(2, 3)).attrs(Attr.f("alpha", 0.2f)),
      op("MatMul").in(x(2, 3, 4), w(4, 5)),
      op("MaxPool").in(x(1, 2, 9, 8)).attrs(Attr.ints("kernel_shape", 3, 3),
          Attr.ints("strides", 2, 2), Attr.ints("pads", 1, 1, 0, 0), Attr.i("ceil_mode", 1)),
      op("MaxPool").in(x(1, 2, 9, 8)).attrs(Attr.ints("kernel_shape", 2, 3),
          Attr.s("auto_pad", "SAME_UPPER")),
      op("Mul").in(x(2, 3, 4), w(4)),
      op("Pad").in(x(1, 2, 3, 4), w(Tensors.int64(0, 0, 1, 2, 0, 0, 2, 1)), w(Tensors.scalar(0.5f))),
      op("Pad").in(x(1, 2, 3, 4), w(Tensors.int64(0, 0, 1, 1, 0, 0, 1, 1))).attrs(Attr.s("mode", "edge")),
      op("Pow").in(positiveX(2, 3), w(Tensors.scalar(2.5f))),
      op("PRelu").in(x(2, 3, 4, 4), w(3, 1, 1)),
      op("Reciprocal").in(positiveX(2, 3)),
      op("ReduceMean").in(x(2, 3, 4)).attrs(Attr.ints("axes", 1), Attr.i("keepdims", 0)),
      op("Relu").in(x(2, 3)),
      op("Reshape").in(x(2, 3, 4), w(Tensors.int64(4, -1))).attrs(Attr.i("allowzero", 1)),
      op("Resize").in(x(1, 2, 3, 4), none(), w(Tensor.ofFloats(Shape.of(4), 1, 1, 2, 1.5f)))
          .attrs(Attr.s("mode", "linear"), Attr.s("coordinate_transformation_mode", "align_corners")),
      op("Resize").in(x(1, 2, 3, 4), none(), none(), w(Tensors.int64(1, 2, 7, 5)))
          .attrs(Attr.s("mode", "nearest"), Attr.s("nearest_mode", "floor")),
      op("Shape").in(x(2, 3, 4, 5)).attrs(Attr.i("start", 1), Attr.i("end", -1)),
      op("Sigmoid").in(x(2, 3)),
      op("Slice").in(x(3, 4, 5), w(Tensors.int64(4, 1)), w(Tensors.int64(0, 3)), w(Tensors.int64(2, 0)),
          w(Tensors.int64(-1, 1))),
      op("Softmax").in(x(2, 3, 4)).attrs(Attr.i("axis", 1)),
      op("Softmax").opset(11).in(x(2, 3, 4)).attrs(Attr.i("axis", 2)),
      op("Split").in(x(2, 6), w(Tensors.int64(6))).attrs(Attr.i("axis", 1)),
      op("Sqrt").in(positiveX(2, 3)),
      op("Squeeze").in(x(2, 1, 3, 1), w(Tensors.int64(1, -1))),
      op("Sub").in(x(2, 3), w(2, 1)),
      op("Tanh").in(x(2, 3)),
      op("Transpose").in(x(2, 3, 4)).attrs(Attr.ints("perm", 1, 2, 0)),
      op("Unsqueeze").in(x(2, 3), w(Tensors.int64(0, -1))),
      op("Upsample").opset(9).in(x(1, 2, 3, 4), w(Tensor.ofFloats(Shape.of(4), 1, 1, 2, 3)))
          .attrs(Attr.s("mode", "linear")));

  @TempDir Path tmp;

  static List<Integer> opsets() {
    return List.copyOf(new TreeSet<>(CASES.stream().map(c -> c.opset).toList()));
  }

  @ParameterizedTest(name = "opset {0}")
  @MethodSource("opsets")
  void everyOperatorRoundTrips(int opset) {
    List<Case> cases = CASES.stream().filter(c -> c.opset == opset).toList();
    Map<String, Tensor> feeds = new LinkedHashMap<>();
    Graph onnx = build(opset, cases, feeds);
    assertEquals(cases.size(), onnx.nodes().size());
    for (int i = 0; i < cases.size(); i++) {
      Node node = onnx.nodes().get(i);
      // Guards the test itself: an operator that dropped the attributes would compare trivially.
      assertEquals(cases.get(i).attributes.isEmpty(), node.op().attributes().isEmpty(),
          node.describe() + " keeps its non-default attributes");
    }

    JsonExporter.Result written = JsonExporter.write(onnx, tmp.resolve("all.json"));
    Graph json = JsonImporter.load(written.json(), ImportOptions.DEFAULTS);

    GraphAssert.assertSameGraph(onnx, json, "opset " + opset);
    GraphVerifier.verify(json);
    GraphAssert.assertSameOutputs(onnx, json, feeds, "opset " + opset);
  }

  @Test
  void largeTensorAttributesGoToTheDataFile() throws Exception {
    Graph onnx = build(13, CASES.stream().filter(c -> c.op.equals("Constant")).toList(),
        new LinkedHashMap<>());
    JsonExporter.Result written = JsonExporter.write(onnx, tmp.resolve("constants.json"));
    assertNotNull(written.data());
    String text = java.nio.file.Files.readString(written.json());
    assertTrue(text.contains("\"shape\": [3, 5, 2], \"data\": {\"offset\": 0, \"length\": 120}"), text);
    assertTrue(text.contains("\"shape\": [2], \"values\": [3, -1]"), text);
    assertTrue(text.contains("\"shape\": [20], \"data\": {\"offset\": 128, \"length\": 20}"), text);
    assertEquals(148, written.dataBytes());
  }

  @Test
  void coversEveryRegisteredOperator() {
    Set<String> covered = new TreeSet<>(CASES.stream().map(c -> c.op).toList());
    Set<String> missing = new TreeSet<>(OpRegistry.supportedTypes());
    missing.removeAll(covered);
    assertTrue(missing.isEmpty(), "add a line to JsonAllOpsRoundTripTest.CASES for " + missing);
    Set<String> unknown = new TreeSet<>(covered);
    unknown.removeAll(OpRegistry.supportedTypes());
    assertTrue(unknown.isEmpty(), "cases for unregistered operators " + unknown);
    assertFalse(covered.isEmpty());
  }

  /** One graph: each case's node reads its own inputs and its output is a graph output. */
  private static Graph build(int opset, List<Case> cases, Map<String, Tensor> feeds) {
    ModelBuilder b = new ModelBuilder(opset);
    for (int i = 0; i < cases.size(); i++) {
      Case c = cases.get(i);
      List<String> inputs = new ArrayList<>();
      for (int j = 0; j < c.inputs.size(); j++) {
        Operand operand = c.inputs.get(j);
        String name = "c" + i + "_in" + j;
        if (operand instanceof Dynamic d) {
          b.input(name, d.dims);
          feeds.put(name, Tensors.uniform(100L * i + j, d.lo, d.hi, d.dims));
        } else if (operand instanceof Const k) {
          b.initializer(name, k.value);
        } else {
          name = "";
        }
        inputs.add(name);
      }
      String output = "c" + i + "_" + c.op;
      b.namedNode("n" + i + "_" + c.op, c.op, inputs, List.of(output),
          c.attributes.toArray(new AttributeProto[0]));
      b.output(output);
    }
    Graph g = OnnxImporter.fromProto(b.build(), "all.onnx", null, ImportOptions.DEFAULTS);
    for (Value in : g.inputs()) {
      assertTrue(feeds.containsKey(in.name()), in.name());
    }
    return g;
  }

  // ---- The case notation ---------------------------------------------------------------------

  sealed interface Operand {}

  record Dynamic(int[] dims, float lo, float hi) implements Operand {}

  record Const(Tensor value) implements Operand {}

  record Absent() implements Operand {}

  static final class Case {
    final String op;
    int opset = 13;
    List<Operand> inputs = List.of();
    List<AttributeProto> attributes = List.of();

    Case(String op) {
      this.op = op;
    }

    Case opset(int value) {
      opset = value;
      return this;
    }

    Case in(Operand... values) {
      inputs = List.of(values);
      return this;
    }

    Case attrs(AttributeProto... values) {
      attributes = List.of(values);
      return this;
    }

    @Override
    public String toString() {
      return op + " (opset " + opset + ")";
    }
  }

  static Case op(String type) {
    return new Case(type);
  }

  static Operand x(int... dims) {
    return new Dynamic(dims, -1f, 1f);
  }

  static Operand positiveX(int... dims) {
    return new Dynamic(dims, 0.5f, 2f);
  }

  static Operand w(int... dims) {
    return new Const(Tensors.random(++seed, dims));
  }

  static Operand w(Tensor value) {
    return new Const(value);
  }

  static Operand positive(int... dims) {
    return new Const(Tensors.uniform(++seed, 0.5f, 2f, dims));
  }

  static Operand none() {
    return new Absent();
  }
}
