package dev.kiln.compiler.codegen.opencl;

import dev.kiln.compiler.ir.Graph;
import dev.kiln.compiler.ir.Node;
import dev.kiln.compiler.lower.ConvChoice;
import dev.kiln.compiler.lower.Lowering;
import dev.kiln.compiler.ops.Conv;
import dev.kiln.compiler.ops.FusedConv;
import dev.kiln.runtime.kernels.ConvShape;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/**
 * Chooses each convolution's device algorithm until the selection stage drives it: a hard gate,
 * then a rule of thumb, then the device memory budget (which {@link OpenClBackend#compile} enforces
 * by moving layers to the tiled algorithm, the one with no weight growth and no workspace).
 *
 * <ol>
 *   <li>Winograd F(2×2, 3×3) only where {@link ClWinogradConv#supports} (3×3, stride 1, dilation 1,
 *       one group).
 *   <li>And only with at least {@value #MIN_WINOGRAD_CHANNELS} input and output channels: with fewer,
 *       the two transforms cost about as much as the 2.25× fewer multiplications save.
 *   <li>Everything else, and every layer the budget excludes: the tiled implicit GEMM.
 * </ol>
 */
public final class OpenClConvSelection {
  static final int MIN_WINOGRAD_CHANNELS = 8;

  private OpenClConvSelection() {}

  /** Whether the rule picks Winograd for this geometry (before the budget has its say). */
  public static boolean prefersWinograd(ConvShape s) {
    return ClWinogradConv.INSTANCE.supports(s) && s.inChannels >= MIN_WINOGRAD_CHANNELS
        && s.outChannels >= MIN_WINOGRAD_CHANNELS;
  }

  /**
   * The algorithm of every convolution in {@code graph}.
   *
   * @param tiledOnly layers the budget sent to the tiled algorithm
   */
  public static Map<String, ConvChoice> choose(Graph graph, Set<String> tiledOnly) {
    Map<String, ConvChoice> choices = new LinkedHashMap<>();
    for (Node n : graph.nodes()) {
      if (!(n.op() instanceof Conv) && !(n.op() instanceof FusedConv)) {
        continue;
      }
      ConvShape s = Lowering.convShape(n, graph);
      choices.put(n.name(), choose(s, tiledOnly.contains(n.name())));
    }
    return choices;
  }

  static ConvChoice choose(ConvShape s, boolean budgetExcluded) {
    if (!ClWinogradConv.INSTANCE.supports(s)) {
      return tiled(s.isDepthwise() ? "depthwise: one work-item per output" : "Winograd needs 3x3, stride 1,"
          + " dilation 1, one group");
    }
    if (s.inChannels < MIN_WINOGRAD_CHANNELS || s.outChannels < MIN_WINOGRAD_CHANNELS) {
      return tiled("fewer than " + MIN_WINOGRAD_CHANNELS + " channels: the transforms would cost"
          + " what Winograd saves");
    }
    if (budgetExcluded) {
      return tiled("Winograd's workspace and weights do not fit the device memory budget");
    }
    return new ConvChoice(ClWinogradConv.INSTANCE, ClWinogradConv.class, "INSTANCE",
        "3x3 stride 1: 16 instead of 36 multiplications per 2x2 outputs");
  }

  private static ConvChoice tiled(String reason) {
    return new ConvChoice(ClTiledConv.INSTANCE, ClTiledConv.class, "INSTANCE", reason);
  }

  /** The device bytes Winograd adds over the tiled algorithm: weight growth plus workspace. */
  static long winogradExtraBytes(ConvShape s) {
    long weights = (long) ClWinogradConv.INSTANCE.packedWeightFloats(s)
        - ClTiledConv.INSTANCE.packedWeightFloats(s);
    return (weights + ClWinogradConv.INSTANCE.workspaceFloats(s, 1)) * Float.BYTES;
  }
}
