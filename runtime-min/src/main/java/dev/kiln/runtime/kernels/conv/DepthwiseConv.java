package dev.kiln.runtime.kernels.conv;

import dev.kiln.runtime.kernels.ConvShape;
import dev.kiln.runtime.kernels.Epilogue;

/**
 * Depthwise convolution (one filter per channel, {@code groups == C == M}), 3×3 or 5×5, stride 1 or
 * 2, any padding: {@code out[n,c,y,x] = Σ_{i,j} w[c,i,j] · in[n, c, s·y − pt + i, s·x − pl + j]}.
 *
 * <p>It does 2·k² flops per output and reads each input about once, so it is bound by memory, not
 * arithmetic; the goal is to stream each plane once at the bandwidth roof. NCHW, a plane at a time:
 * each output row is split into the columns whose window lies inside the input (the interior, one
 * {@link DepthwiseOps#row} call, vectorized along x) and the border columns that reach into the
 * padding (a few, computed with bounds checks); rows whose window crosses the top or bottom edge
 * are border rows throughout. Every output sums its in-range taps in row-major order with fused
 * multiply-adds from 0, interior or border, scalar or vector, so the paths agree bit for bit. Bias
 * and epilogue run on each output row while it is in L1.
 *
 * <p>Weights keep the ONNX layout {@code [C, 1, k, k]}; there is no workspace. A task is one
 * (image, channel) plane.
 */
public final class DepthwiseConv implements ConvKernel {
  /** The kernel, on the Vector API when the JVM has it. */
  public static final DepthwiseConv INSTANCE = new DepthwiseConv(DepthwiseOps.get());

  private final DepthwiseOps ops;

  DepthwiseConv(DepthwiseOps ops) {
    this.ops = ops;
  }

  @Override
  public String name() {
    return "depthwise";
  }

  @Override
  public boolean supports(ConvShape s) {
    return s.isDepthwise() && s.kernelH == s.kernelW && (s.kernelH == 3 || s.kernelH == 5)
        && s.strideH == s.strideW && (s.strideH == 1 || s.strideH == 2)
        && s.dilationH == 1 && s.dilationW == 1
        && s.outH == ConvShape.outputSize(s.inH, s.kernelH, s.strideH, s.padTop, s.padBottom, 1)
        && s.outW == ConvShape.outputSize(s.inW, s.kernelW, s.strideW, s.padLeft, s.padRight, 1);
  }

  @Override
  public int packedWeightFloats(ConvShape s) {
    return s.outChannels * s.kernelH * s.kernelW;
  }

  @Override
  public void packWeights(ConvShape s, float[] w, int wOff, float[] packed, int pOff) {
    System.arraycopy(w, wOff, packed, pOff, packedWeightFloats(s));
  }

  @Override
  public int workspaceFloats(ConvShape s, int threads) {
    return 0;
  }

  @Override
  public int tasks(ConvShape s) {
    return s.batch * s.outChannels;
  }

  @Override
  public void run(ConvShape s, Epilogue epilogue, float[] in, int inOff, float[] packed, int pOff,
      float[] out, int outOff, float[] residual, int residualOff, float[] workspace, int workspaceOff,
      int taskFrom, int taskTo, int worker) {
    int k = s.kernelH;
    int stride = s.strideH;
    // Output rows [yFrom, yTo) and columns [xFrom, xTo) have their whole window inside the input.
    int yFrom = Math.min(s.outH, ceilDiv(s.padTop, stride));
    int yTo = Math.max(yFrom, Math.min(s.outH, Math.floorDiv(s.inH - k + s.padTop, stride) + 1));
    int xFrom = Math.min(s.outW, ceilDiv(s.padLeft, stride));
    int xTo = Math.max(xFrom, Math.min(s.outW, Math.floorDiv(s.inW - k + s.padLeft, stride) + 1));
    for (int task = taskFrom; task < taskTo; task++) {
      int c = task % s.outChannels;
      int inPlane = inOff + task * s.inH * s.inW;
      int outPlane = outOff + task * s.outH * s.outW;
      int w = pOff + c * k * k;
      for (int y = 0; y < s.outH; y++) {
        int row = outPlane + y * s.outW;
        if (y >= yFrom && y < yTo) {
          border(s, in, inPlane, packed, w, out, row, y, 0, xFrom);
          int windowTop = inPlane + (y * stride - s.padTop) * s.inW;
          ops.row(k, stride, in, windowTop + xFrom * stride - s.padLeft, s.inW, packed, w,
              out, row + xFrom, xTo - xFrom);
          border(s, in, inPlane, packed, w, out, row, y, xTo, s.outW);
        } else {
          border(s, in, inPlane, packed, w, out, row, y, 0, s.outW);
        }
        FusedEpilogue.apply(epilogue, c, out, row, s.outW, residual, residualOff + row - outOff);
      }
    }
  }

  /** Outputs {@code [xFrom, xTo)} of row y with bounds checks: taps in the padding are skipped. */
  private static void border(ConvShape s, float[] in, int inPlane, float[] packed, int w,
      float[] out, int row, int y, int xFrom, int xTo) {
    int k = s.kernelH;
    int stride = s.strideH;
    for (int x = xFrom; x < xTo; x++) {
      float sum = 0f;
      for (int i = 0; i < k; i++) {
        int iy = y * stride - s.padTop + i;
        if (iy < 0 || iy >= s.inH) {
          continue;
        }
        for (int j = 0; j < k; j++) {
          int ix = x * stride - s.padLeft + j;
          if (ix >= 0 && ix < s.inW) {
            sum = Math.fma(in[inPlane + iy * s.inW + ix], packed[w + i * k + j], sum);
          }
        }
      }
      out[row + x] = sum;
    }
  }

  private static int ceilDiv(int a, int b) {
    return (a + b - 1) / b;
  }
}
