package dev.kiln.runtime.kernels.conv;

import dev.kiln.runtime.kernels.ConvShape;
import dev.kiln.runtime.kernels.Epilogue;
import dev.kiln.runtime.kernels.gemm.Gemm;

/**
 * A convolution computed as a GEMM per image and group on NCHW planes:
 * {@code out[g][M/G × HW] = W[g][M/G × K] · B[K × HW]} with {@code K = C/G·kH·kW}, where column
 * {@code p} of B holds the input values output pixel {@code p} sees (im2col). Subclasses say how a
 * block of B is packed; everything else — packed weights, task split, K blocking, the fused epilogue
 * — is shared.
 *
 * <p>Weights: ONNX {@code [M, C/G, kH, kW]} is already row-major {@code [M, K]} per group; each group's
 * rows are packed by {@link Gemm#packA} at {@code g · roundUp(M/G, 8) · K}.
 *
 * <p>Tasks: {@code batch × groups × ⌈(M/G)/MC⌉ × ⌈HW/NC⌉}, column tiles innermost so one worker's
 * consecutive tasks reuse the same weight block. A task packs its own B blocks (bounded scratch:
 * {@code kc × NC} floats per worker), so tasks are independent; where the output fits one column
 * tile, a worker's consecutive row blocks share each packed B block (ResNet-18's 7×7 layers have
 * two row blocks, MobileNet-V2's 1×1 head five). A subclass whose B is the input as it stands may
 * have whole panels read in place instead ({@link #inPlaceColumns}).
 *
 * <p>Workspace per worker: {@code kBlockSize(K) · roundUp(min(HW, NC), 32) + 256} floats, plus
 * what a subclass needs for its packing ({@link #extraWorkspaceFloats}).
 */
abstract class GemmConv implements ConvKernel {
  /**
   * Packs rows {@code [k0, k0+kc)} × output pixels {@code [col0, col0+nc)} of B into 32-wide panels;
   * {@code packed} at {@code pOff} is the layer's {@link #packWeights} output.
   */
  abstract void packB(ConvShape s, float[] in, int groupInOff, int k0, int kc, int col0, int nc,
      float[] dst, int dOff, float[] packed, int pOff, int extraOff);

  /**
   * How many of a column tile's {@code nc} leading columns (whole {@link Gemm#PANEL_COLS} panels)
   * the microkernel reads in place, B row k being input channel plane k of the group; the rest are
   * packed by {@link #packB}. 0 unless a subclass's B is the input as it stands.
   */
  int inPlaceColumns(ConvShape s, int nc) {
    return 0;
  }

  /** Floats a worker needs beyond the B block and the tile scratch, at {@code extraOff}. */
  int extraWorkspaceFloats(ConvShape s) {
    return 0;
  }

  static int reduction(ConvShape s) {
    return s.inChannelsPerGroup() * s.kernelH * s.kernelW;
  }

  @Override
  public int packedWeightFloats(ConvShape s) {
    return s.groups * Gemm.packedAFloats(s.outChannelsPerGroup(), reduction(s));
  }

  @Override
  public void packWeights(ConvShape s, float[] w, int wOff, float[] packed, int pOff) {
    int mg = s.outChannelsPerGroup();
    int k = reduction(s);
    for (int g = 0; g < s.groups; g++) {
      Gemm.packA(mg, k, w, wOff + g * mg * k, k, false, packed, pOff + g * Gemm.packedAFloats(mg, k));
    }
  }

  private static int columnTiles(ConvShape s) {
    return Gemm.ceilDiv(s.outH * s.outW, Gemm.NC);
  }

  private static int rowBlocks(ConvShape s) {
    return Gemm.ceilDiv(s.outChannelsPerGroup(), Gemm.MC);
  }

  private int workspacePerWorker(ConvShape s) {
    int hw = s.outH * s.outW;
    return Gemm.kBlockSize(reduction(s)) * Gemm.roundUpCols(Math.min(hw, Gemm.NC))
        + Gemm.TILE_SCRATCH + extraWorkspaceFloats(s);
  }

  @Override
  public int workspaceFloats(ConvShape s, int threads) {
    return threads * workspacePerWorker(s);
  }

  @Override
  public int tasks(ConvShape s) {
    return s.batch * s.groups * rowBlocks(s) * columnTiles(s);
  }

  @Override
  public void run(ConvShape s, Epilogue epilogue, float[] in, int inOff, float[] packed, int pOff,
      float[] out, int outOff, float[] residual, int residualOff, float[] workspace, int workspaceOff,
      int taskFrom, int taskTo, int worker) {
    int hw = s.outH * s.outW;
    int inPlane = s.inH * s.inW;
    int mg = s.outChannelsPerGroup();
    int cg = s.inChannelsPerGroup();
    int k = reduction(s);
    int kc0 = Gemm.kBlockSize(k);
    int nTiles = columnTiles(s);
    int mBlocks = rowBlocks(s);
    int groupWeights = Gemm.packedAFloats(mg, k);
    int ws = workspaceOff + worker * workspacePerWorker(s);
    int scratch = ws + kc0 * Gemm.roundUpCols(Math.min(hw, Gemm.NC));
    int extra = scratch + Gemm.TILE_SCRATCH;
    int t = taskFrom;
    while (t < taskTo) {
      int tile = t % nTiles;
      int rest = t / nTiles;
      int mBlock = rest % mBlocks;
      rest /= mBlocks;
      int g = rest % s.groups;
      int n = rest / s.groups;
      // With one column tile, consecutive tasks are the row blocks of one image and group: they
      // share every B block, so it is packed once for all of them.
      int blocks = nTiles == 1 ? Math.min(taskTo - t, mBlocks - mBlock) : 1;
      int col0 = tile * Gemm.NC;
      int nc = Math.min(Gemm.NC, hw - col0);
      int groupIn = inOff + (n * s.inChannels + g * cg) * inPlane;
      int groupA = pOff + g * groupWeights;
      int direct = inPlaceColumns(s, nc);
      for (int k0 = 0; k0 < k; k0 += kc0) {
        int kc = Math.min(kc0, k - k0);
        if (direct < nc) {
          packB(s, in, groupIn, k0, kc, col0 + direct, nc - direct, workspace, ws, packed, pOff,
              extra);
        }
        for (int b = mBlock; b < mBlock + blocks; b++) {
          int row0 = b * Gemm.MC;
          int mc = Math.min(Gemm.MC, mg - row0);
          int channel0 = g * mg + row0;
          int plane = (n * s.outChannels + channel0) * hw + col0;
          int a = Gemm.packedABlock(mg, k, k0, row0, groupA);
          Epilogue e = k0 + kc == k ? epilogue : null;
          if (direct > 0) {
            Gemm.multiplyBlock(mc, direct, kc, packed, a, Gemm.PANEL_ROWS * kc,
                in, groupIn + k0 * inPlane + col0, Gemm.PANEL_COLS, inPlane,
                out, outOff + plane, hw, k0 > 0, e, channel0, true, residual, residualOff + plane,
                workspace, scratch);
          }
          if (direct < nc) {
            Gemm.multiplyBlock(mc, nc - direct, kc, packed, a, Gemm.PANEL_ROWS * kc,
                workspace, ws, Gemm.PANEL_COLS * kc, Gemm.PANEL_COLS,
                out, outOff + plane + direct, hw, k0 > 0, e, channel0, true,
                residual, residualOff + plane + direct, workspace, scratch);
          }
        }
      }
      t += blocks;
    }
  }

  @Override
  public String toString() {
    return name();
  }
}
