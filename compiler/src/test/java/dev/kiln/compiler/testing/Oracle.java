package dev.kiln.compiler.testing;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.kiln.compiler.exec.GraphInterpreter;
import dev.kiln.compiler.importer.ImportOptions;
import dev.kiln.compiler.importer.onnx.OnnxImporter;
import dev.kiln.compiler.importer.onnx.proto.OnnxProto.ModelProto;
import dev.kiln.compiler.ir.Graph;
import dev.kiln.compiler.ir.GraphVerifier;
import dev.kiln.compiler.ir.Tensor;
import java.util.Map;

/** Runs a model through Kiln and through ONNX Runtime and compares every output. */
public final class Oracle {
  private Oracle() {}

  /** Default tolerance, relative to the output's magnitude. */
  public static final double TOLERANCE = 1e-5;

  public static void assertMatchesOrt(ModelProto model, Map<String, Tensor> inputs, String context) {
    assertMatchesOrt(model, inputs, TOLERANCE, context);
  }

  public static void assertMatchesOrt(ModelProto model, Map<String, Tensor> inputs, double tolerance,
      String context) {
    Map<String, Tensor> expected = Ort.run(model, inputs);
    Graph graph = OnnxImporter.fromProto(model, "test.onnx", null, ImportOptions.DEFAULTS);
    GraphVerifier.verify(graph);
    Map<String, Tensor> actual = GraphInterpreter.run(graph, inputs);
    assertEquals(expected.keySet(), actual.keySet(), context + ": output names");
    for (Map.Entry<String, Tensor> e : expected.entrySet()) {
      TensorAssert.assertClose(e.getValue(), actual.get(e.getKey()), tolerance,
          context + " output '" + e.getKey() + "'");
    }
  }
}
