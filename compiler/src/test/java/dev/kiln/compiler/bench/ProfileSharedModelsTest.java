package dev.kiln.compiler.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.kiln.compiler.api.CompileOptions;
import dev.kiln.compiler.api.Compiler;
import dev.kiln.compiler.codegen.Codegen;
import dev.kiln.compiler.codegen.CodegenOptions;
import dev.kiln.compiler.codegen.ModelClassLoader;
import dev.kiln.compiler.codegen.Target;
import dev.kiln.compiler.io.Npy;
import dev.kiln.compiler.ir.Tensor;
import dev.kiln.compiler.testing.SharedModels;
import dev.kiln.compiler.testing.TensorAssert;
import dev.kiln.runtime.KilnModel;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.FieldSource;

/**
 * The profile on the real exported models, run through the generated class as {@code kiln bench}
 * runs it.
 *
 * <p>{@code layerTimesTileEveryProfiledRun} checks what holds on any machine, however busy: a
 * profiled run's layer times lie inside that run, so their sum never exceeds it, and they cover
 * it (the rest is copying the input in and the output out). {@code
 * profileInvariantHoldsWhenNothingElseTookTheCore} checks bench's own invariant, which compares the
 * profile with separate unprofiled runs within 2%. On a shared machine other processes take the
 * core for milliseconds at a time (this one, at a load average of 6 on 2 cores, saw single runs
 * 100× the median), which moves one mean and not the other, and memory traffic of other tenants
 * slows runs without taking the core (a CI run saw 1.03 × avgMs with the thread running 99.98% of
 * the time). So the test compares each profiled run with the plain run of the same round and takes
 * the median ratio, and asks for it to hold in one of three measurements during which the benchmark
 * thread ran nearly all the time; when none was quiet it skips and says why, when quiet ones all
 * failed it fails.
 */
class ProfileSharedModelsTest {
  static final List<String> MODELS = SharedModels.ALL;

  private static KilnModel generated(Path dir) {
    var result = Compiler.compile(dir.resolve("model.onnx"), CompileOptions.builder().threads(1).build());
    return ModelClassLoader.instantiate(Codegen.generate(result.program(), Target.BYTECODE,
        CodegenOptions.of("dev.kiln.test", "Profiled")));
  }

  /** Small models need more runs for a stable sum. */
  private static int iterations(String model) {
    return model.equals("tiny_cbr") || model.equals("digits_cnn") ? 200 : 10;
  }

  @ParameterizedTest
  @FieldSource("MODELS")
  void layerTimesTileEveryProfiledRun(String model) {
    Path dir = SharedModels.dir(model);
    Tensor input = Npy.read(dir.resolve("input.npy"));
    try (KilnModel m = generated(dir)) {
      int iterations = iterations(model);
      ModelBenchmark.Measurement r = ModelBenchmark.measure(m,
          Map.of(m.inputs().get(0).name(), input.toFloatArray()), 1, null,
          new ModelBenchmark.Protocol(3, 100_000_000L, iterations, true), System::nanoTime);

      double[] covered = new double[iterations];
      for (int i = 0; i < iterations; i++) {
        double layers = r.profiledLayerSumNanos()[i];
        double run = r.profiledNanos()[i];
        assertTrue(layers > 0 && layers <= run, model + ", run " + i + ": layers " + layers
            + " ns, run " + run + " ns");
        covered[i] = layers / run;
      }
      Arrays.sort(covered);
      assertTrue(covered[iterations / 2] >= BenchReport.Profile.LOWER, model
          + ": the median run's layers cover only " + covered[iterations / 2] + " of it");
      assertEquals(Arrays.stream(r.profiledLayerSumNanos()).sum(),
          Arrays.stream(r.layerNanos()).sum(), 1e-6, "per-layer totals and per-run sums agree");
      for (int l = 0; l < m.layerCount(); l++) {
        assertTrue(r.layerNanos()[l] > 0, model + ": layer " + l + " never timed");
      }
      Tensor expected = Npy.read(dir.resolve("expected_ort.npy"));
      float[] out = r.kilnOutputs().values().iterator().next();
      TensorAssert.assertClose(expected, Tensor.adopt(expected.shape(), out), 1e-4, model);
    }
  }

  /**
   * A measurement counts as quiet when the benchmark thread ran at least this share of the timed
   * phase: at most 0.5% of it went to other processes, shifting either mean by about 1% at worst.
   * (docs/perf/2026-11-21-profile-invariant.txt: 0.990 to 1.002 × avgMs at 97 to 100%, 1.040 at
   * 94%.)
   */
  static final double QUIET = 0.995;

  @ParameterizedTest
  @FieldSource("MODELS")
  void profileInvariantHoldsWhenNothingElseTookTheCore(String model) {
    Path dir = SharedModels.dir(model);
    Tensor input = Npy.read(dir.resolve("input.npy"));
    List<String> attempts = new ArrayList<>();
    boolean anyQuiet = false;
    try (KilnModel m = generated(dir)) {
      for (int attempt = 0; attempt < ATTEMPTS; attempt++) {
        ModelBenchmark.Measurement r = ModelBenchmark.measure(m,
            Map.of(m.inputs().get(0).name(), input.toFloatArray()), 1, null,
            new ModelBenchmark.Protocol(10, 500_000_000L, 2 * iterations(model), true),
            System::nanoTime);
        double ratio = medianPairedRatio(r);
        if (r.cpuShare() >= QUIET && ratio >= BenchReport.Profile.LOWER
            && ratio <= BenchReport.Profile.UPPER) {
          return;
        }
        anyQuiet |= r.cpuShare() >= QUIET;
        attempts.add(String.format(Locale.ROOT, "opSum/run %.3f with the thread running %.3f",
            ratio, r.cpuShare()));
      }
    }
    assumeTrue(anyQuiet, model + ": the machine was busy in every attempt " + attempts + " (under "
        + QUIET + "): separate runs vary by more than the invariant's 2%; skipping");
    fail(model + ": the profile invariant (" + BenchReport.Profile.LOWER + " to "
        + BenchReport.Profile.UPPER + " × the plain run) failed in every attempt: " + attempts);
  }

  /** Measurements tried before giving up: a failure must repeat to count. */
  static final int ATTEMPTS = 3;

  /**
   * The median over rounds of (layers' sum in the profiled run) / (the plain run of the same round):
   * the runs alternate, so a round's two runs see the same machine, and the median ignores the
   * rounds another process interrupted. bench itself reports the ratio of the means, as users read
   * it; this is the same invariant with the noise of a shared machine taken out.
   */
  static double medianPairedRatio(ModelBenchmark.Measurement r) {
    double[] ratios = new double[r.kilnNanos().length];
    for (int i = 0; i < ratios.length; i++) {
      ratios[i] = r.profiledLayerSumNanos()[i] / r.kilnNanos()[i];
    }
    return Timing.median(ratios);
  }
}
