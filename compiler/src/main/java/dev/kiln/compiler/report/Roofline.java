package dev.kiln.compiler.report;

/**
 * The roofline model for one thread count: a layer of arithmetic intensity {@code I} (FLOPs per
 * byte moved) can attain at most {@code min(peak, I × bandwidth)} GFLOP/s. Layers left of the ridge
 * point {@code peak / bandwidth} are memory-bound, the others compute-bound.
 */
public record Roofline(double peakGflops, double bandwidthGBs, int threads, String source) {

  public static Roofline of(MachinePeaks peaks, int threads) {
    return new Roofline(peaks.peakGflops(threads), peaks.bandwidthGBs(threads), threads,
        peaks.source());
  }

  /** The intensity, in FLOP/byte, where the memory roof meets the compute roof. */
  public double ridgeIntensity() {
    return peakGflops / bandwidthGBs;
  }

  /** The GFLOP/s the roofline allows at {@code intensity} FLOP/byte. */
  public double attainableGflops(double intensity) {
    return Math.min(peakGflops, intensity * bandwidthGBs);
  }

  /** Whether a layer of {@code intensity} is limited by memory bandwidth rather than by the FPUs. */
  public boolean memoryBound(double intensity) {
    return intensity < ridgeIntensity();
  }

  /**
   * {@code attained} as a percentage of what the roofline allows at {@code intensity}; NaN for a
   * layer that does no arithmetic (copies, views) or was not measured.
   */
  public double percentOfRoof(double attainedGflops, double intensity) {
    double roof = attainableGflops(intensity);
    return roof > 0 && !Double.isNaN(attainedGflops) ? 100 * attainedGflops / roof : Double.NaN;
  }
}
