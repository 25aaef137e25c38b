package dev.kiln.compiler.codegen.opencl;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.kiln.compiler.ir.Cost;
import dev.kiln.compiler.select.CostModel;
import dev.kiln.compiler.select.SelectionTarget;
import dev.kiln.runtime.kernels.ConvShape;
import dev.kiln.runtime.kernels.conv.ConvKernel;
import java.util.List;

/**
 * The OpenCL device as the selection stage sees it: the device's two convolution algorithms, a
 * nominal estimate of their time, and the portable lowering of every other layer (reference-kernel
 * calls, which the device templates translate). The stage itself — frontier, proof by the memory
 * planner, modes, reasons — is the CPU's; the budget is the device memory (arena plus weights).
 *
 * <p><b>Candidates</b> after the hard gates ({@link ConvKernel#supports}): {@link ClWinogradConv}
 * (3×3, stride 1, dilation 1, one group) and {@link ClTiledConv} (every geometry, no weight growth,
 * no workspace: the floor of every device budget).
 *
 * <p><b>The estimate.</b> No GPU was at hand to measure, so the figures are nominal, and the
 * report says so. A layer's arithmetic runs at a device rate and its global-memory traffic at a
 * device bandwidth, and the two add (Winograd's memory-bound transforms and its compute-bound
 * GEMMs are separate kernels, run one after the other):
 *
 * <pre>
 *   time = flops / NOMINAL_GFLOPS + bytes / NOMINAL_GBPS
 *
 *   cl-tiled          flops = 2·N·M·(C/G)·kH·kW·outH·outW   (3×3: 36 multiplications per 2×2
 *                                                              outputs and channel pair)
 *                     bytes = 4·(input + weights + output)
 *   cl-winograd-f2x2  T = N·⌈outH/2⌉·⌈outW/2⌉ tiles
 *                     flops = 2·16·M·C·T                     (the 16 GEMMs: 16 multiplications)
 *                           + 32·C·T + 24·M·T                (the additions of Bᵀ d B and Aᵀ M A)
 *                     bytes = 4·(input + 16·M·C + output     (the weights: 16 instead of 9 a pair)
 *                                + 2·16·C·T + 2·16·M·T)      (V and M: written once, read once)
 * </pre>
 *
 * Only the ratio of the two figures decides between the algorithms: {@value #NOMINAL_GFLOPS}
 * GFLOP/s against {@value #NOMINAL_GBPS} GB/s is 2 FLOPs per byte, the smallest ratio at which the
 * rule the device followed before this estimate — fewer than 8 input or output channels never pay
 * for Winograd's transforms — follows from it. With {@code P = N·outH·outW ≤ 4T}, Winograd saves at
 * most {@code 18·M·C·4T − 32·M·C·T − 32·C·T − 24·M·T = T·(40·M·C − 32·C − 24·M)} FLOPs and moves at
 * least {@code 128·(C + M)·T} more bytes, so it is faster only if {@code 40·M·C − 32·C − 24·M >
 * 2·128·(C + M)}; with C ≤ 7 the left side is below 256·M, with M ≤ 7 below 248·C, and neither
 * reaches the right. Above 8 channels the estimate decides layer by layer: on large maps square
 * layers pay from about 15 channels (ResNet's 64 and up by far), narrow maps' padded tiles and the
 * 16/9 weights count against it. A GPU's peak balance is tens of FLOPs per byte, which would move
 * the break-even higher still; the estimate leaves out kernel launch overhead (Winograd launches
 * three kernels, tiled one). Replace the figures with measured ones once a device can be measured.
 */
public final class OpenClTarget implements SelectionTarget {
  public static final OpenClTarget INSTANCE = new OpenClTarget();

  /** The arithmetic rate the estimate assumes, GFLOP/s (FLOPs per nanosecond). Nominal. */
  static final double NOMINAL_GFLOPS = 2000;
  /** The global-memory bandwidth the estimate assumes, GB/s (bytes per nanosecond). Nominal. */
  static final double NOMINAL_GBPS = 1000;

  private static final List<ConvKernel> KERNELS = List.of(ClWinogradConv.INSTANCE,
      ClTiledConv.INSTANCE);

  private OpenClTarget() {}

  @Override
  public List<ConvKernel> kernels() {
    return KERNELS;
  }

  @Override
  public ConvKernel generic() {
    return ClTiledConv.INSTANCE;
  }

  /** The device templates translate the portable reference-kernel calls, not the fast kernels'. */
  @Override
  public boolean referenceKernels() {
    return true;
  }

  @Override
  public CostModel.Estimate estimate(ConvKernel kernel, ConvShape s) {
    long flops;
    long floats = (long) s.batch * s.inChannels * s.inH * s.inW
        + (long) s.batch * s.outChannels * s.outH * s.outW + kernel.packedWeightFloats(s);
    if (kernel == ClWinogradConv.INSTANCE) {
      long tiles = ClWinogradConv.tiles(s);
      flops = 2L * 16 * s.outChannels * s.inChannels * tiles + 32L * s.inChannels * tiles
          + 24L * s.outChannels * tiles;
      floats += 2L * 16 * (s.inChannels + s.outChannels) * tiles;
    } else if (kernel == ClTiledConv.INSTANCE) {
      flops = 2L * s.batch * s.outChannels * s.inChannelsPerGroup() * s.kernelH * s.kernelW
          * s.outH * s.outW;
    } else {
      throw new IllegalArgumentException("not a device algorithm: " + kernel.name());
    }
    return estimate(flops, floats * Float.BYTES);
  }

  @Override
  public CostModel.Estimate estimate(Cost layer) {
    return estimate(layer.flops(), layer.bytesMoved());
  }

  private static CostModel.Estimate estimate(long flops, long bytes) {
    return new CostModel.Estimate(flops, bytes, flops / NOMINAL_GFLOPS + bytes / NOMINAL_GBPS);
  }

  @Override
  public ObjectNode describe() {
    ObjectNode device = JsonNodeFactory.instance.objectNode();
    device.put("source", "nominal OpenCL device (assumed figures, not measured)");
    device.put("gflops", NOMINAL_GFLOPS);
    device.put("bandwidthGBps", NOMINAL_GBPS);
    return device;
  }

  @Override
  public String budgetName() {
    return "device memory budget";
  }
}
