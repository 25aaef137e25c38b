package dev.kiln.compiler.bench;

import dev.kiln.runtime.KilnModel;
import dev.kiln.runtime.Session;
import dev.kiln.runtime.TensorInfo;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.LongSupplier;
import java.util.function.ToIntFunction;

/**
 * Whole-model latency, the numbers {@code kiln bench MODEL} prints. The protocol, and why:
 *
 * <ul>
 *   <li>Warm-up runs are never timed and never profiled. Each kind of run — Kiln, Kiln profiled,
 *       ONNX Runtime — gets its own warm-up ({@link Timing#warmUp}: at least {@code warmupRuns}
 *       calls and {@code warmupNanos}, and on while calls still get faster, since C2 compiles the
 *       Vector API kernels only after many calls); what warm-up runs take is thrown away. (A
 *       profiler whose warm-up ran with timers on reports per-layer sums above the average run.)
 *   <li>Timed runs alternate: a Kiln run, then with profiling a separate profiled Kiln run, then
 *       with ONNX Runtime one of its runs, {@code iterations} times. A busy moment on the machine
 *       slows each kind alike instead of one of them.
 *   <li>A Kiln run is what users call: inputs copied into the session, the generated class's
 *       {@code execute}, outputs copied out, no allocation. Profiled runs call {@code
 *       executeProfiled} instead, whose one clock reading per layer boundary makes the layers'
 *       times add up to the run's; the unprofiled runs time nothing inside.
 * </ul>
 */
public final class ModelBenchmark {
  private ModelBenchmark() {}

  /**
   * @param warmupRuns the fewest warm-up runs of each kind
   * @param warmupNanos the shortest warm-up of each kind; it goes on while runs get faster, up to
   *     10 × this
   * @param iterations timed runs of each kind
   * @param profile also time each layer, in separate runs
   */
  public record Protocol(int warmupRuns, long warmupNanos, int iterations, boolean profile) {
    public Protocol {
      if (warmupRuns < 0 || warmupNanos < 0 || iterations < 1) {
        throw new IllegalArgumentException("warm-up must not be negative and iterations at least 1:"
            + " warmupRuns " + warmupRuns + ", warmupNanos " + warmupNanos + ", iterations "
            + iterations);
      }
    }
  }

  /**
   * What was measured. Per-run arrays hold nanoseconds of timed runs only.
   *
   * @param profiledNanos whole profiled runs (their overhead shows against {@code kilnNanos}); empty
   *     without profiling
   * @param profiledLayerSumNanos per profiled run, its layers' times summed: inside that run, so
   *     never more than {@code profiledNanos} of the same run
   * @param layerNanos each layer's nanoseconds summed over all timed profiled runs; empty without
   *     profiling
   * @param ortNanos ONNX Runtime's runs; empty without it
   * @param kilnOutputs the outputs of the last Kiln run, by name
   * @param cpuShare the calling thread's CPU time over the wall time of the timed runs (by the real
   *     clocks): near 1 when nothing else took the core, well below when the machine was busy. NaN
   *     with more than one thread (the caller then also waits for workers, parked, which is not
   *     noise) and where thread CPU time is not available
   */
  public record Measurement(Warmups warmups, double[] kilnNanos, double[] profiledNanos,
      double[] profiledLayerSumNanos, long[] layerNanos, double[] ortNanos,
      Map<String, float[]> kilnOutputs, double cpuShare) {

    public RunStats kiln() {
      return RunStats.ofNanos(kilnNanos);
    }

    /** Mean per profiled run of the layers' summed time, in ms; NaN without profiling. */
    public double opSumMs() {
      if (profiledNanos.length == 0) {
        return Double.NaN;
      }
      return (double) sum(layerNanos) / profiledNanos.length / 1e6;
    }

    /** Layer {@code i}'s mean time per profiled run, in ms. */
    public double layerMs(int i) {
      return (double) layerNanos[i] / profiledNanos.length / 1e6;
    }
  }

  /** How many untimed warm-up runs each kind had (0 for kinds not run). */
  public record Warmups(int kiln, int profiled, int ort) {}

  /**
   * Runs the protocol on a session of {@code model} with {@code threads} threads.
   *
   * @param inputs every model input by name, at its full size
   * @param ort ONNX Runtime on the same model and inputs, or {@code null}
   * @param clock {@link System#nanoTime}, or a test's fake clock
   */
  public static Measurement measure(KilnModel model, Map<String, float[]> inputs, int threads,
      OrtRunner ort, Protocol protocol, LongSupplier clock) {
    List<TensorInfo> ins = model.inputs();
    List<TensorInfo> outs = model.outputs();
    float[][] inputData = new float[ins.size()][];
    for (int i = 0; i < ins.size(); i++) {
      inputData[i] = inputs.get(ins.get(i).name());
      if (inputData[i] == null || inputData[i].length != ins.get(i).elements()) {
        throw new IllegalArgumentException("input '" + ins.get(i).name() + "' needs "
            + ins.get(i).elements() + " floats");
      }
    }
    float[][] outputData = new float[outs.size()][];
    for (int o = 0; o < outs.size(); o++) {
      outputData[o] = new float[outs.get(o).elements()];
    }
    int iterations = protocol.iterations();
    long minWarmup = protocol.warmupNanos();
    long maxWarmup = 10 * minWarmup;
    try (Session session = model.newSession(threads)) {
      Runnable kilnRun = () -> run(session, inputData, outputData, null);
      long[] layerNanos = new long[protocol.profile() ? model.layerCount() : 0];
      // Profiled warm-up runs add their layer times into a scratch array that is never read.
      long[] warmupLayerNanos = new long[layerNanos.length];
      Runnable profiledRun = () -> run(session, inputData, outputData, layerNanos);

      ToIntFunction<Runnable> warmUp = op -> Timing.warmUp(op, protocol.warmupRuns(), minWarmup,
          maxWarmup, clock, Timing::compiledMillis).calls();
      int kilnWarmup = warmUp.applyAsInt(kilnRun);
      int profiledWarmup = protocol.profile()
          ? warmUp.applyAsInt(() -> run(session, inputData, outputData, warmupLayerNanos))
          : 0;
      int ortWarmup = ort != null ? warmUp.applyAsInt(ort::run) : 0;

      double[] kiln = new double[iterations];
      double[] profiled = new double[protocol.profile() ? iterations : 0];
      double[] profiledLayerSum = new double[profiled.length];
      double[] ortRuns = new double[ort != null ? iterations : 0];
      threadCpuNanos();
      // The CPU interval lies inside the wall interval, so the share cannot pass 1.
      long wall0 = System.nanoTime();
      long cpu0 = threadCpuNanos();
      for (int r = 0; r < iterations; r++) {
        kiln[r] = time(kilnRun, clock);
        if (protocol.profile()) {
          long before = sum(layerNanos);
          profiled[r] = time(profiledRun, clock);
          profiledLayerSum[r] = sum(layerNanos) - before;
        }
        if (ort != null) {
          ortRuns[r] = time(ort::run, clock);
        }
      }
      long cpu = threadCpuNanos() - cpu0;
      long wall = System.nanoTime() - wall0;
      double cpuShare = cpu0 < 0 || wall <= 0 || threads != 1 ? Double.NaN : (double) cpu / wall;
      Map<String, float[]> outputs = new LinkedHashMap<>();
      for (int o = 0; o < outs.size(); o++) {
        outputs.put(outs.get(o).name(), outputData[o].clone());
      }
      return new Measurement(new Warmups(kilnWarmup, profiledWarmup, ortWarmup), kiln, profiled,
          profiledLayerSum, layerNanos, ortRuns, outputs, cpuShare);
    }
  }

  /** One run as users make it, profiled into {@code layerNanos} unless that is null. */
  private static void run(Session session, float[][] inputs, float[][] outputs, long[] layerNanos) {
    for (int i = 0; i < inputs.length; i++) {
      session.setInput(i, inputs[i], 0);
    }
    if (layerNanos == null) {
      session.run();
    } else {
      session.runProfiled(layerNanos);
    }
    for (int o = 0; o < outputs.length; o++) {
      session.getOutput(o, outputs[o], 0);
    }
  }

  /** This thread's CPU time, or -1 where the JVM cannot tell. */
  private static long threadCpuNanos() {
    ThreadMXBean threads = ManagementFactory.getThreadMXBean();
    return threads.isCurrentThreadCpuTimeSupported() ? threads.getCurrentThreadCpuTime() : -1;
  }

  private static long sum(long[] values) {
    long sum = 0;
    for (long v : values) {
      sum += v;
    }
    return sum;
  }

  private static double time(Runnable run, LongSupplier clock) {
    long t0 = clock.getAsLong();
    run.run();
    return clock.getAsLong() - t0;
  }
}
