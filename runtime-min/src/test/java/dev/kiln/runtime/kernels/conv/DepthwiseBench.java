package dev.kiln.runtime.kernels.conv;

import dev.kiln.runtime.kernels.Bench;
import dev.kiln.runtime.kernels.ConvShape;
import dev.kiln.runtime.kernels.Epilogue;
import dev.kiln.runtime.kernels.KernelTesting;
import dev.kiln.runtime.kernels.reference.ReferenceConv;
import java.util.Locale;

/**
 * Times the depthwise kernel, single thread, on MobileNetV2's depthwise layers (3×3, pad 1, bias +
 * ReLU6 fused) against the reference direct convolution, and compares the bytes it moves per
 * second (input read + output written) with System.arraycopy moving the same number of bytes.
 * Prints a Markdown table for docs/performance.md.
 *
 * <pre>
 * java --add-modules jdk.incubator.vector -cp runtime-min/target/kiln-runtime-min-*.jar:runtime-min/target/test-classes \
 *     dev.kiln.runtime.kernels.conv.DepthwiseBench [warmupMillis] [runs]
 * </pre>
 */
public final class DepthwiseBench {
  private DepthwiseBench() {}

  public static void main(String[] args) {
    long warmup = args.length > 0 ? Long.parseLong(args[0]) : 1000;
    int runs = args.length > 1 ? Integer.parseInt(args[1]) : 11;
    System.out.println("DepthwiseOps: " + DepthwiseOps.get().getClass().getSimpleName()
        + ", warm-up " + warmup + " ms, median of " + runs + " runs, thread CPU time");
    // channels, input size, stride: MobileNetV2's depthwise layers.
    int[][] layers = {{32, 112, 1}, {96, 112, 2}, {144, 56, 1}, {144, 56, 2}, {192, 28, 1},
        {192, 28, 2}, {384, 14, 1}, {576, 14, 1}, {576, 14, 2}, {960, 7, 1}};
    DepthwiseConv scalar = new DepthwiseConv(new ScalarDepthwiseOps(), new ScalarEpilogueOps());
    System.out.println();
    System.out.println("| layer | MB moved | reference ms | vector ms (median) | vector ms (min)"
        + " | vs reference | GB/s | copy GB/s | of copy | scalar ms |");
    System.out.println("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
    for (int[] layer : layers) {
      int c = layer[0];
      int hw = layer[1];
      int stride = layer[2];
      int outHw = ConvShape.outputSize(hw, 3, stride, 1, 1, 1);
      ConvShape s = new ConvShape(1, c, hw, hw, c, outHw, outHw, 3, 3, stride, stride,
          1, 1, 1, 1, 1, 1, c);
      float[] in = KernelTesting.random(1, c * hw * hw);
      float[] w = KernelTesting.random(2, c * 9);
      float[] bias = KernelTesting.random(3, c);
      float[] out = new float[c * outHw * outHw];
      Epilogue e = Epilogue.builder().bias(bias).activation(Epilogue.Activation.CLIP, 0f, 6f).build();
      DepthwiseConv k = DepthwiseConv.INSTANCE;
      float[] packed = new float[k.packedWeightFloats(s)];
      k.packWeights(s, w, 0, packed, 0);
      int tasks = k.tasks(s);
      float[] ws = new float[k.workspaceFloats(s, 1)];
      Bench.Result ref = Bench.time(() -> ReferenceConv.conv2d(s, in, 0, w, 0, bias, 0, out, 0),
          Math.min(warmup, 500), Math.max(3, runs / 2));
      Bench.Result fast = Bench.time(
          () -> k.run(s, e, in, 0, packed, 0, out, 0, null, 0, ws, 0, 0, tasks, 0), warmup, runs);
      Bench.Result slow = Bench.time(
          () -> scalar.run(s, e, in, 0, packed, 0, out, 0, null, 0, ws, 0, 0, tasks, 0),
          Math.min(warmup, 500), Math.max(3, runs / 2));
      long bytes = 4L * (in.length + out.length);
      double copy = Bench.copyGigabytesPerSecond((in.length + out.length) / 2, warmup, runs);
      double gbs = bytes / fast.cpuNanos;
      System.out.printf(Locale.ROOT,
          "| %dch %dx%d s%d | %.2f | %.3f | %.3f | %.3f | %.1fx | %.1f | %.1f | %.0f%% | %.3f |%n",
          c, hw, hw, stride, bytes / 1e6, ref.cpuNanos / 1e6, fast.cpuNanos / 1e6,
          fast.minCpuNanos / 1e6, ref.cpuNanos / fast.cpuNanos, gbs, copy, 100 * gbs / copy,
          slow.cpuNanos / 1e6);
    }
  }
}
