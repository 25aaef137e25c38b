package dev.kiln.runtime.kernels.conv;

/**
 * The hot loops of {@link WinogradConv}, vectorized across tiles: a "lane" is one tile of the tile
 * block, and every array region these methods touch holds {@code lanes} consecutive floats per row
 * (one value per tile). {@code lanes} is always a multiple of {@link WinogradConv#LANE_QUANTUM}.
 *
 * <p>The scalar implementation ({@link ScalarWinogradOps}) and the Vector API one (java21 layer,
 * {@code VectorWinogradOps}) perform the same float operations in the same order, so they give
 * bit-identical results: the transforms use separate multiplies and adds exactly as written in
 * {@link ScalarWinogradOps}, the GEMM one fused multiply-add per channel in increasing channel order.
 */
interface WinogradOps {
  /** Rows of output channels one {@link #gemm} call computes: the weights are packed in panels of this many. */
  int PANEL = 8;

  /**
   * {@code m[mOff + r·mStride + t] = Σ_c u[uOff + PANEL·c + r] · v[vOff + c·vStride + t]} for
   * {@code r < PANEL}, {@code t < lanes}, accumulated with one fused multiply-add per {@code c} in
   * increasing order starting from 0.
   */
  void gemm(float[] u, int uOff, float[] v, int vOff, int vStride, int channels,
      float[] m, int mOff, int mStride, int lanes);

  /**
   * The tap rows of {@code count} consecutive tiles of one input row: {@code dst[dstOff +
   * j·dstStride + t] = src[srcOff + j + tile·t]} for {@code j < tile + 2}, {@code t < count}. May
   * also write lanes {@code [count, count + LANE_QUANTUM)} of each destination row (scratch the
   * caller has reserved) and read {@code src} beyond the last tap as long as it stays in the array.
   */
  void gatherTaps(int tile, float[] src, int srcOff, float[] dst, int dstOff, int dstStride,
      int count);

  /**
   * Interleaves the {@code tile} outputs of {@code count} consecutive tiles into an output row:
   * {@code dst[dstOff + tile·t + b] = src[srcOff + b·srcStride + t]} for {@code b < tile}, {@code t <
   * count}; writes nothing else.
   */
  void scatterRow(int tile, float[] src, int srcOff, int srcStride, float[] dst, int dstOff,
      int count);

  /**
   * One-dimensional input transform {@code B^T d} of the F(tile, 3) algorithm over {@code tile + 2}
   * source rows {@code src[srcOff + j·srcStride + t]} into as many destination rows {@code
   * dst[dstOff + i·dstStride + t]}, for {@code t < lanes}. Source and destination must not overlap.
   */
  void inputTransform(int tile, float[] src, int srcOff, int srcStride,
      float[] dst, int dstOff, int dstStride, int lanes);

  /**
   * One-dimensional output transform {@code A^T m} of the F(tile, 3) algorithm: {@code tile + 2}
   * source rows into {@code tile} destination rows, same addressing as {@link #inputTransform}.
   */
  void outputTransform(int tile, float[] src, int srcOff, int srcStride,
      float[] dst, int dstOff, int dstStride, int lanes);

  /** The implementation this JVM uses: the Vector API one when available, else the scalar one. */
  static WinogradOps get() {
    return Holder.INSTANCE;
  }

  /** Lazy holder: the Vector API check runs on first use of a Winograd kernel. */
  final class Holder {
    private Holder() {}

    static final WinogradOps INSTANCE = VectorLoader.load(WinogradOps.class,
        "dev.kiln.runtime.kernels.conv.VectorWinogradOps", new ScalarWinogradOps());
  }
}
