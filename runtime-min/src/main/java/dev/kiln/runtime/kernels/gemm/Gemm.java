package dev.kiln.runtime.kernels.gemm;

import dev.kiln.runtime.kernels.Epilogue;
import java.util.Arrays;

/**
 * Packed, cache-blocked single-precision GEMM (the GotoBLAS/BLIS structure) for convolutions and
 * fully connected layers: {@code C[M×N] = A[M×K]·B[K×N]}, then a fused {@link Epilogue}.
 *
 * <p>Loop nest of one task (a block of up to {@link #MC} rows × {@link #NC} columns of C):
 * <pre>
 *   for each K block of kc ≤ {@link #KC} (even split of K; the same for every task and thread count)
 *     pack the B block kc × nc into 32-column panels           (L2: kc·nc floats)
 *     for each 32-column B panel                               (its kc×32 micro-panel stays in L1)
 *       for each 8-row A panel                                 (A block mc×kc streams from L2)
 *         microkernel: C tile (+)= A micro-panel · B micro-panel
 *   after the last K block each finished C tile gets the epilogue while it is still in L1.
 * </pre>
 * Every output is a sum over the K blocks in order and, inside a block, over k in order; nothing
 * about it depends on the task split, so results are bit-identical for any number of threads.
 *
 * <p>Weights are packed once, at compile time, in a machine-independent format ({@link
 * #PANEL_ROWS}-row A panels, {@link #PANEL_COLS}-column B panels; see {@link GemmMicrokernel}).
 * Everything here is allocation-free: scratch comes from the caller's workspace.
 */
public final class Gemm {
  /** Rows per packed A panel. */
  public static final int PANEL_ROWS = 8;
  /** Columns per packed B panel: two 512-bit vectors. */
  public static final int PANEL_COLS = 32;
  /**
   * Largest K block. kc = 256 keeps the B micro-panel (256×32 floats = 32 KiB) and the A micro-panel
   * (8 KiB) together in a 48 KiB L1D. KC, MC and NC of 128, 256 and 512 were measured on the shapes
   * in docs/performance.md; 256/256/256 was best or within noise of it on every one.
   */
  public static final int KC = 256;
  /** Rows of C per task: the A block MC × KC (256 KiB) stays in a 2 MiB L2 next to the B block. */
  public static final int MC = 256;
  /** Columns of C per task: the packed B block KC × NC (256 KiB). */
  public static final int NC = 256;
  /** Floats of edge-tile scratch a worker needs (the largest microkernel tile). */
  public static final int TILE_SCRATCH = PANEL_ROWS * PANEL_COLS;

  private Gemm() {}

  // ---------------------------------------------------------------------------------------------
  // Blocking arithmetic, shared with the convolution kernels.

  /** Number of K blocks for a reduction of length {@code k} (at least 1). */
  public static int kBlocks(int k) {
    return Math.max(1, ceilDiv(k, KC));
  }

  /** Length of every K block but possibly the last: K split as evenly as {@link #KC} allows. */
  public static int kBlockSize(int k) {
    return Math.max(1, ceilDiv(k, kBlocks(k)));
  }

  /** The largest multiple of {@link #PANEL_COLS} that holds {@code n} columns. */
  public static int roundUpCols(int n) {
    return ceilDiv(n, PANEL_COLS) * PANEL_COLS;
  }

  /** The largest multiple of {@link #PANEL_ROWS} that holds {@code m} rows. */
  public static int roundUpRows(int m) {
    return ceilDiv(m, PANEL_ROWS) * PANEL_ROWS;
  }

  /** {@code ⌈a/b⌉} for non-negative a and positive b. */
  public static int ceilDiv(int a, int b) {
    return (a + b - 1) / b;
  }

  // ---------------------------------------------------------------------------------------------
  // Packing.

  /** Floats of {@link #packA}'s output: the rows rounded up to whole panels. */
  public static int packedAFloats(int m, int k) {
    return roundUpRows(m) * k;
  }

  /**
   * Packs {@code A[M×K]} (row-major with row stride {@code lda}; {@code K×M} when {@code transA})
   * K block by K block ({@link #kBlockSize}), each block's 8-row panels one after another: for the
   * block starting at {@code k0} of length {@code kc}, row {@code i}, step {@code k0 + p} sits at
   * {@code dst[dOff + k0·roundUp(M, 8) + (i/8)·8·kc + p·8 + i%8]} (see {@link #packedABlock}); rows
   * past M are zero. Block-major, so a task streams its A block from memory front to back, which the
   * hardware prefetcher follows; with panel-major order the 7×7 ResNet layers (9 MiB of weights used
   * for 49 columns) ran at half speed.
   */
  public static void packA(int m, int k, float[] a, int aOff, int lda, boolean transA,
      float[] dst, int dOff) {
    int kc0 = kBlockSize(k);
    for (int k0 = 0; k0 < k; k0 += kc0) {
      int kc = Math.min(kc0, k - k0);
      packBlockA(m, kc, a, transA ? aOff + k0 * lda : aOff + k0, lda, transA,
          dst, packedABlock(m, k, k0, 0, dOff));
    }
  }

  /** Where the K block starting at {@code k0} of row panel {@code row0/8} begins in packed A. */
  public static int packedABlock(int m, int k, int k0, int row0, int pOff) {
    int kc = Math.min(kBlockSize(k), k - k0);
    return pOff + k0 * roundUpRows(m) + row0 * kc;
  }

  /** Floats of {@link #packB}'s output: the columns rounded up to whole panels. */
  public static int packedBFloats(int k, int n) {
    return roundUpCols(n) * k;
  }

  /**
   * Packs {@code B[K×N]} (row-major with row stride {@code ldb}; {@code N×K} when {@code transB}, the
   * layout of a fully connected layer's weights) into 32-column panels: column {@code j}, step
   * {@code p} at {@code dst[dOff + (j/32)·32K + p·32 + j%32]}; columns past N are zero.
   */
  public static void packB(int k, int n, float[] b, int bOff, int ldb, boolean transB,
      float[] dst, int dOff) {
    int panels = ceilDiv(n, PANEL_COLS);
    for (int q = 0; q < panels; q++) {
      int base = dOff + q * PANEL_COLS * k;
      for (int kk = 0; kk < k; kk++) {
        for (int jj = 0; jj < PANEL_COLS; jj++) {
          int j = q * PANEL_COLS + jj;
          float v = 0f;
          if (j < n) {
            v = transB ? b[bOff + j * ldb + kk] : b[bOff + kk * ldb + j];
          }
          dst[base + kk * PANEL_COLS + jj] = v;
        }
      }
    }
  }

  /**
   * Packs rows {@code [k0, k0+kc)} × columns {@code [col0, col0+nc)} of a row-major matrix (row stride
   * {@code ldb}) into 32-column panels of a K block: column j, row kk at {@code dst[dOff + (j/32)·32kc
   * + kk·32 + j%32]}, zero past {@code nc}. This is the 1×1 convolution's B: the input's channel planes.
   */
  public static void packBlockRows(float[] b, int bOff, int ldb, int k0, int kc, int col0, int nc,
      float[] dst, int dOff) {
    GemmMicrokernel mk = GemmMicrokernel.get();
    int panels = ceilDiv(nc, PANEL_COLS);
    int lastWidth = nc - (panels - 1) * PANEL_COLS;
    // Row by row, so the source is read front to back (prefetcher-friendly) and scattered to panels.
    for (int kk = 0; kk < kc; kk++) {
      int src = bOff + (k0 + kk) * ldb + col0;
      int out = dOff + kk * PANEL_COLS;
      for (int q = 0; q < panels; q++) {
        int width = q == panels - 1 ? lastWidth : PANEL_COLS;
        mk.copy(b, src + q * PANEL_COLS, dst, out + q * PANEL_COLS * kc, width);
        if (width < PANEL_COLS) {
          Arrays.fill(dst, out + q * PANEL_COLS * kc + width, out + q * PANEL_COLS * kc + PANEL_COLS, 0f);
        }
      }
    }
  }

  // ---------------------------------------------------------------------------------------------
  // The macro-kernel.

  /**
   * One K block: {@code C[m×n] (+)= A·B} over packed panels, then, when {@code epilogue} is non-null,
   * the epilogue on every output (pass it with the last K block only).
   *
   * @param a the block's slice of A panel 0 at {@code aOff}; panel p's at {@code aOff + p·aPanelStride}
   * @param b the block's slice of B panel 0 at {@code bOff}; panel q's at {@code bOff + q·bPanelStride}
   * @param bStep floats from one k to the next in a B panel: {@link #PANEL_COLS} for packed panels,
   *     the row stride for a row-major B read in place (whole panels only: nothing pads its edge;
   *     only where {@link GemmMicrokernel#readsBInPlace})
   * @param accumulate add to C (every K block but the first) instead of overwriting it
   * @param channelOffset the channel of C's first row ({@code rowChannels}) or first column
   * @param rowChannels whether each row of C is one channel (convolutions over NCHW planes) or each
   *     column is (fully connected layers)
   * @param residual the residual tensor when the epilogue adds one: the element matching
   *     {@code c[cOff]} is {@code residual[residualOff]}, with the same row stride {@code ldc}
   * @param scratch {@link #TILE_SCRATCH} floats for the tiles at the edges of C
   */
  public static void multiplyBlock(int m, int n, int kc,
      float[] a, int aOff, int aPanelStride, float[] b, int bOff, int bPanelStride, int bStep,
      float[] c, int cOff, int ldc, boolean accumulate,
      Epilogue epilogue, int channelOffset, boolean rowChannels, float[] residual, int residualOff,
      float[] scratch, int scratchOff) {
    GemmMicrokernel.get().multiplyBlock(m, n, kc, a, aOff, aPanelStride, b, bOff, bPanelStride,
        bStep, c, cOff, ldc, accumulate, epilogue, channelOffset, rowChannels, residual, residualOff,
        scratch, scratchOff);
  }

  // ---------------------------------------------------------------------------------------------
  // C = packed A · B: weights as A. The 1×1 convolution, and any GEMM whose left operand is constant.

  /** Tasks of {@link #multiplyPackedA}: blocks of {@link #MC} rows × {@link #NC} columns. */
  public static int packedATasks(int m, int n) {
    return ceilDiv(m, MC) * Math.max(1, ceilDiv(n, NC));
  }

  /** Workspace floats one worker of {@link #multiplyPackedA} needs. */
  public static int packedAWorkspaceFloats(int n, int k) {
    return kBlockSize(k) * roundUpCols(Math.min(n, NC)) + TILE_SCRATCH;
  }

  /**
   * Tasks {@code [taskFrom, taskTo)} of {@code C[M×N] = A·B}, then the epilogue with one channel per
   * row of C, {@code A} packed by {@link #packA}, {@code B} row-major with row stride {@code ldb}.
   *
   * @param workspace this worker's {@link #packedAWorkspaceFloats} floats at {@code workspaceOff}
   */
  public static void multiplyPackedA(int m, int n, int k, float[] packedA, int aOff,
      float[] b, int bOff, int ldb, float[] c, int cOff, int ldc,
      Epilogue epilogue, int channelOffset, float[] residual, int residualOff,
      float[] workspace, int workspaceOff, int taskFrom, int taskTo) {
    int nTiles = Math.max(1, ceilDiv(n, NC));
    int kc0 = kBlockSize(k);
    int scratchOff = workspaceOff + kc0 * roundUpCols(Math.min(n, NC));
    for (int t = taskFrom; t < taskTo; t++) {
      int row0 = (t / nTiles) * MC;
      int col0 = (t % nTiles) * NC;
      int mc = Math.min(MC, m - row0);
      int nc = Math.min(NC, n - col0);
      if (nc <= 0) {
        continue;
      }
      int ci = cOff + row0 * ldc + col0;
      int ri = residualOff + row0 * ldc + col0;
      if (k == 0) {
        zeroThenEpilogue(mc, nc, c, ci, ldc, epilogue, channelOffset + row0, true, residual, ri);
        continue;
      }
      for (int k0 = 0; k0 < k; k0 += kc0) {
        int kc = Math.min(kc0, k - k0);
        packBlockRows(b, bOff, ldb, k0, kc, col0, nc, workspace, workspaceOff);
        multiplyBlock(mc, nc, kc, packedA, packedABlock(m, k, k0, row0, aOff), PANEL_ROWS * kc,
            workspace, workspaceOff, PANEL_COLS * kc, PANEL_COLS, c, ci, ldc, k0 > 0,
            k0 + kc == k ? epilogue : null, channelOffset + row0, true, residual, ri,
            workspace, scratchOff);
      }
    }
  }

  // ---------------------------------------------------------------------------------------------
  // C = A · packed B: weights as B. Fully connected layers (Gemm with transB = 1).

  /** Tasks of {@link #multiplyPackedB}: blocks of {@link #MC} rows × {@link #NC} columns. */
  public static int packedBTasks(int m, int n) {
    return Math.max(1, ceilDiv(m, MC)) * ceilDiv(n, NC);
  }

  /** Workspace floats one worker of {@link #multiplyPackedB} needs. */
  public static int packedBWorkspaceFloats(int m, int k) {
    return roundUpRows(Math.min(m, MC)) * kBlockSize(k) + TILE_SCRATCH;
  }

  /**
   * Tasks {@code [taskFrom, taskTo)} of {@code C[M×N] = A·B}, then the epilogue with one channel per
   * column of C: {@code A} row-major with row stride {@code lda} ({@code K×M} when {@code transA}),
   * {@code B} packed by {@link #packB}.
   *
   * @param workspace this worker's {@link #packedBWorkspaceFloats} floats at {@code workspaceOff}
   */
  public static void multiplyPackedB(int m, int n, int k, float[] a, int aOff, int lda,
      boolean transA, float[] packedB, int bOff, float[] c, int cOff, int ldc,
      Epilogue epilogue, float[] residual, int residualOff,
      float[] workspace, int workspaceOff, int taskFrom, int taskTo) {
    int mBlocks = Math.max(1, ceilDiv(m, MC));
    int kc0 = kBlockSize(k);
    int scratchOff = workspaceOff + roundUpRows(Math.min(m, MC)) * kc0;
    for (int t = taskFrom; t < taskTo; t++) {
      int row0 = (t % mBlocks) * MC;
      int col0 = (t / mBlocks) * NC;
      int mc = Math.min(MC, m - row0);
      int nc = Math.min(NC, n - col0);
      if (mc <= 0) {
        continue;
      }
      int ci = cOff + row0 * ldc + col0;
      int ri = residualOff + row0 * ldc + col0;
      if (k == 0) {
        zeroThenEpilogue(mc, nc, c, ci, ldc, epilogue, col0, false, residual, ri);
        continue;
      }
      for (int k0 = 0; k0 < k; k0 += kc0) {
        int kc = Math.min(kc0, k - k0);
        packBlockA(mc, kc, a, transA ? aOff + k0 * lda + row0 : aOff + row0 * lda + k0, lda, transA,
            workspace, workspaceOff);
        multiplyBlock(mc, nc, kc, workspace, workspaceOff, PANEL_ROWS * kc,
            packedB, bOff + col0 * k + k0 * PANEL_COLS, PANEL_COLS * k, PANEL_COLS, c, ci, ldc,
            k0 > 0,
            k0 + kc == k ? epilogue : null, col0, false, residual, ri, workspace, scratchOff);
      }
    }
  }

  /** Packs an mc × kc block of A into 8-row panels of stride 8·kc (zero rows past mc). */
  private static void packBlockA(int mc, int kc, float[] a, int aOff, int lda, boolean transA,
      float[] dst, int dOff) {
    int panels = ceilDiv(mc, PANEL_ROWS);
    for (int p = 0; p < panels; p++) {
      int base = dOff + p * PANEL_ROWS * kc;
      for (int r = 0; r < PANEL_ROWS; r++) {
        int i = p * PANEL_ROWS + r;
        if (i >= mc) {
          for (int kk = 0; kk < kc; kk++) {
            dst[base + kk * PANEL_ROWS + r] = 0f;
          }
        } else if (transA) {
          for (int kk = 0; kk < kc; kk++) {
            dst[base + kk * PANEL_ROWS + r] = a[aOff + kk * lda + i];
          }
        } else {
          int src = aOff + i * lda;
          for (int kk = 0; kk < kc; kk++) {
            dst[base + kk * PANEL_ROWS + r] = a[src + kk];
          }
        }
      }
    }
  }

  /** An empty reduction: C = 0, then the epilogue (so a bias still lands). */
  static void zeroThenEpilogue(int rows, int cols, float[] c, int ci, int ldc, Epilogue e,
      int channel0, boolean rowChannels, float[] residual, int residualIndex) {
    for (int r = 0; r < rows; r++) {
      Arrays.fill(c, ci + r * ldc, ci + r * ldc + cols, 0f);
      if (e == null) {
        continue;
      }
      if (rowChannels) {
        e.apply(channel0 + r, c, ci + r * ldc, cols, residual, residualIndex + r * ldc);
      } else {
        for (int j = 0; j < cols; j++) {
          e.apply(channel0 + j, c, ci + r * ldc + j, 1, residual, residualIndex + r * ldc + j);
        }
      }
    }
  }
}
