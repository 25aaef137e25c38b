package dev.kiln.runtime.kernels;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.Arrays;

/**
 * Single-thread timing for the kernel benchmarks: warm-up runs excluded, then the median of timed
 * runs. Both the thread's CPU time and wall time are taken; on a shared machine CPU time is the
 * steadier of the two, since time the thread spent descheduled does not count.
 */
public final class Bench {
  private static final ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();

  private Bench() {}

  /** CPU and wall nanoseconds of one call: medians over the timed batches, and the fastest batch. */
  public static final class Result {
    public final double cpuNanos;
    public final double wallNanos;
    public final double minCpuNanos;

    Result(double cpuNanos, double wallNanos, double minCpuNanos) {
      this.cpuNanos = cpuNanos;
      this.wallNanos = wallNanos;
      this.minCpuNanos = minCpuNanos;
    }
  }

  /**
   * Runs {@code body} untimed for at least {@code warmupMillis} and until 20 calls in a row have not
   * beaten the fastest call so far by 2% (the JIT has finished: C2 compiling Vector API code can take
   * seconds on a busy machine, and until then the vector operations run as slow Java fallbacks), at
   * most a minute; then {@code runs} timed batches of enough calls to last about 20 ms each, and
   * returns the median per call.
   */
  public static Result time(Runnable body, long warmupMillis, int runs) {
    long start = System.nanoTime();
    long end = start + warmupMillis * 1_000_000;
    long giveUp = start + 60_000_000_000L;
    long one = Long.MAX_VALUE;
    int sinceImprovement = 0;
    while ((sinceImprovement < 20 || System.nanoTime() < end) && System.nanoTime() < giveUp) {
      long t0 = System.nanoTime();
      body.run();
      long t = System.nanoTime() - t0;
      if (t < one * 0.98) {
        sinceImprovement = 0;
      } else {
        sinceImprovement++;
      }
      one = Math.min(one, t);
    }
    int batch = (int) Math.max(1, Math.min(1000, 20_000_000 / Math.max(1, one)));
    double[] cpu = new double[runs];
    double[] wall = new double[runs];
    for (int r = 0; r < runs; r++) {
      long c0 = THREADS.getCurrentThreadCpuTime();
      long w0 = System.nanoTime();
      for (int i = 0; i < batch; i++) {
        body.run();
      }
      wall[r] = (System.nanoTime() - w0) / (double) batch;
      cpu[r] = (THREADS.getCurrentThreadCpuTime() - c0) / (double) batch;
    }
    Arrays.sort(cpu);
    Arrays.sort(wall);
    return new Result(cpu[runs / 2], wall[runs / 2], cpu[0]);
  }

  /** Copy bandwidth in GB/s (bytes read + written) for arrays of {@code floats} elements. */
  public static double copyGigabytesPerSecond(int floats, long warmupMillis, int runs) {
    float[] a = new float[floats];
    float[] b = new float[floats];
    Arrays.fill(a, 1f);
    Result r = time(() -> System.arraycopy(a, 0, b, 0, floats), warmupMillis, runs);
    return 8.0 * floats / r.cpuNanos;
  }
}
