package dev.kiln.runtime.opencl;

import java.util.List;
import java.util.Map;

/**
 * One profiled run: its wall time from the first enqueue to the read-back's completion, and each
 * kernel's device time from OpenCL event profiling ({@code CL_PROFILING_COMMAND_END − START}). The
 * queue is in order, so kernels never overlap and {@link #kernelNanos()} ≤ {@link #wallNanos()}: the
 * kernels run inside the span the wall time measures, which also holds the transfers and the
 * host's enqueue and wake-up latency.
 */
public final class RunProfile {
  /** One kernel launch's device time. */
  public record KernelTime(String layer, String op, String kernel, long nanos) {}

  private final long wallNanos;
  private final List<KernelTime> kernels;
  private final Map<String, float[]> outputs;

  RunProfile(long wallNanos, List<KernelTime> kernels, Map<String, float[]> outputs) {
    this.wallNanos = wallNanos;
    this.kernels = List.copyOf(kernels);
    this.outputs = outputs;
  }

  public long wallNanos() {
    return wallNanos;
  }

  public List<KernelTime> kernels() {
    return kernels;
  }

  /** The sum of every kernel's device time. */
  public long kernelNanos() {
    long sum = 0;
    for (KernelTime k : kernels) {
      sum += k.nanos();
    }
    return sum;
  }

  /** The run's outputs by name. */
  public Map<String, float[]> outputs() {
    return outputs;
  }
}
