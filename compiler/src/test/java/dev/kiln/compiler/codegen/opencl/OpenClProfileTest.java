package dev.kiln.compiler.codegen.opencl;

import static dev.kiln.compiler.codegen.opencl.OpenClTesting.compile;
import static dev.kiln.compiler.codegen.opencl.OpenClTesting.context;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kiln.compiler.testing.Tensors;
import dev.kiln.runtime.opencl.OpenClModel;
import dev.kiln.runtime.opencl.OpenClPlan;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The timing that {@code kiln bench --target opencl} reports: to the read-back, and event-profiled per kernel. */
class OpenClProfileTest {
  @Test
  void kernelSumNeverExceedsTheAverageRun() {
    OpenClArtifact artifact = OpenClBackend.generate(compile(TwoModels.extractor()), "Extractor");
    try (OpenClModel model = OpenClBackend.load(context(), artifact)) {
      Map<String, float[]> in = Map.of("image", Tensors.random(3, 1, 4, 12, 12).toFloatArray());
      OpenClTiming.Result r = OpenClTiming.measure(model, in, 1, 5, true);
      assertEquals(5, r.runs());
      assertTrue(r.kernelSumNanos() > 0, "kernel sum " + r.kernelSumNanos());
      assertTrue(r.kernelSumNanos() <= r.averageNanos(),
          "OpSum " + r.kernelSumNanos() + " ns > Avg " + r.averageNanos() + " ns");
      assertTrue(r.minNanos() <= r.medianNanos() && r.medianNanos() > 0, r.toString());
      double layerSum = r.layers().stream().mapToDouble(OpenClTiming.LayerTime::averageNanos).sum();
      assertEquals(r.kernelSumNanos(), layerSum, 1e-6 * r.kernelSumNanos());
      List<String> launched = artifact.plan().launches().stream().map(OpenClPlan.Launch::layer).distinct().toList();
      assertEquals(launched, r.layers().stream().map(OpenClTiming.LayerTime::layer).toList());
      assertEquals(artifact.plan().launches().size(),
          r.layers().stream().mapToInt(OpenClTiming.LayerTime::launches).sum());
    }
  }

  @Test
  void unprofiledTimingMeasuresWholeRuns() {
    try (OpenClModel model = OpenClBackend.load(context(),
        OpenClBackend.generate(compile(TwoModels.classifier()), "Classifier"))) {
      OpenClTiming.Result r = OpenClTiming.measure(model, Map.of("features", new float[10]), 0, 3, false);
      assertTrue(Double.isNaN(r.kernelSumNanos()));
      assertTrue(r.layers().isEmpty());
      assertTrue(r.averageNanos() > 0);
      assertTrue(r.device().equals(context().describe()), r.device());
    }
  }
}
