package dev.kiln.runtime.kernels.conv;

import dev.kiln.runtime.kernels.ConvShape;
import dev.kiln.runtime.kernels.Epilogue;
import java.util.Arrays;

/**
 * Winograd minimal filtering F(m×m, 3×3) for 3×3 stride-1 convolutions: each m×m output tile is
 * computed from an α×α input tile (α = m + 2) as
 *
 * <pre>
 *   Y = A^T [ Σ_c (G g_{k,c} G^T) ⊙ (B^T d_c B) ] A
 * </pre>
 *
 * so the 9·m² multiplies per tile and channel pair of direct convolution become α² (F(2,3): 2.25×
 * fewer, F(4,3): 4×, F(6,3): 5.06×), paid for with transforms and with rounding error that grows
 * with the size of the transform's coefficients (see docs/conv-algorithms.md).
 *
 * <h2>Matrices</h2>
 * F(m, 3) is the Cook–Toom construction on m + 1 interpolation points plus the point at infinity.
 *
 * <pre>
 * F(2,3), points 0, 1, −1, ∞:
 *   B^T = [ 1  0 −1  0 ]     G = [  1    0    0  ]     A^T = [ 1  1  1  0 ]
 *         [ 0  1  1  0 ]         [ 1/2  1/2  1/2 ]           [ 0  1 −1 −1 ]
 *         [ 0 −1  1  0 ]         [ 1/2 −1/2  1/2 ]
 *         [ 0  1  0 −1 ]         [  0    0    1  ]
 *
 * F(4,3), points 0, 1, −1, 2, −2, ∞ (Lavin &amp; Gray 2016):
 *   B^T = [ 4  0 −5  0  1  0 ]   G = [  1/4     0     0  ]   A^T = [ 1  1  1  1  1  0 ]
 *         [ 0 −4 −4  1  1  0 ]       [ −1/6  −1/6  −1/6 ]         [ 0  1 −1  2 −2  0 ]
 *         [ 0  4 −4 −1  1  0 ]       [ −1/6   1/6  −1/6 ]         [ 0  1  1  4  4  0 ]
 *         [ 0 −2 −1  2  1  0 ]       [ 1/24  1/12   1/6 ]         [ 0  1 −1  8 −8  1 ]
 *         [ 0  2 −1 −2  1  0 ]       [ 1/24 −1/12   1/6 ]
 *         [ 0  4  0 −5  0  1 ]       [   0     0     1  ]
 *
 * F(6,3), points 0, 1, −1, 2, −2, 1/2, −1/2, ∞ (the choice of wincnn and NNPACK: the ±1/2 pair
 * keeps A's largest entry at 32 instead of 243 for ±3):
 *   B^T = [ 1   0   −21/4    0    21/4    0   −1  0 ]   G = [   1      0      0   ]
 *         [ 0   1     1   −17/4  −17/4    1    1  0 ]       [ −2/9   −2/9   −2/9  ]
 *         [ 0  −1     1    17/4  −17/4   −1    1  0 ]       [ −2/9    2/9   −2/9  ]
 *         [ 0  1/2   1/4   −5/2   −5/4    2    1  0 ]       [ 1/90   1/45   2/45  ]
 *         [ 0 −1/2   1/4    5/2   −5/4   −2    1  0 ]       [ 1/90  −1/45   2/45  ]
 *         [ 0   2     4    −5/2    −5    1/2   1  0 ]       [ 32/45  16/45  8/45  ]
 *         [ 0  −2     4     5/2    −5   −1/2   1  0 ]       [ 32/45 −16/45  8/45  ]
 *         [ 0  −1     0    21/4     0  −21/4   0  1 ]       [   0      0      1   ]
 *   A^T = [ 1  1  1  1   1   1     1    0 ]
 *         [ 0  1 −1  2  −2  1/2  −1/2   0 ]
 *         [ 0  1  1  4   4  1/4   1/4   0 ]
 *         [ 0  1 −1  8  −8  1/8  −1/8   0 ]
 *         [ 0  1  1 16  16  1/16  1/16  0 ]
 *         [ 0  1 −1 32 −32  1/32 −1/32  1 ]
 * </pre>
 *
 * <h2>Schedule</h2>
 * The output tiles of one image, in raster order, are cut into tile blocks of up to {@code T} tiles
 * (T a multiple of 16, sized so one transformed plane stays in L1; see {@link #blockTiles}). For one
 * block:
 * <ol>
 *   <li>Input transform, channel by channel and tile-row segment by segment: the segment's α input
 *       rows are copied into a zero-padded patch (padding and image edges need no code of their
 *       own); {@link WinogradOps#inputSegment} pulls the taps of each group of tiles out of the patch
 *       (one vector lane per tile), applies {@code B^T} along the taps and then down the rows, and
 *       stores the α² results in planes {@code V[p][c][t]} of the workspace.
 *   <li>α² independent GEMMs {@code M[p] = U[p] · V[p]} (K×C times C×T), in panels of 8 output
 *       channels, 32 channels at a time so M stays small. U = G g G^T was computed at compile time
 *       ({@link #packWeights}) in double and stored as {@code [chunk][p][panel][c][8]}, in the
 *       order the GEMMs read it.
 *   <li>Output transform per output channel: {@code A^T} down the rows of M, then {@link
 *       WinogradOps#outputRow} applies it along them and writes the tiles' outputs straight into the
 *       output row (partial tiles at the right and bottom edges clipped); then bias and the epilogue
 *       on each output row segment while it is still in L1.
 * </ol>
 * The workspace is O(T · C · α²) per worker, independent of the image size.
 *
 * <p>The α² planes of V (and of M) sit an odd number of cache lines apart. With a spacing that is a
 * multiple of 4 KiB all α² stores of one transform step map to the same L1 set (more lines than the
 * cache has ways) and alias in the store buffer's 4 KiB address check; docs/performance.md has the
 * measurement.
 *
 * <p>Tasks are (image, tile block, output-channel group); the groups exist only to give small layers
 * enough tasks to share among threads, at the price of repeating the block's input transform in each
 * worker that runs one of its groups (a worker running several transforms it once). Every output is
 * computed by exactly one task, in the same order whatever the thread split.
 */
public final class WinogradConv implements ConvKernel {
  /** F(2×2, 3×3): 16 multiplies per tile instead of 36. */
  public static final WinogradConv F2 =
      new WinogradConv(2, true, WinogradOps.get(), EpilogueOps.get());
  /** F(4×4, 3×3): 36 multiplies per tile instead of 144. */
  public static final WinogradConv F4 =
      new WinogradConv(4, true, WinogradOps.get(), EpilogueOps.get());
  /** F(6×6, 3×3): 64 multiplies per tile instead of 324. */
  public static final WinogradConv F6 =
      new WinogradConv(6, true, WinogradOps.get(), EpilogueOps.get());

  /** Tile blocks and scratch rows are multiples of this many lanes (vectors up to 512 bits). */
  static final int LANE_QUANTUM = 16;
  private static final int PANEL = WinogradOps.PANEL;
  /** Output channels transformed back per pass over V: bounds M to α²·32·T floats. */
  private static final int CHANNEL_CHUNK = 32;
  private static final int CHUNK_PANELS = CHANNEL_CHUNK / PANEL;
  /** Upper bound of one V plane (C·T floats): one plane is the GEMM's streamed operand, kept in L1. */
  private static final int PLANE_BUDGET_FLOATS = 8192;
  /** Upper bound of all of V (α²·C·T floats): 1 MiB, half a core's L2. */
  private static final int TRANSFORMED_BUDGET_FLOATS = 262_144;
  private static final int MIN_BLOCK_TILES = 32;
  private static final int MAX_BLOCK_TILES = 128;
  /** Tasks a layer is split into at least (when it has enough output channels). */
  private static final int MIN_TASKS = 8;
  /** Output channels a task computes at least when a layer is split by channel. */
  private static final int MIN_GROUP_CHANNELS = 256;
  private static final int FLOATS_PER_LINE = 16;
  /** 4 KiB: addresses this far apart share an L1 set and look alike to the store buffer's check. */
  private static final int ALIASING_FLOATS = 1024;

  private final int tile;
  private final int alpha;
  private final boolean oddLinePlanes;
  private final WinogradOps ops;
  private final EpilogueOps epilogueOps;
  private final double[][] g;

  WinogradConv(int tile, boolean oddLinePlanes, WinogradOps ops, EpilogueOps epilogueOps) {
    this.tile = tile;
    this.alpha = tile + 2;
    this.oddLinePlanes = oddLinePlanes;
    this.ops = ops;
    this.epilogueOps = epilogueOps;
    this.g = filterTransform(tile);
  }

  /** The output tile size m of F(m×m, 3×3). */
  public int tileSize() {
    return tile;
  }

  @Override
  public String name() {
    return "winograd-f" + tile;
  }

  @Override
  public boolean supports(ConvShape s) {
    return s.kernelH == 3 && s.kernelW == 3 && s.strideH == 1 && s.strideW == 1
        && s.dilationH == 1 && s.dilationW == 1 && s.groups == 1
        && s.outH == s.inH + s.padTop + s.padBottom - 2
        && s.outW == s.inW + s.padLeft + s.padRight - 2;
  }

  @Override
  public int packedWeightFloats(ConvShape s) {
    return alpha * alpha * panels(s) * PANEL * s.inChannels;
  }

  /**
   * {@code U[p][panel][c][r] = (G g_{panel·8+r, c} G^T)[p]}, computed in double and rounded once;
   * the rows of the last panel beyond the output channels are zero.
   */
  @Override
  public void packWeights(ConvShape s, float[] w, int wOff, float[] packed, int pOff) {
    int channels = s.inChannels;
    int panels = panels(s);
    double[] gg = new double[alpha * 3];
    Arrays.fill(packed, pOff, pOff + packedWeightFloats(s), 0f);
    for (int k = 0; k < s.outChannels; k++) {
      for (int c = 0; c < channels; c++) {
        int src = wOff + (k * channels + c) * 9;
        // gg = G·g (α×3), then U = gg·G^T (α×α).
        for (int i = 0; i < alpha; i++) {
          for (int j = 0; j < 3; j++) {
            double sum = 0;
            for (int q = 0; q < 3; q++) {
              sum += g[i][q] * w[src + q * 3 + j];
            }
            gg[i * 3 + j] = sum;
          }
        }
        for (int i = 0; i < alpha; i++) {
          for (int j = 0; j < alpha; j++) {
            double sum = 0;
            for (int q = 0; q < 3; q++) {
              sum += gg[i * 3 + q] * g[j][q];
            }
            int p = i * alpha + j;
            packed[pOff + panelOffset(s, p, k / PANEL) + c * PANEL + k % PANEL] = (float) sum;
          }
        }
      }
    }
  }

  @Override
  public int workspaceFloats(ConvShape s, int threads) {
    return threads * workerFloats(s);
  }

  @Override
  public int tasks(ConvShape s) {
    return s.batch * blocks(s) * channelGroups(s);
  }

  @Override
  public void run(ConvShape s, Epilogue epilogue, float[] in, int inOff, float[] packed, int pOff,
      float[] out, int outOff, float[] residual, int residualOff, float[] workspace, int workspaceOff,
      int taskFrom, int taskTo, int worker) {
    int tilesX = ceilDiv(s.outW, tile);
    int tiles = ceilDiv(s.outH, tile) * tilesX;
    int blockTiles = blockTiles(s);
    int blocks = ceilDiv(tiles, blockTiles);
    int groups = channelGroups(s);
    int panels = panels(s);
    int planes = alpha * alpha;
    int vOff = workspaceOff + worker * workerFloats(s);
    int planeStride = planeStride(s.inChannels * blockTiles + LANE_QUANTUM);
    int mOff = vOff + planes * planeStride;
    int mPlaneStride = planeStride(CHANNEL_CHUNK * blockTiles);
    int rowsOff = mOff + planes * mPlaneStride;
    int rowStride = blockTiles + LANE_QUANTUM;
    int patchOff = rowsOff + planes * rowStride;

    for (int task = taskFrom; task < taskTo; task++) {
      int n = task / (blocks * groups);
      int block = task % (blocks * groups) / groups;
      int group = task % groups;
      int firstTile = block * blockTiles;
      int tileCount = Math.min(blockTiles, tiles - firstTile);
      int lanes = roundUp(tileCount, LANE_QUANTUM);

      // The groups of one block are consecutive tasks: a worker that runs several of them
      // transforms the block's input once (V depends only on the image and the block).
      if (group == 0 || task == taskFrom) {
        for (int c = 0; c < s.inChannels; c++) {
          int plane = inOff + (n * s.inChannels + c) * s.inH * s.inW;
          transformInput(s, in, plane, firstTile, tileCount, tilesX, workspace, patchOff,
              patchStride(blockTiles), rowsOff, rowStride, vOff + c * blockTiles, planeStride);
        }
      }

      int panelFrom = group * panels / groups;
      int panelTo = (group + 1) * panels / groups;
      // Chunks at fixed boundaries (the weights' layout, whatever the split), cut at the group's.
      for (int chunk = panelFrom, chunkEnd; chunk < panelTo; chunk = chunkEnd) {
        chunkEnd = Math.min(panelTo, chunk / CHUNK_PANELS * CHUNK_PANELS + CHUNK_PANELS);
        for (int p = 0; p < planes; p++) {
          for (int panel = chunk; panel < chunkEnd; panel++) {
            ops.gemm(packed, pOff + panelOffset(s, p, panel),
                workspace, vOff + p * planeStride, blockTiles, s.inChannels,
                workspace, mOff + p * mPlaneStride + (panel - chunk) * PANEL * blockTiles, blockTiles,
                lanes);
          }
        }
        int kEnd = Math.min(s.outChannels, chunkEnd * PANEL);
        for (int k = chunk * PANEL; k < kEnd; k++) {
          int mChannel = mOff + (k - chunk * PANEL) * blockTiles;
          // S[a][ν] = Σ_ξ A^T[a][ξ] M[ξ][ν] into the rows scratch; storeOutput does the rest.
          for (int nu = 0; nu < alpha; nu++) {
            ops.outputTransform(tile, workspace, mChannel + nu * mPlaneStride, alpha * mPlaneStride,
                workspace, rowsOff + nu * rowStride, alpha * rowStride, lanes);
          }
          storeOutput(s, epilogue, n, k, firstTile, tileCount, tilesX, workspace, rowsOff, rowStride,
              out, outOff, residual, residualOff);
        }
      }
    }
  }

  /**
   * The input transform phase alone, for every tile block of image 0: what the plane-spacing
   * measurement times (docs/performance.md).
   */
  void transformInputOnly(ConvShape s, float[] in, int inOff, float[] workspace, int workspaceOff) {
    int tilesX = ceilDiv(s.outW, tile);
    int tiles = ceilDiv(s.outH, tile) * tilesX;
    int blockTiles = blockTiles(s);
    int planeStride = planeStride(s.inChannels * blockTiles + LANE_QUANTUM);
    int rowsOff = workspaceOff
        + alpha * alpha * (planeStride + planeStride(CHANNEL_CHUNK * blockTiles));
    int rowStride = blockTiles + LANE_QUANTUM;
    int patchOff = rowsOff + alpha * alpha * rowStride;
    for (int firstTile = 0; firstTile < tiles; firstTile += blockTiles) {
      int tileCount = Math.min(blockTiles, tiles - firstTile);
      for (int c = 0; c < s.inChannels; c++) {
        transformInput(s, in, inOff + c * s.inH * s.inW, firstTile, tileCount, tilesX, workspace,
            patchOff, patchStride(blockTiles), rowsOff, rowStride, workspaceOff + c * blockTiles,
            planeStride);
      }
    }
  }

  /**
   * Transforms one input channel of one tile block into {@code V[p][c][·]} at {@code vChannel}
   * (plane p at {@code vChannel + p·planeStride}). Each tile-row segment of the block is first
   * copied, with its padding as zeros, into a patch of α rows, so the gather never needs a bounds
   * check; then {@code rows[i][ν] = Σ_j B^T[ν][j] d[i][j]} and {@code V[ξ][ν] = Σ_i B^T[ξ][i]
   * rows[i][ν]}. Planes are a lane quantum longer than C·T for the segment's overrun.
   */
  private void transformInput(ConvShape s, float[] in, int plane, int firstTile, int tileCount,
      int tilesX, float[] ws, int patchOff, int patchStride, int rowsOff, int rowStride,
      int vChannel, int planeStride) {
    int lane = 0;
    while (lane < tileCount) {
      int t = firstTile + lane;
      int ty = t / tilesX;
      int tx = t % tilesX;
      int count = Math.min(tileCount - lane, tilesX - tx);
      int x0 = tx * tile - s.padLeft;
      int width = count * tile + 2;
      // Input columns [from, to) of the patch's x0 .. x0 + width land in the image.
      int from = Math.min(width, Math.max(0, -x0));
      int to = Math.max(from, Math.min(width, s.inW - x0));
      for (int i = 0; i < alpha; i++) {
        int y = ty * tile - s.padTop + i;
        int dst = patchOff + i * patchStride;
        if (y < 0 || y >= s.inH) {
          Arrays.fill(ws, dst, dst + width, 0f);
        } else {
          // The borders are a float or two: loops, not Arrays.fill calls.
          for (int x = 0; x < from; x++) {
            ws[dst + x] = 0f;
          }
          System.arraycopy(in, plane + y * s.inW + x0 + from, ws, dst + from, to - from);
          for (int x = to; x < width; x++) {
            ws[dst + x] = 0f;
          }
        }
      }
      ops.inputSegment(tile, ws, patchOff, patchStride, ws, rowsOff, rowStride,
          ws, vChannel + lane, planeStride, count);
      lane += count;
    }
  }

  /**
   * Finishes output channel k from {@code S[a][ν]}: {@code Y[a][b] = Σ_ν A^T[b][ν] S[a][ν]} straight
   * into the image (partial tiles at the right and bottom edges clipped), then bias and epilogue on
   * each output row segment while it is in L1.
   */
  private void storeOutput(ConvShape s, Epilogue epilogue, int n, int k, int firstTile,
      int tileCount, int tilesX, float[] ws, int rowsOff, int rowStride,
      float[] out, int outOff, float[] residual, int residualOff) {
    int lane = 0;
    while (lane < tileCount) {
      int t = firstTile + lane;
      int ty = t / tilesX;
      int tx = t % tilesX;
      int count = Math.min(tileCount - lane, tilesX - tx);
      int rows = Math.min(tile, s.outH - ty * tile);
      int xFrom = tx * tile;
      int xTo = Math.min((tx + count) * tile, s.outW);
      int lastColumns = xTo - (tx + count - 1) * tile;
      for (int a = 0; a < rows; a++) {
        int row = outOff + ((n * s.outChannels + k) * s.outH + ty * tile + a) * s.outW;
        ops.outputRow(tile, ws, rowsOff + a * alpha * rowStride + lane, rowStride, out, row + xFrom,
            count, lastColumns);
        epilogueOps.apply(epilogue, k, out, row + xFrom, xTo - xFrom, residual,
            residualOff + row + xFrom - outOff);
      }
      lane += count;
    }
  }

  /**
   * Tiles per block: one V plane (C·T floats) within L1 and all α² planes within half an L2; smaller
   * (down to 32 tiles) when that is what it takes to split one image into {@link #MIN_TASKS} blocks.
   */
  int blockTiles(ConvShape s) {
    int byPlane = PLANE_BUDGET_FLOATS / s.inChannels;
    int byAll = TRANSFORMED_BUDGET_FLOATS / (alpha * alpha * s.inChannels);
    int max = Math.min(byPlane, byAll) / 32 * 32;
    max = Math.max(MIN_BLOCK_TILES, Math.min(MAX_BLOCK_TILES, max));
    int tiles = Math.max(1, ceilDiv(s.outH, tile) * ceilDiv(s.outW, tile));
    int blocks = ceilDiv(tiles, max);
    int wanted = ceilDiv(MIN_TASKS, Math.max(1, s.batch));
    if (blocks < wanted) {
      int smaller = Math.max(MIN_BLOCK_TILES, tiles / wanted / LANE_QUANTUM * LANE_QUANTUM);
      return Math.min(smaller, roundUp(tiles, LANE_QUANTUM));
    }
    return roundUp(ceilDiv(tiles, blocks), LANE_QUANTUM);
  }

  private int blocks(ConvShape s) {
    return ceilDiv(ceilDiv(s.outH, tile) * ceilDiv(s.outW, tile), blockTiles(s));
  }

  /**
   * Output-channel groups: only when the blocks alone give fewer than {@link #MIN_TASKS} tasks, and
   * never below {@link #MIN_GROUP_CHANNELS} channels a group, as each group repeats the input
   * transform.
   */
  private int channelGroups(ConvShape s) {
    int perImage = Math.max(1, s.batch * blocks(s));
    int most = Math.max(1, s.outChannels / MIN_GROUP_CHANNELS);
    return Math.max(1, Math.min(most, ceilDiv(MIN_TASKS, perImage)));
  }

  /**
   * Where {@code U[p][panel]} (C·8 floats) starts in the packed weights: chunk by chunk of {@link
   * #CHUNK_PANELS} panels, inside a chunk plane by plane, so that a task reads the weights front to
   * back in one stream, which the hardware prefetcher follows. Plane-major order ({@code
   * [p][panel]}) had the GEMMs of a chunk hop between α² places 1 MiB apart on ResNet-18's 7×7
   * layers, whose weights come from memory in a whole model's run; the chunk order made its 14×14
   * and 7×7 Winograd layers 4-8% faster there (docs/conv-algorithms.md).
   */
  private int panelOffset(ConvShape s, int p, int panel) {
    int chunkStart = panel / CHUNK_PANELS * CHUNK_PANELS;
    int width = Math.min(CHUNK_PANELS, panels(s) - chunkStart);
    return (chunkStart * alpha * alpha + p * width + panel - chunkStart) * s.inChannels * PANEL;
  }

  private static int panels(ConvShape s) {
    return ceilDiv(s.outChannels, PANEL);
  }

  /** Per worker: V | M | rows (input rows, then the output's S) | patch. */
  private int workerFloats(ConvShape s) {
    int blockTiles = blockTiles(s);
    int planes = alpha * alpha;
    return planes * planeStride(s.inChannels * blockTiles + LANE_QUANTUM)
        + planes * planeStride(CHANNEL_CHUNK * blockTiles)
        + planes * (blockTiles + LANE_QUANTUM)
        + (alpha + 1) * patchStride(blockTiles);
  }

  /**
   * Spacing of the patch rows: a tile row segment (at most the block, m floats a tile, plus the 2
   * columns the last window reaches beyond) and the over-read {@link WinogradOps#inputSegment} may do.
   * One extra row is reserved below the patch for the last row's over-read.
   */
  private int patchStride(int blockTiles) {
    return tile * (blockTiles + LANE_QUANTUM) + alpha;
  }

  /**
   * Plane spacing: whole cache lines, an odd number of them. The aliasing study ({@code
   * oddLinePlanes} false, benchmarks only) instead rounds up to a multiple of 4 KiB, the spacing to
   * avoid.
   */
  private int planeStride(int floats) {
    if (!oddLinePlanes) {
      return roundUp(floats, ALIASING_FLOATS);
    }
    int lines = ceilDiv(floats, FLOATS_PER_LINE);
    return (lines % 2 == 0 ? lines + 1 : lines) * FLOATS_PER_LINE;
  }

  /** Spacing of the transformed input planes V, for the tests. */
  int transformedPlaneStride(ConvShape s) {
    return planeStride(s.inChannels * blockTiles(s) + LANE_QUANTUM);
  }

  /** The rows of G for F(m, 3), exactly as in the class comment. */
  static double[][] filterTransform(int tile) {
    switch (tile) {
      case 2:
        return new double[][] {
            {1, 0, 0}, {0.5, 0.5, 0.5}, {0.5, -0.5, 0.5}, {0, 0, 1}};
      case 4:
        return new double[][] {
            {1 / 4.0, 0, 0},
            {-1 / 6.0, -1 / 6.0, -1 / 6.0},
            {-1 / 6.0, 1 / 6.0, -1 / 6.0},
            {1 / 24.0, 1 / 12.0, 1 / 6.0},
            {1 / 24.0, -1 / 12.0, 1 / 6.0},
            {0, 0, 1}};
      case 6:
        return new double[][] {
            {1, 0, 0},
            {-2 / 9.0, -2 / 9.0, -2 / 9.0},
            {-2 / 9.0, 2 / 9.0, -2 / 9.0},
            {1 / 90.0, 1 / 45.0, 2 / 45.0},
            {1 / 90.0, -1 / 45.0, 2 / 45.0},
            {32 / 45.0, 16 / 45.0, 8 / 45.0},
            {32 / 45.0, -16 / 45.0, 8 / 45.0},
            {0, 0, 1}};
      default:
        throw new IllegalArgumentException("no Winograd F(" + tile + ",3)");
    }
  }

  private static int ceilDiv(int a, int b) {
    return (a + b - 1) / b;
  }

  private static int roundUp(int a, int b) {
    return ceilDiv(a, b) * b;
  }
}
