package dev.kiln.compiler.select;

import dev.kiln.compiler.bench.KernelBenchmark;
import dev.kiln.compiler.bench.Timing;
import dev.kiln.runtime.kernels.ConvShape;
import dev.kiln.runtime.kernels.Epilogue;
import dev.kiln.runtime.kernels.KernelInfo;
import dev.kiln.runtime.kernels.conv.ConvCall;
import dev.kiln.runtime.kernels.conv.ConvKernel;
import dev.kiln.runtime.kernels.conv.ConvKernels;
import dev.kiln.runtime.kernels.simd.PeakFlops;
import dev.kiln.runtime.parallel.ThreadTeam;
import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * {@code kiln calibrate}: measures what the cost model needs on this machine, one thread, warm-up
 * excluded ({@link Timing}), by the thread's CPU time (on a shared machine the wall clock also
 * counts other processes' time):
 *
 * <ul>
 *   <li>the FP32 peak of one core ({@link PeakFlops});
 *   <li>the memory bandwidth: {@code System.arraycopy} between two arrays each at least as large as
 *       the last-level cache ({@link #lastLevelCacheBytes}; 32 MiB where it is unknown), twice the
 *       bytes moved (read and written). The cost model streams a model's weights at this rate, and
 *       in a model they come from memory: with 32 MiB arrays on the 300 MiB L3 of the development
 *       VM the warm-up made them cache-resident, calibrate reported 34–36 GB/s against the 10–11
 *       GB/s at which weights streamed inside ResNet-18, and the selection then preferred F(4,3)
 *       and F(6,3) for their smaller arithmetic and larger weights, measured slower in the model;
 *   <li>each registered convolution algorithm's efficiency: on a few layers where it is
 *       compute-bound, {@code flops / (time · peak · shapeFactor)} with {@link CostModel}'s own FLOP
 *       count and shape factor, so the model reproduces the measured time on them; the median over
 *       the layers.
 *   <li>gemm-1x1 is tiled without the im2col gather, and the two compete only on 1×1 layers, where
 *       tiled is not otherwise measured: its factor is tiled's times the median speed ratio of the
 *       two on the same 1×1 layers, so the model ranks them as measured.
 * </ul>
 */
public final class Calibration {
  private static final int COPY_FLOATS = 8 << 20;

  private final Timing timing;
  private final boolean quick;

  /**
   * @param quick small layers and a small copy: seconds instead of a minute, rough numbers (for
   *     trying the command and for tests)
   */
  public Calibration(Timing timing, boolean quick) {
    this.timing = timing;
    this.quick = quick;
  }

  /** One algorithm timed on one layer. */
  public record Sample(String algorithm, ConvShape shape, long flops, double cpuNanos,
      double efficiency) {}

  /**
   * The measured profile and the samples behind its efficiencies.
   *
   * @param gemm1x1OverTiled how many times faster gemm-1x1 ran than tiled on the same 1×1 layers
   */
  public record Result(MachineProfile profile, List<Sample> samples, double gemm1x1OverTiled) {}

  /**
   * The layers each algorithm is timed on: three of ResNet-18's or MobileNet-V2's shapes each (the
   * median of three shrugs off one bad measurement), or one small layer in the quick mode. The
   * direct convolution gets one small layer: it is two orders of magnitude slower.
   */
  List<ConvShape> layersFor(ConvKernel kernel) {
    if (kernel == ConvKernels.DIRECT) {
      return List.of(conv(16, 16, quick ? 8 : 28, 3, 1, 1));
    }
    if (kernel == ConvKernels.DEPTHWISE) {
      return quick ? List.of(conv(16, 16, 16, 3, 1, 16))
          : List.of(conv(144, 144, 56, 3, 1, 144), conv(192, 192, 28, 3, 1, 192),
              conv(576, 576, 14, 3, 1, 576));
    }
    if (kernel == ConvKernels.GEMM_1X1) {
      return quick ? List.of(conv(64, 64, 16, 1, 0, 1))
          : List.of(conv(256, 64, 56, 1, 0, 1), conv(64, 256, 56, 1, 0, 1),
              conv(128, 512, 28, 1, 0, 1));
    }
    return quick ? List.of(conv(64, 64, 16, 3, 1, 1))
        : List.of(conv(64, 64, 56, 3, 1, 1), conv(128, 128, 28, 3, 1, 1), conv(256, 256, 14, 3, 1, 1));
  }

  /** A square, batch-1, stride-1 layer with "same" padding. */
  private static ConvShape conv(int in, int out, int size, int kernel, int pad, int groups) {
    return new ConvShape(1, in, size, size, out, size, size, kernel, kernel, 1, 1, pad, pad, pad, pad,
        1, 1, groups);
  }

  public Result measure() {
    PeakFlops peakLoop = PeakFlops.get();
    long iterations = quick ? 200_000 : 2_000_000;
    double peak = peakLoop.flopsPerIteration() * iterations
        / timing.measure(() -> sink = peakLoop.run(iterations)).medianCpuNanos();
    double bandwidth = bandwidthGBps();

    List<Sample> samples = new ArrayList<>();
    Map<String, Double> efficiency = new LinkedHashMap<>();
    List<Double> gemmOverTiled = new ArrayList<>();
    Map<ConvShape, Double> gemmNanos = new LinkedHashMap<>();
    try (ThreadTeam one = new ThreadTeam(1)) {
      for (ConvKernel kernel : ConvKernels.all()) {
        if (!quick) {
          // A small layer first, untimed: it gets the kernel's loops compiled by C2, which on a
          // busy machine can take longer than a large layer's warm-up waits for improvement.
          for (ConvShape small : new Calibration(timing, true).layersFor(kernel)) {
            time(kernel, small, one);
          }
        }
        List<Double> ratios = new ArrayList<>();
        for (ConvShape s : layersFor(kernel)) {
          if (!kernel.supports(s)) {
            continue;
          }
          double nanos = time(kernel, s, one);
          if (kernel == ConvKernels.GEMM_1X1) {
            gemmNanos.put(s, nanos);
          }
          long flops = CostModel.flops(kernel, s);
          double e = flops / (nanos * peak * CostModel.shapeFactor(kernel, s));
          samples.add(new Sample(kernel.name(), s, flops, nanos, e));
          ratios.add(e);
        }
        if (!ratios.isEmpty()) {
          efficiency.put(kernel.name(), median(ratios));
        }
        if (kernel == ConvKernels.TILED) {
          // Timed here, after tiled's own layers: tiled is compiled by now, as gemm-1x1 was.
          gemmNanos.forEach((s, nanos) -> gemmOverTiled.add(time(ConvKernels.TILED, s, one) / nanos));
        }
      }
    }
    double ratio = median(gemmOverTiled);
    efficiency.put(ConvKernels.GEMM_1X1.name(), efficiency.get(ConvKernels.TILED.name()) * ratio);
    // The other layers' factor is not measured here: they are a few percent of a CNN's time.
    efficiency.put(MachineProfile.OTHER, MachineProfile.BUILT_IN.efficiencyOf(MachineProfile.OTHER));
    MachineProfile profile = new MachineProfile("measured", Instant.now().truncatedTo(ChronoUnit.SECONDS)
        .toString(), KernelInfo.description(), peak, bandwidth, efficiency);
    return new Result(profile, samples, ratio);
  }

  private double time(ConvKernel kernel, ConvShape s, ThreadTeam team) {
    float[] in = KernelBenchmark.random(1, s.batch * s.inChannels * s.inH * s.inW);
    float[] w = KernelBenchmark.random(2, s.outChannels * s.inChannelsPerGroup() * s.kernelH * s.kernelW);
    float[] packed = new float[kernel.packedWeightFloats(s)];
    kernel.packWeights(s, w, 0, packed, 0);
    float[] out = new float[s.batch * s.outChannels * s.outH * s.outW];
    float[] ws = new float[kernel.workspaceFloats(s, 1)];
    Epilogue e = Epilogue.builder().bias(KernelBenchmark.random(3, s.outChannels)).build();
    ConvCall call = new ConvCall(kernel, s, e, in, 0, packed, 0, out, 0, null, 0, ws, 0);
    return timing.measure(() -> call.runOn(team)).medianCpuNanos();
  }

  private double bandwidthGBps() {
    long cacheFloats = lastLevelCacheBytes(Path.of("/sys/devices/system/cpu/cpu0/cache"))
        / Float.BYTES;
    // Two arrays of this size must fit the heap with room to spare.
    long heapFloats = Runtime.getRuntime().maxMemory() / Float.BYTES / 4;
    long large = Math.max(COPY_FLOATS, Math.min(cacheFloats, heapFloats));
    int floats = quick ? COPY_FLOATS / 8 : (int) Math.min(Integer.MAX_VALUE - 16, large);
    float[] from = KernelBenchmark.random(4, floats);
    float[] to = new float[floats];
    double nanos = timing.measure(() -> System.arraycopy(from, 0, to, 0, floats)).medianCpuNanos();
    return 2.0 * floats * Float.BYTES / nanos;
  }

  /**
   * The size of the largest cache level the Linux sysfs describes under {@code cacheDir} ({@code
   * index*}/{@code level} and {@code size}, e.g. "307200K"); 0 where there is none or it cannot be
   * read (other systems).
   */
  static long lastLevelCacheBytes(Path cacheDir) {
    long bytes = 0;
    int deepest = 0;
    try (DirectoryStream<Path> indexes = Files.newDirectoryStream(cacheDir, "index*")) {
      for (Path index : indexes) {
        int level = Integer.parseInt(Files.readString(index.resolve("level")).trim());
        String size = Files.readString(index.resolve("size")).trim().toUpperCase(Locale.ROOT);
        long scale = size.endsWith("K") ? 1L << 10 : size.endsWith("M") ? 1L << 20 : 1;
        long value = Long.parseLong(scale == 1 ? size : size.substring(0, size.length() - 1)) * scale;
        if (level > deepest || level == deepest && value > bytes) {
          deepest = level;
          bytes = value;
        }
      }
    } catch (IOException | RuntimeException e) {
      return 0;
    }
    return bytes;
  }

  private static double median(List<Double> values) {
    return Timing.median(values.stream().mapToDouble(Double::doubleValue).toArray());
  }

  private static volatile float sink;
}
