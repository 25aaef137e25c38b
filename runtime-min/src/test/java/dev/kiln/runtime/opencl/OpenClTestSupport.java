package dev.kiln.runtime.opencl;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.kiln.runtime.TensorInfo;
import dev.kiln.runtime.Weights;
import java.util.List;

/** Small OpenCL programs written by hand, in the form the compiler emits them. */
final class OpenClTestSupport {
  private OpenClTestSupport() {}

  /** Skips the calling test, saying why, when this machine has no usable OpenCL platform. */
  static void assumeOpenCl() {
    String reason = OpenClContext.unavailableReason();
    assumeTrue(reason == null, () -> "OpenCL tests skipped: " + reason
        + " (.ci/run installs PoCL, a CPU platform, so CI always runs them)");
  }

  /** {@code y = x + w}: input x at arena float 0, output y at float n, w the weights. */
  static final String VADD = """
      __kernel void vadd(__global float* arena, __global const float* weights, const int n) {
        const int i = get_global_id(0);
        if (i < n) {
          arena[n + i] = arena[i] + weights[i];
        }
      }
      """;

  static OpenClPlan vaddPlan(String source, float[] weights) {
    int n = weights.length;
    return new OpenClPlan("vadd", ProgramCache.sha256(source), "-cl-std=CL1.2", 2L * n * Float.BYTES, n,
        Weights.crc32(weights), List.of(new TensorInfo("x", new int[] {n}, 0)),
        List.of(new TensorInfo("y", new int[] {n}, n)),
        List.of(new OpenClPlan.Launch("add", "Add", "vadd", new long[] {roundUp(n)}, new long[] {64}, new int[] {n})));
  }

  static long roundUp(int n) {
    return (n + 63) / 64 * 64L;
  }

  static float[] ramp(int n, float scale) {
    float[] a = new float[n];
    for (int i = 0; i < n; i++) {
      a[i] = i * scale;
    }
    return a;
  }
}
