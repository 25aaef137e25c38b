package dev.kiln.runtime.kernels.conv;

import dev.kiln.runtime.kernels.ConvShape;
import dev.kiln.runtime.kernels.gemm.Gemm;
import dev.kiln.runtime.kernels.simd.Vectorization;
import java.lang.invoke.MethodHandles;

/**
 * One row of an im2col block, the packing step of {@link TiledConv}: for every output pixel of a
 * column tile, the input value one kernel tap sees, or zero in the padding. One call fills the whole
 * row across the tile's output rows and panels, so the per-call cost is paid once per row of B rather
 * than once per (row, output-row piece): with one call per piece, the stem of ResNet-18 (7×7/2,
 * pieces of 16-32 floats) spent as long packing as multiplying.
 *
 * <p>The scalar implementation is {@link ScalarIm2colOps}, the Vector API one (java21 layer) {@code
 * VectorIm2colOps}; both only copy floats, so they give identical results.
 */
interface Im2colOps {
  /**
   * Row {@code (c, i, j)} of B for output pixels {@code p = col0 + t}, {@code 0 ≤ t < nc}: writes
   * {@code dst[dOff + (t / 32)·panelStride + t % 32] = in[planeOff + iy·inW + ix]} with
   * {@code iy = y·strideH − padTop + dy}, {@code ix = x·strideW − padLeft + dx} ({@code y, x} the
   * output coordinates of {@code p}, {@code dy = i·dilationH}, {@code dx = j·dilationW}), or 0 where
   * {@code iy} or {@code ix} falls outside the input; then zeros up to the next multiple of 32
   * columns. {@code planeOff} is channel c's input plane; positions in the padding are never read
   * into the result, but a vector implementation may load other floats of {@code in} around them.
   */
  void row(ConvShape s, float[] in, int planeOff, int dy, int dx, int col0, int nc,
      float[] dst, int dOff, int panelStride);

  /** Whether {@link TiledConv} should pack the rows of {@link FlatTaps} layers with {@link #flatRow}. */
  boolean flatRows();

  /**
   * A row of B for a {@link FlatTaps} layer, columns {@code t < nc} of a tile whose first column is
   * a multiple of {@link FlatTaps#LANES}: {@code dst[dOff + (t / 32)·panelStride + t % 32] = in[src +
   * t]} where bit {@code t % 16} of {@code masks[m + (t / 16)·maskStride]} is set, else 0; then zeros
   * up to the next multiple of 32 columns. {@code src} is the tap's input index for the tile's first
   * output, {@code m} the tap's mask for it ({@link FlatTaps#masks}). A vector implementation may
   * load floats of {@code in} that the masks leave out.
   */
  void flatRow(float[] in, int src, float[] masks, int m, int maskStride, int nc,
      float[] dst, int dOff, int panelStride);

  /**
   * Splits rows {@code [rFrom, rTo)} of input plane {@code in[inOff..]} into its four {@link
   * PhaseTaps} phases: phase plane {@code 2·(r % 2) + (c % 2)}, at {@code dst[base + plane ·
   * planeStride]}, gets input row r's even, then odd, columns c at its row {@code r / 2} ({@code
   * outW} floats apart). A vector implementation may write up to a vector's worth of junk past each
   * phase row, where the next row (stored after it) or the room left after the plane takes it.
   */
  void splitPhases(ConvShape s, float[] in, int inOff, int rFrom, int rTo, float[] dst, int base,
      int planeStride);

  /** The implementation this JVM uses: the Vector API one when available, else the scalar one. */
  static Im2colOps get() {
    return Holder.INSTANCE;
  }

  /**
   * The first column u of an output row piece whose input column {@code ix0 + u·stride} is not in
   * the left padding (at most {@code run}).
   */
  static int firstInside(int ix0, int stride, int run) {
    return ix0 >= 0 ? 0 : Math.min(run, (-ix0 + stride - 1) / stride);
  }

  /** One past the last column u of the piece with {@code ix0 + u·stride < inW} (at most {@code run}). */
  static int endInside(int ix0, int stride, int inW, int run) {
    return inW - ix0 <= 0 ? 0 : Math.min(run, (inW - ix0 + stride - 1) / stride);
  }

  /** The destination index of column {@code t} of the row. */
  static int at(int dOff, int panelStride, int t) {
    return dOff + (t / Gemm.PANEL_COLS) * panelStride + t % Gemm.PANEL_COLS;
  }

  /** Lazy holder: the Vector API check runs on first use. */
  final class Holder {
    private Holder() {}

    static final Im2colOps INSTANCE = Vectorization.load(MethodHandles.lookup(),
        Im2colOps.class, "dev.kiln.runtime.kernels.conv.VectorIm2colOps", ScalarIm2colOps::new);
  }
}
