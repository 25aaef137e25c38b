package dev.kiln.compiler.select;

import dev.kiln.runtime.kernels.conv.ConvKernel;
import java.util.Objects;

/**
 * One algorithm that can run a layer, with what it would cost.
 *
 * @param weightBytes the layer's weights as this algorithm stores them, padding included (what the
 *     model's weights grow by)
 * @param workspaceBytes the scratch it needs for the threads the model is compiled for
 * @param estimatedNanos the cost model's time
 * @param measuredNanos the time {@code --autotune} measured (warm-up excluded), or NaN when it was
 *     not timed
 * @param estimateScale what the estimate is multiplied by when the candidate was not timed but
 *     others of its layer were: their measured-to-estimated ratio, so that times and estimates
 *     compare (1 without autotune)
 */
public record Candidate(ConvKernel kernel, long flops, long bytes, long weightBytes,
    long workspaceBytes, double estimatedNanos, double measuredNanos, double estimateScale) {
  public Candidate {
    Objects.requireNonNull(kernel);
  }

  /** An estimated candidate. */
  public Candidate(ConvKernel kernel, long flops, long bytes, long weightBytes, long workspaceBytes,
      double estimatedNanos) {
    this(kernel, flops, bytes, weightBytes, workspaceBytes, estimatedNanos, Double.NaN, 1.0);
  }

  public String algorithm() {
    return kernel.name();
  }

  public boolean measured() {
    return !Double.isNaN(measuredNanos);
  }

  /** The time selection uses: measured when timed, else the (scaled) estimate. */
  public double nanos() {
    return measured() ? measuredNanos : estimatedNanos * estimateScale;
  }

  Candidate withMeasured(double nanos) {
    return new Candidate(kernel, flops, bytes, weightBytes, workspaceBytes, estimatedNanos, nanos, 1.0);
  }

  Candidate withEstimateScale(double scale) {
    return new Candidate(kernel, flops, bytes, weightBytes, workspaceBytes, estimatedNanos,
        measuredNanos, scale);
  }

  /** How reports name an algorithm: "Winograd F(4,3)" for winograd-f4, the name otherwise. */
  public static String displayName(String algorithm) {
    if (algorithm.startsWith("winograd-f")) {
      return "Winograd F(" + algorithm.substring("winograd-f".length()) + ",3)";
    }
    return algorithm;
  }
}
