package dev.kiln.runtime.kernels.conv;

import dev.kiln.runtime.kernels.ConvShape;
import dev.kiln.runtime.kernels.Epilogue;

/** Runs a {@link ConvKernel} over all its tasks: the call generated code makes for a convolution. */
public final class ConvRunner {
  private ConvRunner() {}

  /** All tasks on the calling thread, with worker 0's workspace. */
  public static void run(ConvKernel kernel, ConvShape s, Epilogue epilogue, float[] in, int inOff,
      float[] packed, int pOff, float[] out, int outOff, float[] residual, int residualOff,
      float[] workspace, int workspaceOff) {
    kernel.run(s, epilogue, in, inOff, packed, pOff, out, outOff, residual, residualOff, workspace,
        workspaceOff, 0, kernel.tasks(s), 0);
  }
}
