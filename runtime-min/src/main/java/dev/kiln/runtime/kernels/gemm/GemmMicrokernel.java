package dev.kiln.runtime.kernels.gemm;

import dev.kiln.runtime.kernels.Epilogue;
import dev.kiln.runtime.kernels.simd.Vectorization;
import java.lang.invoke.MethodHandles;

/**
 * The register-blocked heart of the packed GEMM: one {@link #rows()}×{@link #cols()} tile of C
 * accumulated over a K block from packed panels, plus the fused epilogue over a row of outputs.
 *
 * <p>Packed operands (formats fixed, so weights packed on one machine run on any other):
 * <ul>
 *   <li>A: panels of {@link Gemm#PANEL_ROWS} rows, k-major: row r, step k at {@code a[aOff + k·8 + r]};
 *   <li>B: panels of {@link Gemm#PANEL_COLS} columns, k-major: column j, step k at {@code
 *       b[bOff + k·bStep + j]}, {@code bStep} being 32 for a packed panel, or the row stride of a
 *       row-major B read in place (the 1×1 convolution's input planes).
 * </ul>
 * A kernel narrower than a panel reads a sub-panel by starting {@code aOff}/{@code bOff} inside it.
 *
 * <p>Two implementations: {@link ScalarGemmMicrokernel} here, and {@code VectorGemmMicrokernel} in the
 * java21 layer, picked once by {@link Vectorization}. Both compute each output as one sequence of
 * float operations in k order, so a result never depends on how work was split into tiles or threads.
 */
public abstract class GemmMicrokernel {
  /** Epilogue mode bit: add the channel's bias. */
  public static final int FUSE_BIAS = 1;
  /** Epilogue mode bit: add the residual element (after the bias). */
  public static final int FUSE_RESIDUAL = 2;
  /** Epilogue mode bit: ReLU (last). */
  public static final int FUSE_RELU = 4;
  /** Epilogue mode bit: clip to [lo, hi] (last). */
  public static final int FUSE_CLIP = 8;
  /** {@link #fusedMode} of an epilogue the microkernel cannot fuse: use {@link Epilogue#apply}. */
  public static final int NOT_FUSABLE = -1;
  /** K blocks shorter than this walk C's tiles row by row (see {@link #multiplyBlock}). */
  static final int ROWS_OUTER_BELOW = 128;

  GemmMicrokernel() {}

  private static final class Holder {
    static final GemmMicrokernel INSTANCE = Vectorization.load(MethodHandles.lookup(),
        GemmMicrokernel.class, "dev.kiln.runtime.kernels.gemm.VectorGemmMicrokernel",
        ScalarGemmMicrokernel::new);
  }

  /** The microkernel this JVM uses. */
  public static GemmMicrokernel get() {
    return Holder.INSTANCE;
  }

  /** Rows of C per tile; divides {@link Gemm#PANEL_ROWS}. */
  public abstract int rows();

  /** Columns of C per tile; divides {@link Gemm#PANEL_COLS}. */
  public abstract int cols();

  /**
   * {@code C[r][j] = (accumulate ? C[r][j] : 0) + Σ_{k<kc} A[r][k]·B[k][j]} for the full tile, C at
   * {@code c[cOff + r·ldc + j]}; {@code kc ≥ 1}. The sum runs in k order, then adds the old C.
   */
  public abstract void tile(int kc, float[] a, int aOff, float[] b, int bOff,
      float[] c, int cOff, int ldc, boolean accumulate);

  /** {@link #tile} for a single row (row 0 of the A sub-panel at {@code aOff}). */
  public abstract void row(int kc, float[] a, int aOff, float[] b, int bOff,
      float[] c, int cOff, boolean accumulate);

  /**
   * Whether {@link #multiplyBlock} takes a B read in place: whole {@link Gemm#PANEL_COLS}-column
   * panels of a row-major matrix, a {@code bStep} other than {@link Gemm#PANEL_COLS}.
   */
  public boolean readsBInPlace() {
    return false;
  }

  /**
   * {@link #tile} with B read in place: column j, step k at {@code b[bOff + k·bStep + j]}. Only
   * where {@link #readsBInPlace}.
   */
  void tileInPlace(int kc, float[] a, int aOff, float[] b, int bOff, int bStep,
      float[] c, int cOff, int ldc, boolean accumulate) {
    throw new UnsupportedOperationException(this + " does not read B in place");
  }

  /**
   * Columns of {@link #halfTile}, half of {@link #cols()}; 0 where there is no half-width kernel.
   * The last column tile of a map whose width in pixels leaves at most this many over (14² = 6·32
   * + 4, 13² = 5·32 + 9, 28² = 24·32 + 16) then costs half a tile instead of a whole one.
   */
  int halfCols() {
    return 0;
  }

  /** {@link #tile} on {@link #halfCols} columns. Only where {@link #halfCols} is not 0. */
  void halfTile(int kc, float[] a, int aOff, float[] b, int bOff,
      float[] c, int cOff, int ldc, boolean accumulate) {
    throw new UnsupportedOperationException(this + " has no half-width tile");
  }

  /**
   * Copies {@code count ≤ }{@link Gemm#PANEL_COLS} floats from {@code src[srcOff]} to {@code
   * dst[dstOff]}: the packing routines' unit of work, too short for {@code System.arraycopy}'s call
   * overhead to pay off.
   */
  public abstract void copy(float[] src, int srcOff, float[] dst, int dstOff, int count);

  /**
   * {@link #tile} with {@code accumulate} false followed by {@link #epilogue} on the whole tile, rows
   * being channels {@code channel0 + r}, for a {@code mode} without {@link #FUSE_RESIDUAL}: the same
   * floats, without storing the tile and loading it back. Returns false, having done nothing, where
   * an implementation does not fuse; the caller then runs the two steps.
   */
  boolean tileWithEpilogue(int kc, float[] a, int aOff, float[] b, int bOff, float[] c, int cOff,
      int ldc, int mode, Epilogue e, int channel0, float lo, float hi) {
    return false;
  }

  /**
   * Applies a fused epilogue in place to a {@code rows × cols} block of C at {@code c[cOff + r·ldc +
   * j]} whose row r is channel {@code channel0 + r}: {@code v + bias} (when {@link #FUSE_BIAS}),
   * {@code + residual[residualOff + r·ldc + j]} (when {@link #FUSE_RESIDUAL}), then ReLU or clip to
   * [lo, hi] exactly as {@link Epilogue#activate} defines them, so the result is bit-for-bit what
   * {@link Epilogue#apply} gives. One call per microkernel tile, while the tile is still in L1.
   * (Fusing it into the general register tile, accumulation included, was tried: the tile method
   * then exceeds C2's inlining node budget, the vectors get boxed, and the kernel runs 30× slower;
   * {@link #tileWithEpilogue} fuses only the single-K-block case.)
   */
  public abstract void epilogue(int mode, Epilogue e, int channel0, float lo, float hi,
      float[] c, int cOff, int ldc, int rows, int cols, float[] residual, int residualOff);

  /**
   * One K block over packed panels, as {@link Gemm#multiplyBlock} documents: by default tile by
   * tile, each finished tile getting its epilogue while it is still in L1.
   *
   * <p>The tile order depends on the block's length. A long block walks C column panel by column
   * panel: the B micro-panel ({@code kc × 32}) stays in L1 across the row tiles, and only the
   * narrower A panels stream from L2. A short one ({@code kc <} {@link #ROWS_OUTER_BELOW}) walks
   * row tile by row tile: its tiles are cheap to compute, the stores decide, and row by row they
   * run along 8 output rows at a time instead of touching every row of the block once per column
   * panel (on MobileNet-V2's 16→96 1×1 layer, 112² outputs, 0.77-0.84× the time; 1×1 layers with
   * K = 128-256 and the tiled 3×3 ones ran 1.0-1.15× slower row by row, hence the threshold).
   */
  void multiplyBlock(int m, int n, int kc,
      float[] a, int aOff, int aPanelStride, float[] b, int bOff, int bPanelStride, int bStep,
      float[] c, int cOff, int ldc, boolean accumulate,
      Epilogue epilogue, int channelOffset, boolean rowChannels, float[] residual, int residualOff,
      float[] scratch, int scratchOff) {
    int mr = rows();
    int nr = cols();
    int halfCols = halfCols();
    boolean withEpilogue = epilogue != null && !epilogue.isIdentity();
    int mode = withEpilogue ? fusedMode(epilogue) : NOT_FUSABLE;
    float lo = withEpilogue ? clipBound(epilogue, false) : 0f;
    float hi = withEpilogue ? clipBound(epilogue, true) : 0f;
    // A first K block that is also the last, with no residual: the tile can leave registers finished.
    boolean inPlace = bStep != Gemm.PANEL_COLS;
    boolean fuseInTile = withEpilogue && !accumulate && rowChannels && mode != NOT_FUSABLE
        && (mode & FUSE_RESIDUAL) == 0 && !inPlace;
    int rowTiles = Gemm.ceilDiv(m, mr);
    int colTiles = Gemm.ceilDiv(n, nr);
    boolean rowsOuter = kc < ROWS_OUTER_BELOW;
    for (int t = 0; t < rowTiles * colTiles; t++) {
      int row0 = (rowsOuter ? t / colTiles : t % rowTiles) * mr;
      int col0 = (rowsOuter ? t % colTiles : t / rowTiles) * nr;
      int cols = Math.min(nr, n - col0);
      int bi = bOff + (col0 / Gemm.PANEL_COLS) * bPanelStride + col0 % Gemm.PANEL_COLS;
      int rows = Math.min(mr, m - row0);
      int ai = aOff + (row0 / Gemm.PANEL_ROWS) * aPanelStride + row0 % Gemm.PANEL_ROWS;
      int ci = cOff + row0 * ldc + col0;
      if (rows == mr && cols == nr && fuseInTile && tileWithEpilogue(kc, a, ai, b, bi, c, ci, ldc,
          mode, epilogue, channelOffset + row0, lo, hi)) {
        continue;
      }
      if (rows == mr && cols == nr) {
        if (inPlace) {
          tileInPlace(kc, a, ai, b, bi, bStep, c, ci, ldc, accumulate);
        } else {
          tile(kc, a, ai, b, bi, c, ci, ldc, accumulate);
        }
      } else if (rows == 1 && cols == nr && !inPlace) {
        row(kc, a, ai, b, bi, c, ci, accumulate);
      } else if (rows == mr && cols == halfCols && !inPlace) {
        halfTile(kc, a, ai, b, bi, c, ci, ldc, accumulate);
      } else {
        // Edges: the panels are zero-padded, so compute a whole tile (half a tile where that is
        // wide enough) into scratch, keep what fits.
        boolean half = cols <= halfCols && !inPlace;
        int width = half ? halfCols : nr;
        if (half) {
          halfTile(kc, a, ai, b, bi, scratch, scratchOff, width, false);
        } else if (inPlace) {
          tileInPlace(kc, a, ai, b, bi, bStep, scratch, scratchOff, nr, false);
        } else if (rows == 1) {
          row(kc, a, ai, b, bi, scratch, scratchOff, false);
        } else {
          tile(kc, a, ai, b, bi, scratch, scratchOff, nr, false);
        }
        for (int r = 0; r < rows; r++) {
          int dst = ci + r * ldc;
          int src = scratchOff + r * width;
          if (accumulate) {
            for (int j = 0; j < cols; j++) {
              c[dst + j] += scratch[src + j];
            }
          } else {
            System.arraycopy(scratch, src, c, dst, cols);
          }
        }
      }
      if (withEpilogue) {
        applyEpilogue(epilogue, mode, lo, hi, rows, cols, c, ci, ldc,
            rowChannels ? channelOffset + row0 : channelOffset + col0, rowChannels,
            residual, residualOff + (ci - cOff));
      }
    }
  }

  /** The epilogue on a finished {@code rows × cols} block of C: fused when it can be. */
  final void applyEpilogue(Epilogue e, int mode, float lo, float hi,
      int rows, int cols, float[] c, int ci, int ldc, int channel0, boolean rowChannels,
      float[] residual, int residualIndex) {
    if (rowChannels && mode != NOT_FUSABLE) {
      epilogue(mode, e, channel0, lo, hi, c, ci, ldc, rows, cols, residual, residualIndex);
    } else if (rowChannels) {
      for (int r = 0; r < rows; r++) {
        e.apply(channel0 + r, c, ci + r * ldc, cols, residual, residualIndex + r * ldc);
      }
    } else {
      for (int r = 0; r < rows; r++) {
        for (int j = 0; j < cols; j++) {
          e.apply(channel0 + j, c, ci + r * ldc + j, 1, residual, residualIndex + r * ldc + j);
        }
      }
    }
  }

  /**
   * How {@code e} can be fused: a combination of the {@code FUSE_*} bits for bias, then an optional
   * residual add, then an optional ReLU or clip; {@link #NOT_FUSABLE} for any other step sequence.
   * Allocation-free, cheap enough to call on every kernel invocation.
   */
  public static int fusedMode(Epilogue e) {
    int mode = e.hasBias() ? FUSE_BIAS : 0;
    int steps = e.stepCount();
    int i = 0;
    if (i < steps && e.step(i) instanceof Epilogue.ResidualAddStep) {
      mode |= FUSE_RESIDUAL;
      i++;
    }
    if (i < steps && e.step(i) instanceof Epilogue.ActivationStep) {
      Epilogue.Activation a = ((Epilogue.ActivationStep) e.step(i)).activation;
      if (a == Epilogue.Activation.RELU) {
        mode |= FUSE_RELU;
        i++;
      } else if (a == Epilogue.Activation.CLIP) {
        mode |= FUSE_CLIP;
        i++;
      }
    }
    return i == steps ? mode : NOT_FUSABLE;
  }

  /** The clip bounds of a fusable epilogue's last step (lower when {@code upper} is false). */
  static float clipBound(Epilogue e, boolean upper) {
    int steps = e.stepCount();
    if (steps > 0 && e.step(steps - 1) instanceof Epilogue.ActivationStep) {
      Epilogue.ActivationStep a = (Epilogue.ActivationStep) e.step(steps - 1);
      if (a.activation == Epilogue.Activation.CLIP) {
        return upper ? a.beta : a.alpha;
      }
    }
    return 0f;
  }

  /** E.g. "8x32 GEMM microkernel". */
  @Override
  public String toString() {
    return rows() + "x" + cols() + " GEMM microkernel";
  }
}
