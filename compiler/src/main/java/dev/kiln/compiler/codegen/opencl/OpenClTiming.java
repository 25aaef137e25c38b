package dev.kiln.compiler.codegen.opencl;

import dev.kiln.runtime.opencl.OpenClModel;
import dev.kiln.runtime.opencl.RunProfile;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Whole-model timing on an OpenCL device, for {@code kiln bench --target opencl}. A timed run is
 * {@link OpenClModel#run}: from the first enqueue until the outputs are read back, never just the
 * enqueue (which returns long before the device is done). With profiling, every timed run is a
 * {@link OpenClModel#runProfiled profiled} one, so the per-kernel device times and the wall times
 * come from the same runs and {@code kernelSum ≤ average} holds run by run (kernels on an in-order
 * queue never overlap, and each run's wall time encloses its kernels).
 */
public final class OpenClTiming {
  /** One layer's device time, averaged over the timed runs (all its launches together). */
  public record LayerTime(String layer, String op, int launches, double averageNanos) {}

  /**
   * @param averageNanos mean wall time per run ("Avg")
   * @param kernelSumNanos mean per run of the summed kernel device times ("OpSum"), NaN without
   *     profiling
   * @param layers per-layer device times in program order, empty without profiling
   * @param runNanos each timed run's wall time, in run order
   */
  public record Result(String device, int runs, double averageNanos, double medianNanos, double minNanos,
      double kernelSumNanos, List<LayerTime> layers, double[] runNanos) {}

  private OpenClTiming() {}

  /**
   * Runs {@code warmup} untimed runs (the first builds work-group code in some drivers), then
   * {@code runs} timed ones.
   *
   * @param profile time each kernel too; the model's context must have been created with profiling
   */
  public static Result measure(OpenClModel model, Map<String, float[]> inputs, int warmup, int runs,
      boolean profile) {
    if (runs < 1 || warmup < 0) {
      throw new IllegalArgumentException("runs must be at least 1 and warmup not negative");
    }
    for (int i = 0; i < warmup; i++) {
      model.run(inputs);
    }
    double[] wall = new double[runs];
    double kernelSum = 0;
    Map<String, double[]> perLayer = new LinkedHashMap<>();
    Map<String, String> ops = new LinkedHashMap<>();
    Map<String, Integer> launches = new LinkedHashMap<>();
    for (int r = 0; r < runs; r++) {
      if (profile) {
        RunProfile p = model.runProfiled(inputs);
        wall[r] = p.wallNanos();
        kernelSum += p.kernelNanos();
        Map<String, Integer> seen = new LinkedHashMap<>();
        for (RunProfile.KernelTime k : p.kernels()) {
          perLayer.computeIfAbsent(k.layer(), x -> new double[1])[0] += k.nanos();
          ops.putIfAbsent(k.layer(), k.op());
          seen.merge(k.layer(), 1, Integer::sum);
        }
        launches.putAll(seen);
      } else {
        long t0 = System.nanoTime();
        model.run(inputs);
        wall[r] = System.nanoTime() - t0;
      }
    }
    double[] sorted = wall.clone();
    Arrays.sort(sorted);
    double median = runs % 2 == 1 ? sorted[runs / 2] : (sorted[runs / 2 - 1] + sorted[runs / 2]) / 2;
    List<LayerTime> layers = new ArrayList<>();
    for (Map.Entry<String, double[]> e : perLayer.entrySet()) {
      layers.add(new LayerTime(e.getKey(), ops.get(e.getKey()), launches.get(e.getKey()), e.getValue()[0] / runs));
    }
    return new Result(model.context().describe(), runs, Arrays.stream(wall).average().orElse(0), median,
        sorted[0], profile ? kernelSum / runs : Double.NaN, layers, wall);
  }
}
