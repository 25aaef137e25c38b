package dev.kiln.compiler.bench;

import java.lang.management.CompilationMXBean;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.Arrays;
import java.util.function.LongSupplier;

/**
 * Times an operation the way the benchmark tables report it: warm-up first (at least {@code
 * warmupNanos} and 5 calls, and on until the fastest call has not improved for the last half of the
 * warm-up, at most 10 × {@code warmupNanos}: C2 must have compiled the kernels), then {@code runs}
 * samples of at least
 * {@code minSampleNanos} each (short operations repeat inside a sample), reported as the median time
 * per call. Thread CPU time is recorded beside wall time: on a shared machine the two part ways when
 * other processes take the core, and CPU time is then the better estimate of single-thread speed.
 */
public final class Timing {
  private static final ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();
  /** Null when the JVM runs without a JIT compiler. */
  private static final CompilationMXBean JIT = ManagementFactory.getCompilationMXBean();

  private final int runs;
  private final long warmupNanos;
  private final long minSampleNanos;

  public Timing(int runs, long warmupNanos, long minSampleNanos) {
    if (runs < 1) {
      throw new IllegalArgumentException("runs must be at least 1, got " + runs);
    }
    this.runs = runs;
    this.warmupNanos = warmupNanos;
    this.minSampleNanos = minSampleNanos;
  }

  /** Median and minimum wall and CPU nanoseconds per call (CPU time of the calling thread only). */
  public record Result(double medianNanos, double minNanos, double medianCpuNanos, double minCpuNanos,
      int runs, int repsPerRun) {}

  public Result measure(Runnable op) {
    double perCall = warmUp(op, 5, warmupNanos, 10 * warmupNanos, System::nanoTime,
        Timing::compiledMillis).bestNanos();
    int reps = (int) Math.max(1, Math.ceil(minSampleNanos / Math.max(1.0, perCall)));
    double[] wall = new double[runs];
    double[] cpu = new double[runs];
    boolean cpuTime = THREADS.isCurrentThreadCpuTimeSupported();
    for (int r = 0; r < runs; r++) {
      long c0 = cpuTime ? THREADS.getCurrentThreadCpuTime() : 0;
      long t0 = System.nanoTime();
      for (int i = 0; i < reps; i++) {
        op.run();
      }
      wall[r] = (double) (System.nanoTime() - t0) / reps;
      cpu[r] = cpuTime ? (double) (THREADS.getCurrentThreadCpuTime() - c0) / reps : Double.NaN;
    }
    return new Result(median(wall), min(wall), median(cpu), min(cpu), runs, reps);
  }

  /** How a warm-up went: calls made, nanoseconds spent, and the fastest call. */
  public record WarmUp(int calls, long nanos, long bestNanos) {}

  /**
   * Calls {@code op} untimed until it is warm: at least {@code minCalls} times and {@code minNanos}
   * long, then on until, for the last half of the warm-up, the fastest call has not improved (by 3%)
   * and the JIT has finished no compilation; or until {@code maxNanos} have passed. Vector API code
   * runs boxed, 100-1000x slower, until C2 has compiled it, which for a small layer takes seconds of
   * calls: a fixed count cannot know that, and neither can the call times alone, which stay flat
   * while the boxed code waits in a busy machine's compile queue.
   *
   * @param clock {@link System#nanoTime}, or a test's fake clock
   * @param compiledMillis {@link #compiledMillis}, or a test's fake
   */
  public static WarmUp warmUp(Runnable op, int minCalls, long minNanos, long maxNanos,
      LongSupplier clock, LongSupplier compiledMillis) {
    long start = clock.getAsLong();
    long lastImprovement = start;
    long lastCompilation = start;
    long compiled = compiledMillis.getAsLong();
    long best = Long.MAX_VALUE;
    int calls = 0;
    while (true) {
      long t0 = clock.getAsLong();
      op.run();
      long t1 = clock.getAsLong();
      calls++;
      if (t1 - t0 < best * 0.97) {
        best = t1 - t0;
        lastImprovement = t1;
      }
      long nowCompiled = compiledMillis.getAsLong();
      if (nowCompiled != compiled) {
        compiled = nowCompiled;
        lastCompilation = t1;
      }
      long elapsed = t1 - start;
      boolean settled = elapsed >= minNanos && t1 - lastImprovement > elapsed / 2
          && t1 - lastCompilation > elapsed / 2;
      if (calls >= minCalls && (settled || elapsed > maxNanos)) {
        return new WarmUp(calls, elapsed, best);
      }
    }
  }

  /** Milliseconds the JIT has spent compiling, grown by each finished compilation; 0 if unknown. */
  public static long compiledMillis() {
    return JIT != null && JIT.isCompilationTimeMonitoringSupported()
        ? JIT.getTotalCompilationTime() : 0;
  }

  static double min(double[] values) {
    double m = Double.POSITIVE_INFINITY;
    for (double v : values) {
      m = Math.min(m, v);
    }
    return m;
  }

  /** The median of {@code values}. */
  public static double median(double[] values) {
    double[] v = values.clone();
    Arrays.sort(v);
    int n = v.length;
    return n % 2 == 1 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
  }
}
