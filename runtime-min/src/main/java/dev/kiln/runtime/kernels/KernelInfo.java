package dev.kiln.runtime.kernels;

import dev.kiln.runtime.kernels.gemm.GemmMicrokernel;
import dev.kiln.runtime.kernels.simd.Vectorization;

/**
 * Which kernel path this JVM runs: the Vector API kernels (when started with {@code --add-modules
 * jdk.incubator.vector} on Java 21+) or the plain-Java fallback, and the GEMM microkernel shape chosen
 * from the vector width and register count.
 */
public final class KernelInfo {
  private KernelInfo() {}

  /** Whether the Vector API kernels are in use. */
  public static boolean vectorized() {
    return Vectorization.get().vectorized();
  }

  /** Float vector width in bits, 0 on the scalar path. */
  public static int vectorBits() {
    return Vectorization.get().vectorBits();
  }

  /**
   * E.g. {@code "Vector API, 512-bit (16 floats), 8x32 GEMM microkernel"} or {@code "plain Java,
   * row-axpy GEMM auto-vectorized by C2 (the jdk.incubator.vector module is not enabled; ...)"}.
   */
  public static String description() {
    Vectorization v = Vectorization.get();
    if (v.vectorized()) {
      return "Vector API, " + v.vectorBits() + "-bit (" + v.vectorFloats() + " floats), "
          + GemmMicrokernel.get();
    }
    return "plain Java, " + GemmMicrokernel.get() + " (" + v.reason() + ")";
  }

  /** A few words for a status line: {@code "Vector API 512-bit"} or {@code "plain Java"}. */
  public static String shortDescription() {
    Vectorization v = Vectorization.get();
    return v.vectorized() ? "Vector API " + v.vectorBits() + "-bit" : "plain Java";
  }
}
