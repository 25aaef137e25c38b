package dev.kiln.runtime.kernels.conv;

import dev.kiln.runtime.kernels.ConvShape;
import dev.kiln.runtime.kernels.Epilogue;

/**
 * One convolution algorithm (tiled, 1×1 GEMM, Winograd, depthwise, ...): the contract between the
 * algorithm selection stage, the code generator and the kernels.
 *
 * <p>Lifecycle: at compile time the selector asks {@link #supports}, {@link #packedWeightFloats} and
 * {@link #workspaceFloats}; the compiler calls {@link #packWeights} once and stores the result in the
 * weights resource; at run time the model calls {@link #run} for task ranges — from one thread, or
 * split across threads by a fixed rule so results are bit-identical for every thread count (a task
 * computes its outputs completely; no reduction is split across tasks).
 *
 * <p>Implementations are stateless singletons; {@link #run} never allocates.
 */
public interface ConvKernel {
  /** Stable identifier used in reports and generated code, e.g. {@code "winograd-f4x4"}. */
  String name();

  /** Hard gates: whether this algorithm can compute {@code s} at all (e.g. Winograd: 3×3, stride 1, dilation 1). */
  boolean supports(ConvShape s);

  /** Floats of weights as this algorithm stores them (packed panels, transformed tiles). */
  int packedWeightFloats(ConvShape s);

  /**
   * Transforms ONNX weights {@code [M, C/G, kH, kW]} at {@code w[wOff]} into this algorithm's layout
   * at {@code packed[pOff]}. Runs at compile time; may allocate.
   */
  void packWeights(ConvShape s, float[] w, int wOff, float[] packed, int pOff);

  /** Scratch floats for one run with up to {@code threads} workers, planned in the arena. */
  int workspaceFloats(ConvShape s, int threads);

  /** Number of independent pieces of work one run splits into. */
  int tasks(ConvShape s);

  /**
   * Computes tasks {@code [taskFrom, taskTo)} of the convolution, applying the epilogue to every
   * output they produce.
   *
   * @param residual the residual tensor (output layout) when {@code epilogue.hasResidual()}
   * @param worker which worker (0 .. threads−1) runs this range: selects its slice of the workspace
   */
  void run(ConvShape s, Epilogue epilogue, float[] in, int inOff, float[] packed, int pOff,
      float[] out, int outOff, float[] residual, int residualOff, float[] workspace, int workspaceOff,
      int taskFrom, int taskTo, int worker);
}
