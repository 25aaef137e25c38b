package dev.kiln.compiler.codegen.opencl;

import dev.kiln.runtime.opencl.OpenClPlan;
import java.util.Objects;

/**
 * A model compiled for OpenCL: the program source, the launch plan and the weights (device-packed:
 * Winograd filters already transformed). {@link OpenClBackend#emit} writes them as {@code Name.cl},
 * {@code Name.clplan.json} and {@code Name.weights}; {@link OpenClBackend#load} puts them on a device
 * directly.
 *
 * @param className the simple name the files and the generated class carry
 */
public record OpenClArtifact(String className, String source, OpenClPlan plan, float[] weights) {
  public OpenClArtifact {
    Objects.requireNonNull(className);
    Objects.requireNonNull(source);
    Objects.requireNonNull(plan);
    weights = weights.clone();
  }

  @Override
  public float[] weights() {
    return weights.clone();
  }

  /** How many distinct kernels the source defines. */
  public long kernelCount() {
    return plan.launches().stream().map(OpenClPlan.Launch::kernel).distinct().count();
  }
}
