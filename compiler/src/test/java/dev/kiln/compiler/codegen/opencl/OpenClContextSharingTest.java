package dev.kiln.compiler.codegen.opencl;

import static dev.kiln.compiler.codegen.opencl.OpenClTesting.compile;
import static dev.kiln.compiler.codegen.opencl.OpenClTesting.context;
import static dev.kiln.compiler.codegen.opencl.OpenClTesting.cpu;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import dev.kiln.compiler.ir.Graph;
import dev.kiln.compiler.testing.Tensors;
import dev.kiln.runtime.opencl.OpenClModel;
import dev.kiln.runtime.opencl.OpenClPipeline;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Two compiled models on one context and queue: run alone, alternately, concurrently and as a
 * pipeline with a device-side hand-off, they give the same outputs bit for bit (the same kernels on
 * the same data), and those agree with the CPU program.
 */
class OpenClContextSharingTest {
  private static OpenClModel extractor;
  private static OpenClModel classifier;

  @BeforeAll
  static void load() {
    extractor = OpenClBackend.load(context(), OpenClBackend.generate(compile(TwoModels.extractor()), "Extractor"));
    classifier = OpenClBackend.load(context(), OpenClBackend.generate(compile(TwoModels.classifier()), "Classifier"));
  }

  @AfterAll
  static void close() {
    if (extractor != null) {
      extractor.close();
    }
    if (classifier != null) {
      classifier.close();
    }
  }

  private static float[] image(int i) {
    return Tensors.random(700 + i, 1, 4, 12, 12).toFloatArray();
  }

  private static float[] cpuPipeline(float[] image) {
    Graph a = TwoModels.extractor();
    Graph b = TwoModels.classifier();
    float[] features = cpu(a, Map.of("image", image)).get("features");
    return cpu(b, Map.of("features", features)).get("probabilities");
  }

  @Test
  void separateRunsMatchTheCpu() {
    for (int i = 0; i < 3; i++) {
      float[] features = extractor.run(image(i));
      OpenClTesting.assertOutputsClose(Map.of("p", cpuPipeline(image(i))),
          Map.of("p", classifier.run(features)), 1e-5, "image " + i);
    }
  }

  @Test
  void alternatingRunsGiveTheSeparateOutputs() {
    List<float[]> features = new ArrayList<>();
    List<float[]> probabilities = new ArrayList<>();
    for (int i = 0; i < 4; i++) {
      features.add(extractor.run(image(i)));
      probabilities.add(classifier.run(features.get(i)));
    }
    // Now interleaved the other way round: the classifier's run between two extractor runs must
    // neither disturb the extractor's arena nor read a stale one.
    for (int i = 3; i >= 0; i--) {
      assertArrayEquals(probabilities.get(i), classifier.run(features.get(i)), "classifier " + i);
      assertArrayEquals(features.get(i), extractor.run(image(i)), "extractor " + i);
    }
  }

  @Test
  void pipelineHandsOffOnTheDeviceAndMatchesTheSeparateRuns() {
    try (OpenClPipeline pipeline = OpenClPipeline.of(extractor, classifier)) {
      for (int i = 0; i < 3; i++) {
        float[] separate = classifier.run(extractor.run(image(i)));
        assertArrayEquals(separate, pipeline.run(image(i)), "image " + i);
      }
    }
  }

  @Test
  void asynchronousRunsOfBothModelsAndThePipelineInterleave() throws Exception {
    try (OpenClPipeline pipeline = OpenClPipeline.of(extractor, classifier)) {
      List<CompletableFuture<float[]>> features = new ArrayList<>();
      List<CompletableFuture<float[]>> piped = new ArrayList<>();
      for (int i = 0; i < 6; i++) {
        features.add(extractor.runAsync(image(i)));
        piped.add(pipeline.runAsync(image(i)));
      }
      for (int i = 0; i < 6; i++) {
        float[] f = features.get(i).get();
        assertArrayEquals(extractor.run(image(i)), f, "extractor " + i);
        assertArrayEquals(classifier.run(f), piped.get(i).get(), "pipeline " + i);
      }
    }
  }
}
