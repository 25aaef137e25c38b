package dev.kiln.runtime.kernels.conv;

/**
 * The hot loop of {@link DepthwiseConv}: one output row segment whose windows lie inside the input
 * horizontally, over the window rows that lie inside it vertically. The scalar implementation
 * ({@link ScalarDepthwiseOps}) and the Vector API one (java21 layer, {@code VectorDepthwiseOps})
 * perform the same fused multiply-adds in the same order, so they give bit-identical results.
 */
interface DepthwiseOps {
  /**
   * {@code out[outOff + x] = Σ_{rowFrom ≤ i < rowTo} Σ_{j<k} w[wOff + i·k + j] · in[inOff +
   * i·inStride + stride·x + j]} for {@code x < count}, accumulated from 0 with one fused
   * multiply-add per tap in the order (i, j) row-major. {@code k} is 3 or 5, {@code stride} 1 or 2;
   * every input index named is in range (rows outside {@code [rowFrom, rowTo)} are not read).
   */
  void row(int k, int stride, float[] in, int inOff, int inStride, int rowFrom, int rowTo,
      float[] w, int wOff, float[] out, int outOff, int count);

  /** The implementation this JVM uses: the Vector API one when available, else the scalar one. */
  static DepthwiseOps get() {
    return Holder.INSTANCE;
  }

  /** Lazy holder: the Vector API check runs on first use of the depthwise kernel. */
  final class Holder {
    private Holder() {}

    static final DepthwiseOps INSTANCE = VectorLoader.load(DepthwiseOps.class,
        "dev.kiln.runtime.kernels.conv.VectorDepthwiseOps", new ScalarDepthwiseOps());
  }
}
