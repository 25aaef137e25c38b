package dev.kiln.compiler.exec;

import dev.kiln.compiler.importer.ImportOptions;
import dev.kiln.compiler.importer.onnx.OnnxImporter;
import dev.kiln.compiler.io.Npy;
import dev.kiln.compiler.ir.Graph;
import dev.kiln.compiler.ir.GraphVerifier;
import dev.kiln.compiler.ir.Tensor;
import dev.kiln.compiler.testing.SharedModels;
import dev.kiln.compiler.testing.TensorAssert;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.FieldSource;

/** The real exported models, run by the reference interpreter, against ONNX Runtime's outputs. */
class SharedModelsTest {
  static final java.util.List<String> MODELS = SharedModels.ALL;

  @ParameterizedTest
  @FieldSource("MODELS")
  void interpreterMatchesOnnxRuntime(String model) {
    Path dir = SharedModels.dir(model);
    Graph graph = OnnxImporter.load(dir.resolve("model.onnx"), ImportOptions.DEFAULTS);
    GraphVerifier.verify(graph);
    Tensor input = Npy.read(dir.resolve("input.npy"));
    Tensor expected = Npy.read(dir.resolve("expected_ort.npy"));
    Map<String, Tensor> out = GraphInterpreter.run(graph, Map.of(graph.inputs().get(0).name(), input));
    TensorAssert.assertClose(expected, out.values().iterator().next(), 1e-4, model);
  }
}
