package dev.kiln.compiler.importer.json;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kiln.compiler.exec.GraphInterpreter;
import dev.kiln.compiler.ir.Attribute;
import dev.kiln.compiler.ir.Graph;
import dev.kiln.compiler.ir.GraphPrinter;
import dev.kiln.compiler.ir.Node;
import dev.kiln.compiler.ir.Tensor;
import dev.kiln.compiler.testing.TensorAssert;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** Graph comparisons for round trips: everything but the source file name must be equal. */
final class GraphAssert {
  private GraphAssert() {}

  /**
   * Same name, opset, inputs, outputs, constants (bit-identical, in order), nodes (name, op,
   * inputs, outputs, attributes with tensors bit-identical), value types and printed form.
   */
  static void assertSameGraph(Graph expected, Graph actual, String context) {
    assertEquals(expected.name(), actual.name(), context + ": name");
    assertEquals(expected.opset(), actual.opset(), context + ": opset");
    assertEquals(expected.inputs(), actual.inputs(), context + ": inputs");
    assertEquals(expected.outputs(), actual.outputs(), context + ": outputs");
    assertEquals(new ArrayList<>(expected.constants().keySet()),
        new ArrayList<>(actual.constants().keySet()), context + ": constant names");
    for (Map.Entry<String, Tensor> c : expected.constants().entrySet()) {
      TensorAssert.assertBitIdentical(c.getValue(), actual.constant(c.getKey()),
          context + ": constant '" + c.getKey() + "'");
    }
    assertEquals(expected.nodes().size(), actual.nodes().size(), context + ": node count");
    for (int i = 0; i < expected.nodes().size(); i++) {
      Node e = expected.nodes().get(i);
      Node a = actual.nodes().get(i);
      String where = context + ": node " + i + " " + e.describe();
      assertEquals(e.name(), a.name(), where + ": name");
      assertEquals(e.opType(), a.opType(), where + ": op type");
      assertEquals(e.inputs(), a.inputs(), where + ": inputs");
      assertEquals(e.outputs(), a.outputs(), where + ": outputs");
      assertEquals(e.op().attributes(), a.op().attributes(), where + ": attributes");
      assertAttributesBitIdentical(e.op().attributes().asMap(), a.op().attributes().asMap(), where);
      assertEquals(e.op(), a.op(), where + ": op");
      assertEquals(e, a, where);
    }
    assertEquals(expected.types(), actual.types(), context + ": value types");
    assertEquals(GraphPrinter.print(expected), GraphPrinter.print(actual), context + ": printed graph");
  }

  /**
   * Attribute equality compares floats with {@link Float#compare}, which takes every NaN as equal:
   * this also compares raw bits, and tensors bit for bit.
   */
  static void assertAttributesBitIdentical(Map<String, Attribute> expected,
      Map<String, Attribute> actual, String context) {
    assertEquals(expected.keySet(), actual.keySet(), context + ": attribute names");
    for (Map.Entry<String, Attribute> e : expected.entrySet()) {
      String where = context + ": attribute '" + e.getKey() + "'";
      Attribute a = actual.get(e.getKey());
      assertEquals(e.getValue().kind(), a.kind(), where + ": kind");
      if (e.getValue() instanceof Attribute.FloatAttr f) {
        assertEquals(Float.floatToRawIntBits(f.value()),
            Float.floatToRawIntBits(((Attribute.FloatAttr) a).value()), where + ": bits of " + f);
      } else if (e.getValue() instanceof Attribute.FloatsAttr f) {
        List<Float> got = ((Attribute.FloatsAttr) a).values();
        assertEquals(f.values().size(), got.size(), where + ": length");
        for (int i = 0; i < got.size(); i++) {
          assertEquals(Float.floatToRawIntBits(f.values().get(i)), Float.floatToRawIntBits(got.get(i)),
              where + ": bits of [" + i + "] = " + f.values().get(i));
        }
      } else if (e.getValue() instanceof Attribute.TensorAttr t) {
        TensorAssert.assertBitIdentical(t.value(), ((Attribute.TensorAttr) a).value(), where);
      } else {
        assertEquals(e.getValue(), a, where);
      }
    }
  }

  /** Runs both graphs on the same inputs; every output must be bit-identical. */
  static void assertSameOutputs(Graph expected, Graph actual, Map<String, Tensor> inputs,
      String context) {
    Map<String, Tensor> want = GraphInterpreter.run(expected, inputs);
    Map<String, Tensor> got = GraphInterpreter.run(actual, inputs);
    assertEquals(want.keySet(), got.keySet(), context + ": output names");
    assertTrue(!want.isEmpty(), context + ": the graph has outputs");
    for (Map.Entry<String, Tensor> e : want.entrySet()) {
      TensorAssert.assertBitIdentical(e.getValue(), got.get(e.getKey()),
          context + ": output '" + e.getKey() + "'");
    }
  }
}
