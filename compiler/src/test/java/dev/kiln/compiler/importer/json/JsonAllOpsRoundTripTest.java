package dev.kiln.compiler.importer.json;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kiln.compiler.importer.ImportOptions;
import dev.kiln.compiler.ir.Graph;
import dev.kiln.compiler.ir.GraphVerifier;
import dev.kiln.compiler.ir.Node;
import dev.kiln.compiler.ir.Tensor;
import dev.kiln.compiler.ops.OpRegistry;
import dev.kiln.compiler.testing.OpCase;
import dev.kiln.compiler.testing.OpCases;
import java.nio.file.Path;
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
 * A graph holding every registered operator with non-default attributes ({@link
 * OpCases#ONE_PER_OPERATOR}) survives ONNX → JSON → graph unchanged, and computes bit-identical
 * outputs. {@link #coversEveryRegisteredOperator} fails until a newly registered operator has a case.
 */
class JsonAllOpsRoundTripTest {
  static final List<OpCase> CASES = OpCases.ONE_PER_OPERATOR;

  @TempDir Path tmp;

  static List<Integer> opsets() {
    return List.copyOf(new TreeSet<>(CASES.stream().map(OpCase::opset).toList()));
  }

  @ParameterizedTest(name = "opset {0}")
  @MethodSource("opsets")
  void everyOperatorRoundTrips(int opset) {
    List<OpCase> cases = CASES.stream().filter(c -> c.opset() == opset).toList();
    Map<String, Tensor> feeds = new LinkedHashMap<>();
    Graph onnx = OpCase.build(opset, cases, feeds);
    assertEquals(cases.size(), onnx.nodes().size());
    for (int i = 0; i < cases.size(); i++) {
      Node node = onnx.nodes().get(i);
      // Guards the test itself: an operator that dropped the attributes would compare trivially.
      assertEquals(cases.get(i).attributes().isEmpty(), node.op().attributes().isEmpty(),
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
    Graph onnx = OpCase.build(13, CASES.stream().filter(c -> c.op().equals("Constant")).toList(),
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
    Set<String> covered = new TreeSet<>(CASES.stream().map(OpCase::op).toList());
    Set<String> missing = new TreeSet<>(OpRegistry.supportedTypes());
    missing.removeAll(covered);
    assertTrue(missing.isEmpty(), "add a line to OpCases.ONE_PER_OPERATOR for " + missing);
    Set<String> unknown = new TreeSet<>(covered);
    unknown.removeAll(OpRegistry.supportedTypes());
    assertTrue(unknown.isEmpty(), "cases for unregistered operators " + unknown);
    assertFalse(covered.isEmpty());
  }
}
