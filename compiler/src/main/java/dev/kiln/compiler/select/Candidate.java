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
 * @param measuredNanos the time {@code --autotune} measured (warm-up excluded), or NaN when the layer
 *     was not timed
 */
public record Candidate(ConvKernel kernel, long flops, long bytes, long weightBytes,
    long workspaceBytes, double estimatedNanos, double measuredNanos) {
  public Candidate {
    Objects.requireNonNull(kernel);
  }

  public String algorithm() {
    return kernel.name();
  }

  public boolean measured() {
    return !Double.isNaN(measuredNanos);
  }

  /** The time selection uses: measured when the layer was timed, else estimated. */
  public double nanos() {
    return measured() ? measuredNanos : estimatedNanos;
  }

  Candidate withMeasured(double nanos) {
    return new Candidate(kernel, flops, bytes, weightBytes, workspaceBytes, estimatedNanos, nanos);
  }

  /** How reports name an algorithm: "Winograd F(4,3)" for winograd-f4, the name otherwise. */
  public static String displayName(String algorithm) {
    if (algorithm.startsWith("winograd-f")) {
      return "Winograd F(" + algorithm.substring("winograd-f".length()) + ",3)";
    }
    return algorithm;
  }
}
