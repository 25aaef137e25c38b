package dev.kiln.compiler.passes;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.kiln.compiler.exec.GraphInterpreter;
import dev.kiln.compiler.importer.ImportOptions;
import dev.kiln.compiler.importer.onnx.OnnxImporter;
import dev.kiln.compiler.io.Npy;
import dev.kiln.compiler.ir.Graph;
import dev.kiln.compiler.ir.Tensor;
import dev.kiln.compiler.report.OptimizationReport;
import dev.kiln.compiler.testing.SharedModels;
import dev.kiln.compiler.testing.TensorAssert;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.FieldSource;

/** The real exported models through the standard pipeline: what it does to them, and that they still compute the same. */
class SharedModelsOptimizedTest {
  static final List<String> MODELS = SharedModels.ALL;

  /** The foundation issue's tolerance: max|Δ| ≤ 1e-4·max(1, max|expected|). */
  static final double TOLERANCE = 1e-4;

  private static Graph load(String model) {
    return OnnxImporter.load(SharedModels.dir(model).resolve("model.onnx"), ImportOptions.DEFAULTS);
  }

  private static OptimizationReport optimize(String model) {
    Graph imported = load(model);
    PassTesting.Result r = PassTesting.optimize(imported);
    return OptimizationReport.of(imported, r.graph(), r.log());
  }

  @ParameterizedTest
  @FieldSource("MODELS")
  void optimizedGraphMatchesOnnxRuntime(String model) {
    Path dir = SharedModels.dir(model);
    Graph optimized = PassTesting.optimize(load(model)).graph();
    Tensor input = Npy.read(dir.resolve("input.npy"));
    Tensor expected = Npy.read(dir.resolve("expected_ort.npy"));
    Map<String, Tensor> out = GraphInterpreter.run(optimized, Map.of(optimized.inputs().get(0).name(), input));
    TensorAssert.assertClose(expected, out.values().iterator().next(), TOLERANCE, model + " optimized");
  }

  @Test
  void resnet18KeepsNoBatchNormReluOrAddOutsideConvEpilogues() {
    OptimizationReport r = optimize("resnet18");
    assertEquals(20, r.nodesBefore().get("Conv"));
    assertEquals(20, r.nodesBefore().get("BatchNormalization"));
    assertEquals(17, r.nodesBefore().get("Relu"));
    assertEquals(8, r.nodesBefore().get("Add"));
    assertEquals(Map.of("kiln.FusedConv", 20, "MaxPool", 1, "GlobalAveragePool", 1, "Flatten", 1,
        "Gemm", 1), r.nodesAfter());
    assertEquals(Map.of("BIAS", 20, "RELU", 17, "ADD_RESIDUAL", 8), r.epilogueSteps());
  }

  @Test
  void mobilenetV2FusesEveryConvWithItsEpilogue() {
    OptimizationReport r = optimize("mobilenet_v2");
    assertEquals(52, r.nodesBefore().get("Conv"));
    assertEquals(52, r.nodesBefore().get("BatchNormalization"));
    assertEquals(35, r.nodesBefore().get("Clip"));
    assertEquals(Map.of("kiln.FusedConv", 52, "GlobalAveragePool", 1, "Flatten", 1, "Gemm", 1),
        r.nodesAfter());
    assertEquals(Map.of("BIAS", 52, "CLIP(0.0, 6.0)", 35, "ADD_RESIDUAL", 10), r.epilogueSteps());
  }

  @Test
  void tinyCbrFusesReluThenReluSixAndTheResidual() {
    OptimizationReport r = optimize("tiny_cbr");
    assertEquals(Map.of("kiln.FusedConv", 4, "MaxPool", 1, "GlobalAveragePool", 1, "Flatten", 1,
        "Gemm", 1, "Softmax", 1), r.nodesAfter());
    assertEquals(Map.of("BIAS", 4, "RELU", 4, "ADD_RESIDUAL", 1, "CLIP(0.0, 6.0)", 1), r.epilogueSteps());
  }

  @Test
  void squeezenetDropsItsIdentitiesAndFusesEveryRelu() {
    OptimizationReport r = optimize("squeezenet1_1");
    assertEquals(18, r.nodesBefore().get("Identity"));
    assertEquals(Map.of("kiln.FusedConv", 26, "Concat", 8, "MaxPool", 3, "GlobalAveragePool", 1,
        "Flatten", 1), r.nodesAfter());
    assertEquals(Map.of("BIAS", 26, "RELU", 26), r.epilogueSteps());
  }

  @Test
  void digitsCnnFusesItsRelus() {
    OptimizationReport r = optimize("digits_cnn");
    assertEquals(Map.of("kiln.FusedConv", 3, "MaxPool", 1, "GlobalAveragePool", 1, "Flatten", 1,
        "Gemm", 1), r.nodesAfter());
    assertEquals(Map.of("BIAS", 3, "RELU", 3), r.epilogueSteps());
  }
}
