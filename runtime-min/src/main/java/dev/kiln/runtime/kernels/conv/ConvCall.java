package dev.kiln.runtime.kernels.conv;

import dev.kiln.runtime.kernels.ConvShape;
import dev.kiln.runtime.kernels.Epilogue;
import dev.kiln.runtime.parallel.ThreadTeam;

/**
 * One convolution layer bound to its buffers, ready to run on a {@link ThreadTeam}: built once when a
 * model loads (arena offsets are fixed), so running it allocates nothing.
 */
public final class ConvCall implements ThreadTeam.Task {
  private final ConvKernel kernel;
  private final ConvShape shape;
  private final Epilogue epilogue;
  private final float[] in;
  private final int inOff;
  private final float[] packed;
  private final int packedOff;
  private final float[] out;
  private final int outOff;
  private final float[] residual;
  private final int residualOff;
  private final float[] workspace;
  private final int workspaceOff;
  private final int tasks;
  private final long flops;

  /**
   * @param workspace at least {@code kernel.workspaceFloats(shape, team.threads())} floats at
   *     {@code workspaceOff} for the team it will run on
   */
  public ConvCall(ConvKernel kernel, ConvShape shape, Epilogue epilogue, float[] in, int inOff,
      float[] packed, int packedOff, float[] out, int outOff, float[] residual, int residualOff,
      float[] workspace, int workspaceOff) {
    if (!kernel.supports(shape)) {
      throw new IllegalArgumentException(kernel.name() + " does not support " + shape);
    }
    if (epilogue.hasResidual() && residual == null) {
      throw new IllegalArgumentException("epilogue " + epilogue + " needs a residual tensor");
    }
    long inputs = (long) shape.batch * shape.inChannels * shape.inH * shape.inW;
    long outputs = (long) shape.batch * shape.outChannels * shape.outH * shape.outW;
    requireRoom("input", in, inOff, inputs, shape);
    requireRoom("output", out, outOff, outputs, shape);
    requireRoom("packed weights", packed, packedOff, kernel.packedWeightFloats(shape), shape);
    requireRoom("workspace (for 1 thread)", workspace, workspaceOff, kernel.workspaceFloats(shape, 1),
        shape);
    if (epilogue.hasResidual()) {
      requireRoom("residual", residual, residualOff, outputs, shape);
    }
    this.kernel = kernel;
    this.shape = shape;
    this.epilogue = epilogue;
    this.in = in;
    this.inOff = inOff;
    this.packed = packed;
    this.packedOff = packedOff;
    this.out = out;
    this.outOff = outOff;
    this.residual = residual;
    this.residualOff = residualOff;
    this.workspace = workspace;
    this.workspaceOff = workspaceOff;
    this.tasks = kernel.tasks(shape);
    this.flops = flops(shape);
  }

  private static void requireRoom(String what, float[] array, int offset, long floats, ConvShape s) {
    if (offset < 0 || array.length - (long) offset < floats) {
      throw new IllegalArgumentException(what + " needs " + floats + " floats at offset " + offset
          + " but the array holds " + array.length + " (" + s + ")");
    }
  }

  /** Multiply-adds × 2 of a convolution: what {@link ThreadTeam#run(int, long, ThreadTeam.Task)} weighs. */
  public static long flops(ConvShape s) {
    return 2L * s.batch * s.outChannels * s.outH * s.outW
        * s.inChannelsPerGroup() * s.kernelH * s.kernelW;
  }

  /**
   * Runs the whole convolution on {@code team}, split by the team's rules; the workspace must hold
   * {@code kernel.workspaceFloats(shape, team.threads())} floats.
   */
  public void runOn(ThreadTeam team) {
    team.run(tasks, flops, this);
  }

  @Override
  public void run(int taskFrom, int taskTo, int worker) {
    kernel.run(shape, epilogue, in, inOff, packed, packedOff, out, outOff, residual, residualOff,
        workspace, workspaceOff, taskFrom, taskTo, worker);
  }
}
