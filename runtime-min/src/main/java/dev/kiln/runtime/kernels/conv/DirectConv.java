package dev.kiln.runtime.kernels.conv;

import dev.kiln.runtime.kernels.ConvShape;
import dev.kiln.runtime.kernels.Epilogue;
import dev.kiln.runtime.kernels.reference.ReferenceConv;

/**
 * Direct convolution straight from ONNX-layout weights: supports every geometry, stores the weights
 * unchanged (no growth) and needs no workspace, so it is the floor of every memory budget. Slow: it is
 * the fallback when nothing else fits, and the baseline the other algorithms are measured against.
 *
 * <p>One task per (batch, output channel) plane.
 */
public final class DirectConv implements ConvKernel {
  public static final DirectConv INSTANCE = new DirectConv();

  private DirectConv() {}

  @Override
  public String name() {
    return "direct";
  }

  @Override
  public boolean supports(ConvShape s) {
    return true;
  }

  @Override
  public int packedWeightFloats(ConvShape s) {
    return s.outChannels * s.inChannelsPerGroup() * s.kernelH * s.kernelW;
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
    int outPlane = s.outH * s.outW;
    for (int task = taskFrom; task < taskTo; task++) {
      int n = task / s.outChannels;
      int m = task % s.outChannels;
      int outBase = outOff + task * outPlane;
      ReferenceConv.convolvePlane(s, n, m, in, inOff, packed, pOff, out, outBase);
      epilogue.apply(m, out, outBase, outPlane, residual, residualOff + task * outPlane);
    }
  }
}
