package dev.kiln.runtime.kernels.conv;

import java.util.List;

/**
 * The registry of convolution algorithms: what algorithm selection iterates over, what {@code kiln
 * bench --kernels} times, what the tests check against the reference. One line per algorithm; add a
 * new one to {@link #ALL}. The order is only a tie-break for selection: the specialized algorithms
 * first, the generic fallbacks ({@link #generic()} and the zero-growth direct convolution) last. Every
 * algorithm also has a constant here ({@link #constantName}), which generated code refers to.
 */
public final class ConvKernels {
  // Generated code names an algorithm by its constant here: the name, upper case, '-' as '_'.
  public static final ConvKernel GEMM_1X1 = Gemm1x1Conv.INSTANCE;
  public static final ConvKernel DEPTHWISE = DepthwiseConv.INSTANCE;
  /** Winograd F(4×4, 3×3): 4× the 3×3 weights, the fastest on most 3×3 stride-1 layers. */
  public static final ConvKernel WINOGRAD_F4 = WinogradConv.F4;
  /** Winograd F(2×2, 3×3): 16/9 of the 3×3 weights; the best on 7×7 maps. */
  public static final ConvKernel WINOGRAD_F2 = WinogradConv.F2;
  /** Winograd F(6×6, 3×3): 64/9 of the 3×3 weights. */
  public static final ConvKernel WINOGRAD_F6 = WinogradConv.F6;
  public static final ConvKernel TILED = TiledConv.INSTANCE;
  /** No packing, no workspace: the floor of every memory budget, and the baseline. */
  public static final ConvKernel DIRECT = DirectConv.INSTANCE;

  private static final List<ConvKernel> ALL = List.of(GEMM_1X1, DEPTHWISE, WINOGRAD_F4, WINOGRAD_F2,
      WINOGRAD_F6, TILED, DIRECT);

  private ConvKernels() {}

  /** Every registered algorithm. */
  public static List<ConvKernel> all() {
    return ALL;
  }

  /** The algorithm that supports every {@link dev.kiln.runtime.kernels.ConvShape}: "tiled". */
  public static ConvKernel generic() {
    return TiledConv.INSTANCE;
  }

  /** The name of the public constant holding an algorithm: {@code "winograd-f4"} → {@code WINOGRAD_F4}. */
  public static String constantName(ConvKernel kernel) {
    return kernel.name().toUpperCase(java.util.Locale.ROOT).replace('-', '_');
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
