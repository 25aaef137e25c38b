package dev.kiln.runtime.kernels.conv;

import dev.kiln.runtime.kernels.ConvShape;
import dev.kiln.runtime.kernels.Epilogue;
import dev.kiln.runtime.kernels.KernelTesting;
import dev.kiln.runtime.kernels.reference.ReferenceConv;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Random;

/**
 * Numerics study: for each distinct 3×3 stride-1 layer of ResNet-18 and each depthwise layer of
 * MobileNetV2, the error of every algorithm against the convolution in float64, on seeded data shaped
 * like real activations and weights: inputs half-normal (post-ReLU), weights normal with He scaling
 * ({@code σ = √(2 / fan-in)}). Errors are relative to the output's scale: max |y − y64| / max |y64|
 * and RMS(y − y64) / RMS(y64). Digits lost = log10 of an algorithm's RMS error over the reference
 * direct convolution's (ReferenceConv: one float32 running sum per output).
 *
 * <pre>
 * java --add-modules jdk.incubator.vector -cp runtime-min/target/kiln-runtime-min-*.jar:runtime-min/target/test-classes \
 *     dev.kiln.runtime.kernels.conv.ConvNumerics
 * </pre>
 */
public final class ConvNumerics {
  private ConvNumerics() {}

  /** One algorithm on one layer. */
  static final class Row {
    final String layer;
    final String algorithm;
    final double maxRelative;
    final double rmsRelative;
    final double digitsLost;
    /** The largest error relative to the tests' bound {@code 2^-24 · L · Σ|w·x|} (the factor used). */
    final double boundRatio;

    Row(String layer, String algorithm, double maxRelative, double rmsRelative, double digitsLost,
        double boundRatio) {
      this.layer = layer;
      this.algorithm = algorithm;
      this.maxRelative = maxRelative;
      this.rmsRelative = rmsRelative;
      this.digitsLost = digitsLost;
      this.boundRatio = boundRatio;
    }
  }

  /** ResNet-18's 3×3 stride-1 layers: channels, size. */
  static final int[][] RESNET18 = {{64, 56}, {128, 28}, {256, 14}, {512, 7}};
  /** MobileNetV2's depthwise layers: channels, input size, stride. */
  static final int[][] MOBILENET_V2 = {{32, 112, 1}, {96, 112, 2}, {144, 56, 1}, {144, 56, 2},
      {192, 28, 1}, {192, 28, 2}, {384, 14, 1}, {576, 14, 1}, {576, 14, 2}, {960, 7, 1}};

  static List<Row> study(long seed) {
    List<Row> rows = new ArrayList<>();
    for (int[] l : RESNET18) {
      ConvShape s = new ConvShape(1, l[0], l[1], l[1], l[0], l[1], l[1], 3, 3, 1, 1,
          1, 1, 1, 1, 1, 1, 1);
      String name = "resnet18 " + l[0] + "ch " + l[1] + "x" + l[1];
      measure(rows, name, s, seed, new ConvKernel[] {
          WinogradConv.F2, WinogradConv.F4, WinogradConv.F6});
    }
    for (int[] l : MOBILENET_V2) {
      int out = ConvShape.outputSize(l[1], 3, l[2], 1, 1, 1);
      ConvShape s = new ConvShape(1, l[0], l[1], l[1], l[0], out, out, 3, 3, l[2], l[2],
          1, 1, 1, 1, 1, 1, l[0]);
      String name = "mobilenet_v2 dw " + l[0] + "ch " + l[1] + "x" + l[1] + " s" + l[2];
      measure(rows, name, s, seed, new ConvKernel[] {DepthwiseConv.INSTANCE});
    }
    return rows;
  }

  private static void measure(List<Row> rows, String name, ConvShape s, long seed,
      ConvKernel[] kernels) {
    Random random = new Random(seed);
    float[] in = new float[s.batch * s.inChannels * s.inH * s.inW];
    for (int i = 0; i < in.length; i++) {
      in[i] = (float) Math.abs(random.nextGaussian());
    }
    int fanIn = s.inChannelsPerGroup() * 9;
    float[] w = new float[s.outChannels * fanIn];
    double sigma = Math.sqrt(2.0 / fanIn);
    for (int i = 0; i < w.length; i++) {
      w[i] = (float) (random.nextGaussian() * sigma);
    }
    double[] exact = KernelTesting.conv64(s, in, w);
    double[] magnitude = KernelTesting.conv64(s, in, w, true);
    float[] direct = new float[exact.length];
    ReferenceConv.conv2d(s, in, 0, w, 0, null, 0, direct, 0);
    Row base = row(name, "direct (reference)", direct, exact, magnitude, fanIn, Double.NaN);
    rows.add(base);
    rows.add(row(name, "direct, FMA", directFma(s, in, w), exact, magnitude, fanIn,
        base.rmsRelative));
    for (ConvKernel k : kernels) {
      float[] packed = new float[k.packedWeightFloats(s)];
      k.packWeights(s, w, 0, packed, 0);
      float[] got = ConvKernelChecks.runAll(k, s, Epilogue.NONE, in, packed, null);
      rows.add(row(name, k.name(), got, exact, magnitude, fanIn, base.rmsRelative));
    }
  }

  /**
   * Direct convolution accumulating with one fused multiply-add per term in (c, i, j) order, as the
   * GEMM-based kernels do: how much of an algorithm's gain or loss is just the FMA.
   */
  static float[] directFma(ConvShape s, float[] in, float[] w) {
    int cg = s.inChannelsPerGroup();
    int mg = s.outChannelsPerGroup();
    float[] out = new float[s.batch * s.outChannels * s.outH * s.outW];
    for (int m = 0; m < s.outChannels; m++) {
      int g = m / mg;
      for (int y = 0; y < s.outH; y++) {
        for (int x = 0; x < s.outW; x++) {
          float sum = 0f;
          for (int c = 0; c < cg; c++) {
            int plane = (g * cg + c) * s.inH * s.inW;
            for (int i = 0; i < 3; i++) {
              int iy = y * s.strideH - s.padTop + i;
              for (int j = 0; j < 3; j++) {
                int ix = x * s.strideW - s.padLeft + j;
                if (iy >= 0 && iy < s.inH && ix >= 0 && ix < s.inW) {
                  sum = Math.fma(in[plane + iy * s.inW + ix], w[(m * cg + c) * 9 + i * 3 + j], sum);
                }
              }
            }
          }
          out[(m * s.outH + y) * s.outW + x] = sum;
        }
      }
    }
    return out;
  }

  private static Row row(String layer, String algorithm, float[] got, double[] exact,
      double[] magnitude, int reduction, double directRms) {
    double maxErr = 0;
    double maxRef = 0;
    double sumErr2 = 0;
    double sumRef2 = 0;
    double boundRatio = 0;
    for (int i = 0; i < exact.length; i++) {
      double e = got[i] - exact[i];
      maxErr = Math.max(maxErr, Math.abs(e));
      maxRef = Math.max(maxRef, Math.abs(exact[i]));
      sumErr2 += e * e;
      sumRef2 += exact[i] * exact[i];
      if (magnitude[i] > 0) {
        boundRatio = Math.max(boundRatio,
            Math.abs(e) / (KernelTesting.FLOAT_EPS * reduction * magnitude[i]));
      }
    }
    double rms = Math.sqrt(sumErr2 / sumRef2);
    double lost = Double.isNaN(directRms) ? 0 : Math.log10(rms / directRms);
    return new Row(layer, algorithm, maxErr / maxRef, rms, lost, boundRatio);
  }

  public static void main(String[] args) {
    long seed = args.length > 0 ? Long.parseLong(args[0]) : 2024;
    System.out.println("| layer | algorithm | max rel. error | RMS rel. error | digits lost vs direct"
        + " | max err / (2^-24·L·Σ|wx|) |");
    System.out.println("|---|---|---:|---:|---:|---:|");
    for (Row r : study(seed)) {
      System.out.printf(Locale.ROOT, "| %s | %s | %.2e | %.2e | %.2f | %.3f |%n", r.layer,
          r.algorithm, r.maxRelative, r.rmsRelative, r.digitsLost, r.boundRatio);
    }
  }
}
