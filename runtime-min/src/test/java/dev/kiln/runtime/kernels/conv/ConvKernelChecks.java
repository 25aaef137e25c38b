package dev.kiln.runtime.kernels.conv;

import static dev.kiln.runtime.kernels.KernelTesting.FLOAT_EPS;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.kiln.runtime.kernels.ConvShape;
import dev.kiln.runtime.kernels.Epilogue;
import dev.kiln.runtime.kernels.KernelTesting;

/** Runs a {@link ConvKernel} the way generated code does and checks it against the float64 oracle. */
final class ConvKernelChecks {
  private ConvKernelChecks() {}

  /** NCHW geometry of a stride-1 or strided convolution with symmetric or given pads. */
  static ConvShape shape(int n, int c, int h, int w, int m, int k, int stride,
      int padTop, int padLeft, int padBottom, int padRight, int groups) {
    int outH = ConvShape.outputSize(h, k, stride, padTop, padBottom, 1);
    int outW = ConvShape.outputSize(w, k, stride, padLeft, padRight, 1);
    return new ConvShape(n, c, h, w, m, outH, outW, k, k, stride, stride,
        padTop, padLeft, padBottom, padRight, 1, 1, groups);
  }

  /** The output of tasks [0, tasks) on one worker, in a workspace of junk that starts at an offset. */
  static float[] runAll(ConvKernel kernel, ConvShape s, Epilogue e, float[] in, float[] packed,
      float[] residual) {
    float[] out = new float[s.batch * s.outChannels * s.outH * s.outW];
    int ws = kernel.workspaceFloats(s, 1);
    float[] workspace = KernelTesting.random(99, ws + 37, -1e3, 1e3);
    kernel.run(s, e, in, 0, packed, 0, out, 0, residual, 0, workspace, 17, 0, kernel.tasks(s), 0);
    return out;
  }

  static float[] pack(ConvKernel kernel, ConvShape s, float[] w) {
    float[] packed = new float[kernel.packedWeightFloats(s) + 11];
    kernel.packWeights(s, w, 0, packed, 5);
    float[] shifted = new float[packed.length - 5];
    System.arraycopy(packed, 5, shifted, 0, shifted.length);
    return shifted;
  }

  /**
   * Runs {@code kernel} on seeded data and compares with the float64 convolution rounded once and
   * passed through the reference epilogue. Tolerance per output: {@code factor · 2^-24 · L · Σ|w·x|}
   * (L the reduction length C/G·kH·kW, Σ|w·x| the output's magnitude: the worst-case bound of a
   * float32 dot product is 1 · L · 2^-24 · Σ|w·x|) times the epilogue's gain, plus the epilogue's own
   * rounding.
   *
   * @return the output, for further comparisons
   */
  static float[] check(ConvKernel kernel, ConvShape s, Epilogue e, double factor, long seed) {
    float[] in = KernelTesting.random(seed, s.batch * s.inChannels * s.inH * s.inW);
    float[] w = KernelTesting.random(seed + 1,
        s.outChannels * s.inChannelsPerGroup() * s.kernelH * s.kernelW);
    float[] residual = e.hasResidual()
        ? KernelTesting.random(seed + 2, s.batch * s.outChannels * s.outH * s.outW) : null;
    float[] got = runAll(kernel, s, e, in, pack(kernel, s, w), residual);
    double[] conv = KernelTesting.conv64(s, in, w);
    double[] mag = KernelTesting.conv64(s, in, w, true);
    float[] expected = KernelTesting.expectedConv(s, e, conv, residual);
    double gain = KernelTesting.epilogueGain(e);
    int reduction = s.inChannelsPerGroup() * s.kernelH * s.kernelW;
    double[] tol = new double[conv.length];
    for (int i = 0; i < conv.length; i++) {
      double bias = Math.abs(e.bias(i / (s.outH * s.outW) % s.outChannels));
      double r = residual == null ? 0 : Math.abs(residual[i]);
      tol[i] = gain * (factor * FLOAT_EPS * reduction * mag[i]
          + 8 * FLOAT_EPS * (Math.abs(conv[i]) + bias))
          + 8 * FLOAT_EPS * (gain * r + Math.abs(expected[i]));
    }
    assertEquals(expected.length, got.length);
    KernelTesting.assertClose(kernel.name() + " " + s + " epilogue " + e + " seed " + seed,
        dims(s), expected, got, tol);
    return got;
  }

  static int[] dims(ConvShape s) {
    return new int[] {s.batch, s.outChannels, s.outH, s.outW};
  }

  /**
   * Splits the tasks statically over {@code threads} workers (worker i takes the i-th contiguous
   * range) and runs the ranges in the given order, as a thread team would in any interleaving.
   */
  static float[] runSplit(ConvKernel kernel, ConvShape s, Epilogue e, float[] in, float[] packed,
      float[] residual, int threads, int[] order) {
    float[] out = new float[s.batch * s.outChannels * s.outH * s.outW];
    float[] workspace = new float[kernel.workspaceFloats(s, threads)];
    int tasks = kernel.tasks(s);
    for (int worker : order) {
      int from = (int) ((long) tasks * worker / threads);
      int to = (int) ((long) tasks * (worker + 1) / threads);
      kernel.run(s, e, in, 0, packed, 0, out, 0, residual, 0, workspace, 0, from, to, worker);
    }
    return out;
  }
}
