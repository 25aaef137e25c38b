package dev.kiln.compiler.select;

import dev.kiln.compiler.ir.Cost;
import dev.kiln.runtime.kernels.ConvShape;
import dev.kiln.runtime.kernels.conv.ConvCall;
import dev.kiln.runtime.kernels.conv.ConvKernel;
import dev.kiln.runtime.kernels.conv.ConvKernels;
import dev.kiln.runtime.kernels.conv.DepthwiseConv;
import dev.kiln.runtime.kernels.conv.WinogradConv;
import dev.kiln.runtime.kernels.gemm.Gemm;

/**
 * A roofline estimate of one layer under one algorithm, plus the weights' stream:
 *
 * <pre>
 *   time = max( flops / (peak · efficiency(algorithm) · shapeFactor · cores),
 *               activation bytes / bandwidth )
 *        + weight bytes / bandwidth
 * </pre>
 *
 * with {@code cores = min(threads, tasks)}. The FLOPs are the ones the algorithm executes, padding
 * included, so the shape effects that decide between algorithms are in the count, not hidden in a
 * constant:
 *
 * <ul>
 *   <li>GEMM (tiled, gemm-1x1): {@code 2 · N · G · roundUp(M/G, 8) · K · columns}, K = C/G·kH·kW,
 *       the columns of each image padded as the kernel pads them (256-wide tiles, the last one to a
 *       multiple of 32, or of 16 where at most 16 columns are left: a 7×7 map costs 64 columns,
 *       14×14 208). {@code shapeFactor = min(1, K/64)}: with a short
 *       reduction the micro-kernel spends its time loading and storing C, not multiplying (measured:
 *       gemm-1x1 at K = 16 runs at a quarter of its K ≥ 96 rate).
 *   <li>Winograd F(m×m, 3×3), α = m + 2: the α² GEMMs {@code 2 · α² · roundUp(M, 8) · C · T'}
 *       over the image's T tiles padded to a multiple of 16 (one vector lane per tile: F(4,3) on a
 *       7×7 map has 4 tiles and pays for 16), plus the input transform {@code 4 · α³ · C · T} and
 *       the output transform {@code 2 · (m·α² + m²·α) · M · T}. {@code shapeFactor = min(1, C/64)}.
 *   <li>depthwise: {@code 2 · kH · kW · C · outH · outW} per image; direct: the convolution's
 *       multiply-adds × 2 on the reference loops.
 * </ul>
 *
 * Bytes: the weights as the algorithm stores them (Winograd's transformed ones: α²/9 of the 3×3
 * weights, the term that makes F(4,3) and F(6,3) lose on 7×7 maps) plus the input and the output,
 * once each. The activations mostly stay in cache from one layer to the next and overlap with the
 * arithmetic (the roofline's max); the weights do not: a model's weights (45-93 MiB for ResNet-18)
 * are more than a core's caches keep from one run to the next, so every run streams them again, and
 * one thread does not overlap that stream with its arithmetic. Measured on ResNet-18
 * (docs/conv-algorithms.md, "Weights from memory"), a layer's time in a whole model's run exceeded
 * its time alone (weights hot) by about its weights streamed at 10-11 GB/s (16 MiB: +1.5 ms), so
 * the weights' time is added, not maxed. Everything the model leaves out (transform overheads,
 * cache effects, packing) is in the measured per-algorithm efficiency, which {@code kiln calibrate}
 * fits with these same counts.
 */
public final class CostModel {
  /** A reduction this long or longer keeps the GEMM micro-kernel busy. */
  static final int FULL_REDUCTION = 64;

  private final MachineProfile machine;
  private final int threads;

  public CostModel(MachineProfile machine, int threads) {
    if (threads < 1) {
      throw new IllegalArgumentException("threads must be at least 1, got " + threads);
    }
    this.machine = machine;
    this.threads = threads;
  }

  public MachineProfile machine() {
    return machine;
  }

  /** FLOPs and bytes an algorithm moves on a layer, and the time they take on this machine. */
  public record Estimate(long flops, long bytes, double nanos) {}

  public Estimate estimate(ConvKernel kernel, ConvShape s) {
    long flops = flops(kernel, s);
    long bytes = bytes(kernel, s);
    long weightBytes = (long) Float.BYTES * kernel.packedWeightFloats(s);
    int cores = Math.max(1, Math.min(threads, kernel.tasks(s)));
    double rate = machine.peakGflopsPerCore() * machine.efficiencyOf(kernel.name())
        * shapeFactor(kernel, s) * cores;
    double bandwidth = machine.bandwidthGBps();
    double nanos = Math.max(flops / rate, (bytes - weightBytes) / bandwidth)
        + weightBytes / bandwidth;
    return new Estimate(flops, bytes, nanos);
  }

  /** A layer that is not a convolution: one thread, the "other" efficiency, its inputs and outputs moved once. */
  public Estimate estimate(Cost cost) {
    double rate = machine.peakGflopsPerCore() * machine.efficiencyOf(MachineProfile.OTHER);
    return new Estimate(cost.flops(), cost.bytesMoved(),
        Math.max(cost.flops() / rate, cost.bytesMoved() / machine.bandwidthGBps()));
  }

  /** The FLOPs {@code kernel} executes on {@code s} (see the class comment). */
  public static long flops(ConvKernel kernel, ConvShape s) {
    if (kernel instanceof WinogradConv w) {
      long m = w.tileSize();
      long alpha = m + 2;
      long tiles = (long) ceilDiv(s.outH, (int) m) * ceilDiv(s.outW, (int) m);
      long lanes = roundUp(tiles, 16);
      long gemm = 2 * alpha * alpha * roundUp(s.outChannels, Gemm.PANEL_ROWS) * s.inChannels * lanes;
      long input = 4 * alpha * alpha * alpha * s.inChannels * tiles;
      long output = 2 * (m * alpha * alpha + m * m * alpha) * s.outChannels * tiles;
      return s.batch * (gemm + input + output);
    }
    if (isGemm(kernel)) {
      long columns = paddedColumns(s.outH * s.outW);
      return 2L * s.batch * s.groups * roundUp(s.outChannelsPerGroup(), Gemm.PANEL_ROWS)
          * reduction(s) * columns;
    }
    if (kernel instanceof DepthwiseConv) {
      return 2L * s.batch * s.outChannels * s.kernelH * s.kernelW * s.outH * s.outW;
    }
    return ConvCall.flops(s);
  }

  /** Weights as stored, input and output, each moved once. */
  public static long bytes(ConvKernel kernel, ConvShape s) {
    long input = (long) s.batch * s.inChannels * s.inH * s.inW;
    long output = (long) s.batch * s.outChannels * s.outH * s.outW;
    return Float.BYTES * ((long) kernel.packedWeightFloats(s) + input + output);
  }

  /** How much of the algorithm's efficiency a layer of this shape gets (see the class comment). */
  public static double shapeFactor(ConvKernel kernel, ConvShape s) {
    if (kernel instanceof WinogradConv) {
      return Math.min(1.0, (double) s.inChannels / FULL_REDUCTION);
    }
    if (isGemm(kernel)) {
      return Math.min(1.0, (double) reduction(s) / FULL_REDUCTION);
    }
    return 1.0;
  }

  private static boolean isGemm(ConvKernel kernel) {
    return kernel == ConvKernels.TILED || kernel == ConvKernels.GEMM_1X1;
  }

  private static long reduction(ConvShape s) {
    return (long) s.inChannelsPerGroup() * s.kernelH * s.kernelW;
  }

  /**
   * An image's output pixels as the 512-bit GEMM tiles them: whole 256-column tiles, the last in
   * 32-column tiles and, where at most 16 columns are left, a half-width one (a 7×7 map costs 64
   * columns, 13×13 176, 14×14 208).
   */
  static long paddedColumns(int pixels) {
    long full = pixels / Gemm.NC;
    int rest = pixels % Gemm.NC;
    int last = rest % Gemm.PANEL_COLS;
    int half = Gemm.PANEL_COLS / 2;
    return full * Gemm.NC + rest - last + (last == 0 ? 0 : last <= half ? half : Gemm.PANEL_COLS);
  }

  private static int ceilDiv(int a, int b) {
    return (a + b - 1) / b;
  }

  private static long roundUp(long value, int multiple) {
    return (value + multiple - 1) / multiple * multiple;
  }
}
