package dev.kiln.runtime.kernels.conv;

import dev.kiln.runtime.kernels.VectorSupport;
import java.lang.invoke.MethodHandles;

/**
 * The hot loops of {@link WinogradConv}, vectorized across tiles: a "lane" is one tile of the tile
 * block, and the scratch rows these methods read and write hold one value per tile.
 *
 * <p>The scalar implementation ({@link ScalarWinogradOps}) and the Vector API one (java21 layer,
 * {@code VectorWinogradOps}) perform the same float operations in the same order, so they give
 * bit-identical results: the transforms use separate multiplies and adds exactly as written in
 * {@link ScalarWinogradOps}, the GEMM one fused multiply-add per channel in increasing channel order.
 * Where a method may touch lanes past {@code count} its comment says so; those lanes hold junk that
 * no output depends on.
 */
interface WinogradOps {
  /** Output channels one {@link #gemm} call computes; the weights are packed in panels of this many. */
  int PANEL = 8;

  /**
   * {@code m[mOff + r·mStride + t] = Σ_c u[uOff + PANEL·c + r] · v[vOff + c·vStride + t]} for
   * {@code r < PANEL}, {@code t < lanes} (a multiple of {@link WinogradConv#LANE_QUANTUM}),
   * accumulated with one fused multiply-add per {@code c} in increasing order starting from 0.
   */
  void gemm(float[] u, int uOff, float[] v, int vOff, int vStride, int channels,
      float[] m, int mOff, int mStride, int lanes);

  /**
   * The input transform {@code V = B^T d B} of {@code count} consecutive tiles of one tile row. Tile
   * t's α×α window is {@code d[i][j] = patch[patchOff + i·patchStride + tile·t + j]}; first {@code
   * rows[i][ν] = (B^T d[i][·])_ν}, then {@code V[ξ][ν] = (B^T rows[·][ν])_ξ} lands in {@code
   * dst[dstOff + (ξ·α + ν)·dstPlaneStride + t]}. {@code ws[rowsOff ..]} is scratch of α² rows of
   * {@code rowStride} floats for the rows. May write lanes up to the next multiple of {@link
   * WinogradConv#LANE_QUANTUM} after {@code count} (in the scratch and in V), and read each patch
   * row up to {@code tile·(count + LANE_QUANTUM) + tile + 2} floats from its start.
   */
  void inputSegment(int tile, float[] patch, int patchOff, int patchStride, float[] ws,
      int rowsOff, int rowStride, float[] dst, int dstOff, int dstPlaneStride, int count);

  /**
   * One-dimensional output transform {@code A^T m} over α source rows {@code src[srcOff +
   * j·srcStride + t]} into {@code tile} destination rows {@code dst[dstOff + i·dstStride + t]}, {@code
   * t < lanes} (a multiple of {@link WinogradConv#LANE_QUANTUM}). Source and destination must not
   * overlap.
   */
  void outputTransform(int tile, float[] src, int srcOff, int srcStride,
      float[] dst, int dstOff, int dstStride, int lanes);

  /**
   * The row half of the output transform, written straight into an output row: the α values
   * {@code src[srcOff + ν·srcStride + t]} of tile t give {@code dst[dstOff + tile·t + b] = (A^T
   * m)_b} for {@code b < tile}, except that the last of the {@code count} tiles writes only its first
   * {@code lastColumns} values (the image edge). Writes nothing else.
   */
  void outputRow(int tile, float[] src, int srcOff, int srcStride, float[] dst, int dstOff,
      int count, int lastColumns);

  /** The implementation this JVM uses: the Vector API one when available, else the scalar one. */
  static WinogradOps get() {
    return Holder.INSTANCE;
  }

  /** Lazy holder: the Vector API check runs on first use of a Winograd kernel. */
  final class Holder {
    private Holder() {}

    static final WinogradOps INSTANCE = VectorSupport.load(MethodHandles.lookup(),
        WinogradOps.class, "dev.kiln.runtime.kernels.conv.VectorWinogradOps", new ScalarWinogradOps());
  }
}
