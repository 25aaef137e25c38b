package dev.kiln.compiler.codegen.opencl;

import dev.kiln.runtime.kernels.ConvShape;
import dev.kiln.runtime.kernels.Epilogue;
import dev.kiln.runtime.kernels.conv.ConvKernel;
import dev.kiln.runtime.kernels.conv.DirectConv;

/**
 * The device's tiled convolution as the compiler sees it: an implicit GEMM ({@code out[m][p] =
 * Σ_k W[m][k]·X̂[k][p]}, the im2col matrix X̂ gathered tile by tile into local memory, never stored)
 * over the weights in their ONNX layout {@code [M, C/G, kH, kW]}, which is already the row-major
 * {@code M × K} matrix it needs. Depthwise convolutions get their own per-output kernel. Every
 * geometry; no weight growth, no workspace: the floor of every device memory budget.
 *
 * <p>{@link #run} is the same convolution on the CPU (the direct algorithm, same weight layout), so
 * a program lowered for the device also runs in the interpreter.
 */
public final class ClTiledConv implements ConvKernel {
  public static final ClTiledConv INSTANCE = new ClTiledConv();

  private ClTiledConv() {}

  @Override
  public String name() {
    return "cl-tiled";
  }

  @Override
  public boolean supports(ConvShape s) {
    return true;
  }

  @Override
  public int packedWeightFloats(ConvShape s) {
    return DirectConv.INSTANCE.packedWeightFloats(s);
  }

  @Override
  public void packWeights(ConvShape s, float[] w, int wOff, float[] packed, int pOff) {
    DirectConv.INSTANCE.packWeights(s, w, wOff, packed, pOff);
  }

  @Override
  public int workspaceFloats(ConvShape s, int threads) {
    return 0;
  }

  @Override
  public int tasks(ConvShape s) {
    return DirectConv.INSTANCE.tasks(s);
  }

  @Override
  public void run(ConvShape s, Epilogue epilogue, float[] in, int inOff, float[] packed, int pOff,
      float[] out, int outOff, float[] residual, int residualOff, float[] workspace, int workspaceOff,
      int taskFrom, int taskTo, int worker) {
    DirectConv.INSTANCE.run(s, epilogue, in, inOff, packed, pOff, out, outOff, residual, residualOff,
        workspace, workspaceOff, taskFrom, taskTo, worker);
  }
}
