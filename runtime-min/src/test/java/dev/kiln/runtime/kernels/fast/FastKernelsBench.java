package dev.kiln.runtime.kernels.fast;

import dev.kiln.runtime.kernels.Bench;
import dev.kiln.runtime.kernels.ConvShape;
import dev.kiln.runtime.kernels.KernelTesting;
import dev.kiln.runtime.kernels.reference.ReferenceBinary;
import dev.kiln.runtime.kernels.reference.ReferencePool;
import dev.kiln.runtime.kernels.reference.ReferenceSoftmax;
import java.util.Locale;

/**
 * Times the fast pooling, elementwise, softmax and resize kernels against the reference ones,
 * single thread, and reports the bytes they move per second next to System.arraycopy's. Prints a
 * Markdown table for docs/performance.md.
 *
 * <pre>
 * java -cp runtime-min/target/kiln-runtime-min-*.jar:runtime-min/target/test-classes \
 *     dev.kiln.runtime.kernels.fast.FastKernelsBench [warmupMillis] [runs]
 * </pre>
 */
public final class FastKernelsBench {
  private FastKernelsBench() {}

  public static void main(String[] args) {
    long warmup = args.length > 0 ? Long.parseLong(args[0]) : 800;
    int runs = args.length > 1 ? Integer.parseInt(args[1]) : 9;
    System.out.println("| kernel | shape | reference ms | fast ms | speedup | GB/s | copy GB/s |");
    System.out.println("|---|---|---:|---:|---:|---:|---:|");

    ConvShape maxPool = new ConvShape(1, 64, 112, 112, 64, 56, 56, 3, 3, 2, 2, 1, 1, 1, 1, 1, 1, 64);
    float[] in = KernelTesting.random(1, 64 * 112 * 112);
    float[] out = new float[64 * 112 * 112 * 4];
    row("MaxPool 3x3 s2 p1", "64x112x112", warmup, runs, 4L * (64 * 112 * 112 + 64 * 56 * 56),
        () -> ReferencePool.maxPool2d(maxPool, in, 0, out, 0),
        () -> Pooling.maxPool2d(maxPool, in, 0, out, 0));
    ConvShape avgPool = new ConvShape(1, 64, 56, 56, 64, 56, 56, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1, 64);
    row("AveragePool 3x3 s1 p1", "64x56x56", warmup, runs, 8L * 64 * 56 * 56,
        () -> ReferencePool.averagePool2d(avgPool, false, in, 0, out, 0),
        () -> Pooling.averagePool2d(avgPool, false, in, 0, out, 0));
    row("GlobalAveragePool", "1280x7x7", warmup, runs, 4L * (1280 * 49 + 1280),
        () -> ReferencePool.globalAveragePool(1280, 49, in, 0, out, 0),
        () -> Pooling.globalAveragePool(1280, 49, in, 0, out, 0));
    row("GlobalAveragePool", "1000x13x13", warmup, runs, 4L * (1000 * 169 + 1000),
        () -> ReferencePool.globalAveragePool(1000, 169, in, 0, out, 0),
        () -> Pooling.globalAveragePool(1000, 169, in, 0, out, 0));
    row("GlobalAveragePool", "64x56x56", warmup, runs, 4L * (64 * 3136 + 64),
        () -> ReferencePool.globalAveragePool(64, 3136, in, 0, out, 0),
        () -> Pooling.globalAveragePool(64, 3136, in, 0, out, 0));
    int n = 64 * 56 * 56;
    float[] b = KernelTesting.random(2, n);
    int[] dims = {n};
    int[] unit = {1};
    row("Add", "64x56x56", warmup, runs, 12L * n,
        () -> ReferenceBinary.apply(ReferenceBinary.Op.ADD, dims, in, 0, unit, b, 0, unit, out, 0),
        () -> Elementwise.add(in, 0, b, 0, out, 0, n));
    row("Softmax", "1x1000", warmup, runs, 8000L,
        () -> ReferenceSoftmax.softmax(1, 1000, 1, in, 0, out, 0),
        () -> Softmax.lastAxis(1, 1000, in, 0, out, 0));
    row("Resize nearest 2x", "64x56x56", warmup, runs, 20L * n,
        () -> ResizeOracle.nearest(64, 56, 56, 112, 112,
            ResizeOracle.CoordinateMode.ASYMMETRIC, ResizeOracle.NearestMode.FLOOR,
            in, 0, out, 0),
        () -> Resize.nearest2x(64, 56, 56, in, 0, out, 0));
    row("Resize bilinear 2x", "64x56x56", warmup, runs, 20L * n,
        () -> ResizeOracle.bilinear(64, 56, 56, 112, 112,
            ResizeOracle.CoordinateMode.HALF_PIXEL, in, 0, out, 0),
        () -> Resize.bilinear2x(64, 56, 56, in, 0, out, 0));
  }

  private static void row(String kernel, String shape, long warmup, int runs, long bytes,
      Runnable reference, Runnable fast) {
    Bench.Result r = Bench.time(reference, warmup, runs);
    Bench.Result f = Bench.time(fast, warmup, runs);
    double copy = Bench.copyGigabytesPerSecond((int) (bytes / 8), warmup, runs);
    System.out.printf(Locale.ROOT, "| %s | %s | %.3f | %.3f | %.1fx | %.1f | %.1f |%n", kernel,
        shape, r.cpuNanos / 1e6, f.cpuNanos / 1e6, r.cpuNanos / f.cpuNanos, bytes / f.cpuNanos,
        copy);
  }
}
