package dev.kiln.compiler.report;

import dev.kiln.compiler.select.MachineProfile;

/**
 * What a roofline needs to know about the machine: its FP32 peak and its memory bandwidth, for a
 * number of cores. {@code kiln calibrate} measures them into the machine profile ({@link
 * #of(MachineProfile)}); without one, {@link #BUILT_IN} holds figures measured on the development
 * machine (see docs/performance.md, "Roofline").
 */
public interface MachinePeaks {
  /**
   * Measured on the development VM (Intel Xeon, AVX-512 with two FMA pipes, 2 cores), 2026-11-21:
   * 162.6 GFLOP/s per core ({@code kiln bench --kernels}, best by CPU time); STREAM-style triad
   * ({@code docs/perf/triad.c}, best of 15 over 134 MB arrays) 12.9 GB/s on one core, 24.9 GB/s
   * on two.
   */
  MachinePeaks BUILT_IN = new Measured(162.6, 12.9, 24.9, 2,
      "built-in: development machine, 2026-11-21 (docs/performance.md)");

  /**
   * The peaks of a calibrated machine profile ({@code kiln calibrate} measures one core's FMA peak
   * and the bandwidth one thread streams, so more cores add compute but not bandwidth), or {@link
   * #BUILT_IN} for the built-in profile.
   */
  static MachinePeaks of(MachineProfile profile) {
    if (profile == MachineProfile.BUILT_IN) {
      return BUILT_IN;
    }
    return new Measured(profile.peakGflopsPerCore(), profile.bandwidthGBps(), profile.bandwidthGBps(),
        1, "kiln calibrate, " + profile.measuredAt() + " (" + profile.source() + ")");
  }

  /** Peak FP32 GFLOP/s of {@code threads} cores. */
  double peakGflops(int threads);

  /** Memory bandwidth in GB/s with {@code threads} cores streaming. */
  double bandwidthGBs(int threads);

  /** Where the figures come from, for reports. */
  String source();

  /**
   * Peaks from measurements: the FMA peak of one core (cores add up), and the bandwidth of one core
   * and of {@code cores} cores (between them it grows linearly up to the all-core figure).
   */
  record Measured(double peakGflopsPerCore, double bandwidthGBsOneCore, double bandwidthGBsAllCores,
      int cores, String source) implements MachinePeaks {
    public Measured {
      if (!(peakGflopsPerCore > 0) || !(bandwidthGBsOneCore > 0) || !(bandwidthGBsAllCores > 0)
          || cores < 1) {
        throw new IllegalArgumentException("peaks must be positive: " + peakGflopsPerCore + " GFLOP/s, "
            + bandwidthGBsOneCore + " / " + bandwidthGBsAllCores + " GB/s, " + cores + " cores");
      }
    }

    @Override
    public double peakGflops(int threads) {
      return peakGflopsPerCore * Math.max(1, threads);
    }

    @Override
    public double bandwidthGBs(int threads) {
      return Math.min(bandwidthGBsOneCore * Math.max(1, threads), bandwidthGBsAllCores);
    }
  }
}
