package dev.kiln.runtime.kernels.conv;

import dev.kiln.runtime.kernels.Bench;
import dev.kiln.runtime.kernels.ConvShape;
import dev.kiln.runtime.kernels.Epilogue;
import dev.kiln.runtime.kernels.KernelTesting;
import dev.kiln.runtime.kernels.reference.ReferenceConv;
import java.util.Arrays;
import java.util.Locale;

/**
 * Times the Winograd kernels on ResNet-18's 3×3 stride-1 layers, single thread, against the
 * reference direct convolution and an im2col + GEMM baseline built on the same register-blocked
 * GEMM micro-kernel (a stand-in for a well-tuned tiled algorithm), and measures what spacing the
 * transformed planes at a multiple of 4 KiB costs. Prints Markdown tables for docs/performance.md.
 *
 * <pre>
 * java --add-modules jdk.incubator.vector -cp runtime-min/target/kiln-runtime-min-*.jar:runtime-min/target/test-classes \
 *     dev.kiln.runtime.kernels.conv.WinogradBench [warmupMillis] [runs]
 * </pre>
 */
public final class WinogradBench {
  private WinogradBench() {}

  public static void main(String[] args) {
    long warmup = args.length > 0 ? Long.parseLong(args[0]) : 1500;
    int runs = args.length > 1 ? Integer.parseInt(args[1]) : 11;
    System.out.println("WinogradOps: " + WinogradOps.get().getClass().getSimpleName()
        + ", warm-up " + warmup + " ms, median of " + runs + " runs, thread CPU time");
    int[][] layers = {{64, 56}, {128, 28}, {256, 14}, {512, 7}};
    ScalarWinogradOps scalar = new ScalarWinogradOps();
    ScalarEpilogueOps epilogue = new ScalarEpilogueOps();
    ConvKernel[] kernels = {
        WinogradConv.F2, WinogradConv.F4, WinogradConv.F6,
        new WinogradConv(2, true, scalar, epilogue),
        new WinogradConv(4, true, scalar, epilogue), new WinogradConv(6, true, scalar, epilogue)};
    String[] labels = {"F2 vector", "F4 vector", "F6 vector", "F2 scalar", "F4 scalar", "F6 scalar"};

    System.out.println();
    System.out.println("| layer | algorithm | ms (median) | ms (min) | effective GFLOP/s | vs reference"
        + " | vs im2col+GEMM |");
    System.out.println("|---|---|---:|---:|---:|---:|---:|");
    for (int[] layer : layers) {
      int c = layer[0];
      int hw = layer[1];
      ConvShape s = new ConvShape(1, c, hw, hw, c, hw, hw, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1, 1);
      double flops = 2.0 * c * c * 9 * hw * hw;
      float[] in = KernelTesting.random(1, c * hw * hw);
      float[] w = KernelTesting.random(2, c * c * 9, -0.1, 0.1);
      float[] bias = KernelTesting.random(3, c);
      float[] out = new float[c * hw * hw];
      String name = c + "ch " + hw + "x" + hw;

      Bench.Result ref = Bench.time(() -> ReferenceConv.conv2d(s, in, 0, w, 0, bias, 0, out, 0),
          Math.min(warmup, 500), Math.max(3, runs / 2));
      row(name, "reference direct", ref, flops, ref.cpuNanos, Double.NaN);

      Im2colGemm im2col = new Im2colGemm(s, w, bias);
      Bench.Result base = Bench.time(() -> im2col.run(in, out), warmup, runs);
      row(name, "im2col+GEMM (same micro-kernel)", base, flops, ref.cpuNanos, base.cpuNanos);

      Epilogue e = Epilogue.builder().bias(bias).activation(Epilogue.Activation.RELU).build();
      for (int i = 0; i < kernels.length; i++) {
        ConvKernel k = kernels[i];
        float[] packed = new float[k.packedWeightFloats(s)];
        k.packWeights(s, w, 0, packed, 0);
        float[] ws = new float[k.workspaceFloats(s, 1)];
        int tasks = k.tasks(s);
        Bench.Result r = Bench.time(
            () -> k.run(s, e, in, 0, packed, 0, out, 0, null, 0, ws, 0, 0, tasks, 0),
            i < 3 ? warmup : Math.min(warmup, 800), i < 3 ? runs : Math.max(3, runs / 2));
        row(name, labels[i], r, flops, ref.cpuNanos, base.cpuNanos);
      }
    }

    System.out.println();
    System.out.println("Plane spacing, 64ch 56x56:");
    System.out.println();
    System.out.println("| algorithm | planes | input transform ms (median) | (min)"
        + " | whole conv ms (median) | (min) |");
    System.out.println("|---|---|---:|---:|---:|---:|");
    ConvShape s = new ConvShape(1, 64, 56, 56, 64, 56, 56, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1, 1);
    float[] in = KernelTesting.random(1, 64 * 56 * 56);
    float[] w = KernelTesting.random(2, 64 * 64 * 9, -0.1, 0.1);
    float[] out = new float[64 * 56 * 56];
    for (int tile : new int[] {2, 4, 6}) {
      for (boolean odd : new boolean[] {false, true}) {
        WinogradConv k = new WinogradConv(tile, odd, WinogradOps.get(), EpilogueOps.get());
        float[] packed = new float[k.packedWeightFloats(s)];
        k.packWeights(s, w, 0, packed, 0);
        float[] ws = new float[k.workspaceFloats(s, 1)];
        int tasks = k.tasks(s);
        Bench.Result input = Bench.time(() -> k.transformInputOnly(s, in, 0, ws, 0), warmup, runs);
        Bench.Result whole = Bench.time(
            () -> k.run(s, Epilogue.NONE, in, 0, packed, 0, out, 0, null, 0, ws, 0, 0, tasks, 0),
            warmup, runs);
        System.out.printf(Locale.ROOT, "| F%d | %s (%d B apart) | %.3f | %.3f | %.3f | %.3f |%n",
            tile, odd ? "odd lines" : "4 KiB multiple", 4 * k.transformedPlaneStride(s),
            input.cpuNanos / 1e6, input.minCpuNanos / 1e6, whole.cpuNanos / 1e6,
            whole.minCpuNanos / 1e6);
      }
    }
  }

  private static void row(String layer, String algorithm, Bench.Result r, double flops,
      double reference, double baseline) {
    double nanos = r.cpuNanos;
    System.out.printf(Locale.ROOT, "| %s | %s | %.3f | %.3f | %.1f | %.1fx | %s |%n", layer,
        algorithm, nanos / 1e6, r.minCpuNanos / 1e6, flops / nanos, reference / nanos,
        Double.isNaN(baseline) ? "" : String.format(Locale.ROOT, "%.2fx", baseline / nanos));
  }

  /**
   * Baseline: im2col of a chunk of output pixels (9C rows of up to 128 lanes, copied row segment by
   * row segment), then the Winograd kernel's 8-row GEMM micro-kernel over the 9C-long reduction,
   * then bias and ReLU. The chunk shrinks for wide layers so the 9C×chunk panel stays near L2 size.
   */
  static final class Im2colGemm {
    private final ConvShape s;
    private final int chunk;
    private final float[] packed;
    private final float[] bias;
    private final float[] cols;
    private final float[] m;
    private final WinogradOps ops = WinogradOps.get();

    Im2colGemm(ConvShape s, float[] w, float[] bias) {
      this.s = s;
      this.bias = bias;
      int reduction = s.inChannels * 9;
      chunk = Math.max(32, Math.min(128, 65536 / reduction / 16 * 16));
      int panels = (s.outChannels + 7) / 8;
      packed = new float[panels * reduction * 8];
      for (int k = 0; k < s.outChannels; k++) {
        for (int r = 0; r < reduction; r++) {
          packed[((k / 8) * reduction + r) * 8 + k % 8] = w[k * reduction + r];
        }
      }
      cols = new float[reduction * chunk];
      m = new float[8 * chunk];
    }

    void run(float[] in, float[] out) {
      int pixels = s.outH * s.outW;
      int reduction = s.inChannels * 9;
      for (int p0 = 0; p0 < pixels; p0 += chunk) {
        int count = Math.min(chunk, pixels - p0);
        for (int c = 0; c < s.inChannels; c++) {
          for (int i = 0; i < 3; i++) {
            for (int j = 0; j < 3; j++) {
              int row = (c * 9 + i * 3 + j) * chunk;
              int y = p0 / s.outW;
              int x = p0 % s.outW;
              for (int p = 0; p < count; y++, x = 0) {
                int n = Math.min(count - p, s.outW - x);
                int iy = y + i - 1;
                int dst = row + p;
                if (iy < 0 || iy >= s.inH) {
                  Arrays.fill(cols, dst, dst + n, 0f);
                } else {
                  int ix0 = x + j - 1;
                  int from = Math.max(0, -ix0);
                  int to = Math.min(n, s.inW - ix0);
                  for (int q = 0; q < from; q++) {
                    cols[dst + q] = 0f;
                  }
                  System.arraycopy(in, (c * s.inH + iy) * s.inW + ix0 + from, cols, dst + from,
                      to - from);
                  for (int q = to; q < n; q++) {
                    cols[dst + q] = 0f;
                  }
                }
                p += n;
              }
            }
          }
        }
        int lanes = (count + 15) / 16 * 16;
        for (int panel = 0; panel * 8 < s.outChannels; panel++) {
          ops.gemm(packed, panel * reduction * 8, cols, 0, chunk, reduction, m, 0, chunk, lanes);
          for (int r = 0; r < 8 && panel * 8 + r < s.outChannels; r++) {
            int k = panel * 8 + r;
            int dst = k * pixels + p0;
            float b = bias[k];
            for (int p = 0; p < count; p++) {
              out[dst + p] = Math.max(m[r * chunk + p] + b, 0f);
            }
          }
        }
      }
    }
  }
}
