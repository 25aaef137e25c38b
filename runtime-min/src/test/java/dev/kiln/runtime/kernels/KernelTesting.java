package dev.kiln.runtime.kernels;

import static org.junit.jupiter.api.Assertions.fail;

import java.util.SplittableRandom;

/**
 * Shared pieces of the kernel tests: seeded data, a float64 convolution oracle with the magnitude
 * each output's error is measured against, and the comparison that names the first bad coordinate.
 */
public final class KernelTesting {
  /** Unit roundoff of float32, 2^-24. */
  public static final double FLOAT_EPS = 0x1p-24;

  private KernelTesting() {}

  /**
   * The implementation class a hot-loop interface must load in this test run: {@code Vector<api>}
   * in the Vector API run, {@code Scalar<api>} in the {@code -Dkiln.vector=false} run (the pom sets
   * {@code kiln.test.expectVector} for each), so a vector class that failed to load is caught.
   */
  public static String expectedOps(String api) {
    return ("false".equals(System.getProperty("kiln.test.expectVector")) ? "Scalar" : "Vector") + api;
  }

  /** Uniform values in [-1, 1), seeded. */
  public static float[] random(long seed, int size) {
    SplittableRandom r = new SplittableRandom(seed);
    float[] a = new float[size];
    for (int i = 0; i < size; i++) {
      a[i] = (float) (r.nextDouble() * 2 - 1);
    }
    return a;
  }

  /** Values in [lo, hi), seeded. */
  public static float[] random(long seed, int size, double lo, double hi) {
    SplittableRandom r = new SplittableRandom(seed);
    float[] a = new float[size];
    for (int i = 0; i < size; i++) {
      a[i] = (float) (lo + r.nextDouble() * (hi - lo));
    }
    return a;
  }

  /** {@code [N, M, outH, outW]} results of a convolution in float64, without bias. */
  public static double[] conv64(ConvShape s, float[] in, float[] w) {
    return conv64(s, in, w, false);
  }

  /**
   * The convolution in float64; with {@code magnitude} it is computed over |in| and |w| instead, which
   * is the scale that floating-point error of any summation order is proportional to.
   */
  public static double[] conv64(ConvShape s, float[] in, float[] w, boolean magnitude) {
    int cg = s.inChannelsPerGroup();
    int mg = s.outChannelsPerGroup();
    double[] out = new double[s.batch * s.outChannels * s.outH * s.outW];
    for (int n = 0; n < s.batch; n++) {
      for (int m = 0; m < s.outChannels; m++) {
        int g = m / mg;
        for (int y = 0; y < s.outH; y++) {
          for (int x = 0; x < s.outW; x++) {
            double sum = 0;
            for (int c = 0; c < cg; c++) {
              int inBase = (n * s.inChannels + g * cg + c) * s.inH * s.inW;
              int wBase = (m * cg + c) * s.kernelH * s.kernelW;
              for (int i = 0; i < s.kernelH; i++) {
                int iy = y * s.strideH - s.padTop + i * s.dilationH;
                if (iy < 0 || iy >= s.inH) {
                  continue;
                }
                for (int j = 0; j < s.kernelW; j++) {
                  int ix = x * s.strideW - s.padLeft + j * s.dilationW;
                  if (ix < 0 || ix >= s.inW) {
                    continue;
                  }
                  double a = in[inBase + iy * s.inW + ix];
                  double b = w[wBase + i * s.kernelW + j];
                  sum += magnitude ? Math.abs(a * b) : a * b;
                }
              }
            }
            out[((n * s.outChannels + m) * s.outH + y) * s.outW + x] = sum;
          }
        }
      }
    }
    return out;
  }

  /**
   * What a convolution with {@code epilogue} should produce: the float64 convolution (without bias)
   * rounded once to float, then the epilogue's reference {@link Epilogue#apply}, bias included.
   */
  public static float[] expectedConv(ConvShape s, Epilogue epilogue, double[] conv,
      float[] residual) {
    float[] e = new float[conv.length];
    for (int i = 0; i < conv.length; i++) {
      e[i] = (float) conv[i];
    }
    int plane = s.outH * s.outW;
    for (int n = 0; n < s.batch; n++) {
      for (int m = 0; m < s.outChannels; m++) {
        int off = (n * s.outChannels + m) * plane;
        epilogue.apply(m, e, off, plane, residual, off);
      }
    }
    return e;
  }

  /**
   * How much the epilogue can magnify an error of its input: 1.5 for the steepest activation
   * (hard-swish near 3), times the largest |scale| of a scale-shift step.
   */
  public static double epilogueGain(Epilogue epilogue) {
    double gain = 1;
    for (Epilogue.Step step : epilogue.steps()) {
      if (step instanceof Epilogue.ActivationStep) {
        Epilogue.ActivationStep a = (Epilogue.ActivationStep) step;
        gain *= Math.max(1.5, Math.abs(a.alpha));
      } else if (step instanceof Epilogue.ScaleShiftStep) {
        Epilogue.ScaleShiftStep ss = (Epilogue.ScaleShiftStep) step;
        double max = 0;
        for (int c = 0; c < ss.channels(); c++) {
          max = Math.max(max, Math.abs(ss.scale(c)));
        }
        gain *= Math.max(1, max);
      }
    }
    return gain;
  }

  /**
   * Asserts {@code |got[i] − expected[i]| ≤ tolerance[i] + 4 ulp(expected[i])} everywhere (the ulps
   * cover the epilogue's own rounding), reporting the first bad NCHW coordinate and how many are off.
   */
  public static void assertClose(String context, int[] dims, float[] expected, float[] got,
      double[] tolerance) {
    int bad = 0;
    int first = -1;
    double worst = 0;
    for (int i = 0; i < expected.length; i++) {
      double e = expected[i];
      double g = got[i];
      boolean ok;
      if (Double.isNaN(e) || Double.isNaN(g)) {
        ok = Double.isNaN(e) && Double.isNaN(g);
      } else if (Double.isInfinite(e) || Double.isInfinite(g)) {
        ok = e == g;
      } else {
        double diff = Math.abs(g - e);
        double tol = tolerance[i] + 4 * Math.ulp((float) e);
        ok = diff <= tol;
        worst = Math.max(worst, diff / tol);
      }
      if (!ok) {
        if (first < 0) {
          first = i;
        }
        bad++;
      }
    }
    if (bad > 0) {
      double tol = tolerance[first] + 4 * Math.ulp(expected[first]);
      fail(context + ": out" + coordinate(dims, first) + " = " + got[first] + ", expected "
          + expected[first] + " (|Δ| " + (float) Math.abs(got[first] - expected[first]) + " > tol "
          + (float) tol + "); " + bad + " of " + expected.length + " outputs off, worst "
          + (float) worst + "× its tolerance");
    }
  }

  /**
   * Asserts two outputs are identical bit for bit (−0 differs from +0), naming the first difference.
   * All NaNs count as equal: Java leaves open which payload an operation on two NaNs returns, and C2
   * and the interpreter differ there.
   */
  public static void assertIdentical(String context, int[] dims, float[] expected, float[] got) {
    for (int i = 0; i < expected.length; i++) {
      if (Float.floatToIntBits(expected[i]) != Float.floatToIntBits(got[i])) {
        fail(context + ": out" + coordinate(dims, i) + " = " + got[i] + ", expected exactly "
            + expected[i]);
      }
    }
  }

  /** {@code [a,b,c,d]} for a flat index into a row-major tensor of {@code dims}. */
  public static String coordinate(int[] dims, int index) {
    int[] c = new int[dims.length];
    for (int d = dims.length - 1; d >= 0; d--) {
      c[d] = index % dims[d];
      index /= dims[d];
    }
    StringBuilder b = new StringBuilder("[");
    for (int d = 0; d < c.length; d++) {
      b.append(d == 0 ? "" : ",").append(c[d]);
    }
    return b.append(']').toString();
  }

  /** Epilogues exercising every step kind, named for failure messages. */
  public static Epilogue[] epilogues(int channels, long seed) {
    float[] bias = random(seed, channels);
    float[] scale = random(seed + 1, channels, 0.5, 2);
    float[] shift = random(seed + 2, channels);
    return new Epilogue[] {
        Epilogue.NONE,
        Epilogue.builder().bias(bias).build(),
        Epilogue.builder().bias(bias).activation(Epilogue.Activation.RELU).build(),
        Epilogue.builder().bias(bias).activation(Epilogue.Activation.CLIP, 0f, 0.5f).build(),
        Epilogue.builder().bias(bias).residualAdd().activation(Epilogue.Activation.RELU).build(),
        Epilogue.builder().activation(Epilogue.Activation.CLIP, 0f, 6f)
            .scaleShift(scale, shift).build(),
        Epilogue.builder().bias(bias).activation(Epilogue.Activation.HARD_SWISH).build(),
        Epilogue.builder().bias(bias).activation(Epilogue.Activation.SILU).residualAdd().build(),
        Epilogue.builder().activation(Epilogue.Activation.LEAKY_RELU, 0.1f, 0f)
            .activation(Epilogue.Activation.SIGMOID).build(),
    };
  }
}
