package dev.kiln.compiler.memory;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kiln.compiler.exec.ArenaInterpreter;
import dev.kiln.compiler.importer.ImportOptions;
import dev.kiln.compiler.importer.onnx.OnnxImporter;
import dev.kiln.compiler.io.Npy;
import dev.kiln.compiler.ir.Graph;
import dev.kiln.compiler.ir.Tensor;
import dev.kiln.compiler.testing.SharedModels;
import dev.kiln.compiler.testing.TensorAssert;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.FieldSource;

/** The planner on the real models: within 5% of the lower bound, and still correct. */
class SharedModelPlansTest {
  static final List<String> MODELS = SharedModels.ALL;

  @ParameterizedTest
  @FieldSource("MODELS")
  void planIsNearTheLowerBoundAndRunsCorrectly(String model) {
    Path dir = SharedModels.dir(model);
    Graph graph = OnnxImporter.load(dir.resolve("model.onnx"), ImportOptions.DEFAULTS);
    MemoryPlan plan = MemoryPlanner.plan(graph, PlanOptions.DEFAULTS);
    assertTrue(plan.arenaBytes() <= 1.05 * plan.lowerBoundBytes(), model + ": " + plan);
    assertTrue(plan.arenaBytes() < plan.noReuseBytes(), model + ": " + plan);
    Tensor input = Npy.read(dir.resolve("input.npy"));
    Tensor expected = Npy.read(dir.resolve("expected_ort.npy"));
    float[] arena = new float[Math.toIntExact(plan.arenaBytes() / 4)];
    java.util.Arrays.fill(arena, Float.NaN);
    Map<String, Tensor> out = new ArenaInterpreter(graph, plan)
        .run(Map.of(graph.inputs().get(0).name(), input), arena);
    TensorAssert.assertClose(expected, out.values().iterator().next(), 1e-4, model);
  }
}
