package dev.kiln.runtime.kernels.conv;

import dev.kiln.runtime.kernels.ConvShape;
import dev.kiln.runtime.kernels.Epilogue;
import dev.kiln.runtime.parallel.ThreadTeam;

/**
 * Runs a {@link ConvKernel} over all its tasks: the call generated code makes for a convolution.
 * With a team of several threads the tasks are split statically (a task computes its outputs
 * completely), so the result is bit-identical for every thread count.
 */
public final class ConvRunner {
  /**
   * The task object handed to the team, one per calling thread and reused for every layer that
   * thread runs, so running a layer allocates nothing.
   */
  private static final ThreadLocal<Job> JOBS = ThreadLocal.withInitial(Job::new);

  private ConvRunner() {}

  /**
   * @param team the session's team; its thread count must not exceed the one the workspace was
   *     planned for
   */
  public static void run(ThreadTeam team, ConvKernel kernel, ConvShape s, Epilogue epilogue,
      float[] in, int inOff, float[] packed, int pOff, float[] out, int outOff, float[] residual,
      int residualOff, float[] workspace, int workspaceOff) {
    int tasks = kernel.tasks(s);
    if (team.workersFor(tasks, ConvCall.flops(s)) <= 1) {
      kernel.run(s, epilogue, in, inOff, packed, pOff, out, outOff, residual, residualOff,
          workspace, workspaceOff, 0, tasks, 0);
      return;
    }
    Job job = JOBS.get();
    job.set(kernel, s, epilogue, in, inOff, packed, pOff, out, outOff, residual, residualOff,
        workspace, workspaceOff);
    try {
      team.run(tasks, ConvCall.flops(s), job);
    } finally {
      job.clear();
    }
  }

  /** One layer's arguments, published to the workers by {@link ThreadTeam#run}. */
  private static final class Job implements ThreadTeam.Task {
    private ConvKernel kernel;
    private ConvShape shape;
    private Epilogue epilogue;
    private float[] in;
    private int inOff;
    private float[] packed;
    private int packedOff;
    private float[] out;
    private int outOff;
    private float[] residual;
    private int residualOff;
    private float[] workspace;
    private int workspaceOff;

    void set(ConvKernel kernel, ConvShape shape, Epilogue epilogue, float[] in, int inOff,
        float[] packed, int packedOff, float[] out, int outOff, float[] residual, int residualOff,
        float[] workspace, int workspaceOff) {
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
    }

    /** Drops the references so a finished session's arrays can be collected. */
    void clear() {
      set(null, null, null, null, 0, null, 0, null, 0, null, 0, null, 0);
    }

    @Override
    public void run(int taskFrom, int taskTo, int worker) {
      kernel.run(shape, epilogue, in, inOff, packed, packedOff, out, outOff, residual, residualOff,
          workspace, workspaceOff, taskFrom, taskTo, worker);
    }
  }
}
