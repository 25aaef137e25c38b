package dev.kiln.compiler.lower;

import dev.kiln.compiler.exec.ProgramModel;
import dev.kiln.compiler.importer.ImportOptions;
import dev.kiln.compiler.importer.onnx.OnnxImporter;
import dev.kiln.compiler.io.Npy;
import dev.kiln.compiler.ir.Graph;
import dev.kiln.compiler.ir.Node;
import dev.kiln.compiler.ir.Tensor;
import dev.kiln.compiler.memory.MemoryPlan;
import dev.kiln.compiler.memory.MemoryPlanner;
import dev.kiln.compiler.memory.PlanOptions;
import dev.kiln.compiler.testing.SharedModels;
import dev.kiln.compiler.testing.TensorAssert;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.FieldSource;

class LoweringSharedModelsTest {
  static final List<String> MODELS = SharedModels.ALL;

  @ParameterizedTest
  @FieldSource("MODELS")
  void loweredProgramMatchesOnnxRuntime(String model) {
    Path dir = SharedModels.dir(model);
    Graph graph = OnnxImporter.load(dir.resolve("model.onnx"), ImportOptions.DEFAULTS);
    MemoryPlan plan = MemoryPlanner.plan(graph, PlanOptions.DEFAULTS);
    Map<String, ConvChoice> choices = new HashMap<>();
    for (Node n : graph.nodes()) {
      if (n.opType().equals("Conv")) {
        choices.put(n.name(), ConvChooser.DIRECT.choose(n, ConvLowering.shapeOf(n, graph)));
      }
    }
    Program program = Lowering.lower(graph, plan, choices);
    Tensor input = Npy.read(dir.resolve("input.npy"));
    Tensor expected = Npy.read(dir.resolve("expected_ort.npy"));
    Map<String, float[]> out = new ProgramModel(program)
        .run(Map.of(program.inputs().get(0).name(), input.toFloatArray()));
    float[] actual = out.values().iterator().next();
    TensorAssert.assertClose(expected, Tensor.adopt(expected.shape(), actual), 1e-4, model);
  }
}
