package dev.kiln.runtime.kernels.conv;

import java.util.List;

/**
 * The registry of convolution algorithms: what algorithm selection iterates over, what {@code kiln
 * bench --kernels} times, what the tests check against the reference. One line per algorithm; add a
 * new one to {@link #ALL}. The order is only a tie-break for selection: the specialized algorithms
 * first, the generic fallback ({@link #generic()}, which supports every shape) last.
 */
public final class ConvKernels {
  private static final List<ConvKernel> ALL = List.of(
      Gemm1x1Conv.INSTANCE,
      TiledConv.INSTANCE);

  private ConvKernels() {}

  /** Every registered algorithm. */
  public static List<ConvKernel> all() {
    return ALL;
  }

  /** The algorithm that supports every {@link dev.kiln.runtime.kernels.ConvShape}: "tiled". */
  public static ConvKernel generic() {
    return TiledConv.INSTANCE;
  }

  /** The algorithm called {@code name}. */
  public static ConvKernel byName(String name) {
    for (ConvKernel k : ALL) {
      if (k.name().equals(name)) {
        return k;
      }
    }
    throw new IllegalArgumentException("no convolution algorithm '" + name + "' (known: "
        + String.join(", ", ALL.stream().map(ConvKernel::name).toList()) + ")");
  }
}
