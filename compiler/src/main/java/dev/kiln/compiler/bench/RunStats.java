package dev.kiln.compiler.bench;

import java.util.Arrays;

/**
 * Latency statistics of timed runs, in milliseconds. {@code p90Ms} is the nearest-rank 90th
 * percentile: the smallest sample with at least 90% of the samples at or below it.
 */
public record RunStats(int runs, double meanMs, double medianMs, double minMs, double maxMs,
    double p90Ms) {

  /** The statistics of {@code nanos}, one sample per run; at least one sample. */
  public static RunStats ofNanos(double[] nanos) {
    if (nanos.length == 0) {
      throw new IllegalArgumentException("no runs");
    }
    double[] ms = new double[nanos.length];
    for (int i = 0; i < ms.length; i++) {
      ms[i] = nanos[i] / 1e6;
    }
    Arrays.sort(ms);
    double sum = 0;
    for (double v : ms) {
      sum += v;
    }
    int n = ms.length;
    double p90 = ms[(int) Math.ceil(0.9 * n) - 1];
    return new RunStats(n, sum / n, Timing.median(ms), ms[0], ms[n - 1], p90);
  }

  /** Runs per second at the mean latency. */
  public double runsPerSecond() {
    return 1000 / meanMs;
  }
}
