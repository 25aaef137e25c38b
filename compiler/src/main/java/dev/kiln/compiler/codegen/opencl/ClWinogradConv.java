package dev.kiln.compiler.codegen.opencl;

import dev.kiln.runtime.kernels.ConvShape;
import dev.kiln.runtime.kernels.Epilogue;
import dev.kiln.runtime.kernels.conv.ConvKernel;

/**
 * Winograd F(2×2, 3×3) as the device runs it: each 2×2 output tile comes from a 4×4 input tile with
 * 16 multiplications per channel pair instead of 36.
 *
 * <pre>
 *   Y = Aᵀ [ Σ_c U[c] ⊙ V[c] ] A,   U = G g Gᵀ (weights, at compile time),   V = Bᵀ d B (input tile)
 *
 *   Bᵀ = | 1  0 -1  0 |    G = | 1    0    0  |    Aᵀ = | 1  1  1  0 |
 *        | 0  1  1  0 |        | 1/2  1/2  1/2 |         | 0  1 -1 -1 |
 *        | 0 -1  1  0 |        | 1/2 -1/2  1/2 |
 *        | 0  1  0 -1 |        | 0    0    1  |
 * </pre>
 *
 * Three device kernels per layer: the input transform writes {@code V[ξ][c][t]} for the 16
 * positions ξ of the 4×4 tile, channel c and tile t; a batched GEMM computes {@code M[ξ][m][t] =
 * Σ_c U[ξ][m][c]·V[ξ][c][t]} (16 independent GEMMs, the bulk of the work, tiled like any other); the
 * output transform turns each {@code M[·][m][t]} into 2×2 outputs and applies the epilogue. V and M
 * live in the layer's workspace in the arena. The weights grow from 9 to 16 floats per channel pair.
 *
 * <p>Hard gates: 3×3 kernel, stride 1, dilation 1, one group. {@link #run} is the same algorithm on
 * the CPU, in the same layouts: the oracle for the device kernels and the weight transform.
 */
public final class ClWinogradConv implements ConvKernel {
  public static final ClWinogradConv INSTANCE = new ClWinogradConv();

  private ClWinogradConv() {}

  @Override
  public String name() {
    return "cl-winograd-f2x2";
  }

  @Override
  public boolean supports(ConvShape s) {
    return s.kernelH == 3 && s.kernelW == 3 && s.strideH == 1 && s.strideW == 1
        && s.dilationH == 1 && s.dilationW == 1 && s.groups == 1;
  }

  /** Tiles per row, per column, and in all (every image of the batch). */
  static int tilesW(ConvShape s) {
    return (s.outW + 1) / 2;
  }

  static int tilesH(ConvShape s) {
    return (s.outH + 1) / 2;
  }

  static int tiles(ConvShape s) {
    return s.batch * tilesH(s) * tilesW(s);
  }

  @Override
  public int packedWeightFloats(ConvShape s) {
    return 16 * s.outChannels * s.inChannels;
  }

  /** {@code U[ξ][m][c] = (G g Gᵀ)[ξ/4][ξ%4]} for each 3×3 filter g. */
  @Override
  public void packWeights(ConvShape s, float[] w, int wOff, float[] packed, int pOff) {
    int m = s.outChannels;
    int c = s.inChannels;
    float[][] gg = new float[4][3];
    for (int o = 0; o < m; o++) {
      for (int i = 0; i < c; i++) {
        int g = wOff + (o * c + i) * 9;
        for (int col = 0; col < 3; col++) {
          float g0 = w[g + col];
          float g1 = w[g + 3 + col];
          float g2 = w[g + 6 + col];
          gg[0][col] = g0;
          gg[1][col] = 0.5f * (g0 + g1 + g2);
          gg[2][col] = 0.5f * (g0 - g1 + g2);
          gg[3][col] = g2;
        }
        for (int row = 0; row < 4; row++) {
          float a = gg[row][0];
          float b = gg[row][1];
          float d = gg[row][2];
          float[] u = {a, 0.5f * (a + b + d), 0.5f * (a - b + d), d};
          for (int col = 0; col < 4; col++) {
            packed[pOff + ((row * 4 + col) * m + o) * c + i] = u[col];
          }
        }
      }
    }
  }

  /** V: {@code 16·C·T} floats, then M: {@code 16·M·T} (T tiles). */
  @Override
  public int workspaceFloats(ConvShape s, int threads) {
    return Math.toIntExact(16L * (s.inChannels + s.outChannels) * tiles(s));
  }

  @Override
  public int tasks(ConvShape s) {
    return 1;
  }

  /**
   * The device algorithm on the CPU, in the same layouts and without allocating: each transform
   * works in place in its own 16 workspace slots (stride {@code C·T} for V, {@code M·T} for M).
   */
  @Override
  public void run(ConvShape s, Epilogue epilogue, float[] in, int inOff, float[] packed, int pOff,
      float[] out, int outOff, float[] residual, int residualOff, float[] workspace, int workspaceOff,
      int taskFrom, int taskTo, int worker) {
    if (taskFrom >= taskTo) {
      return;
    }
    int channels = s.inChannels;
    int maps = s.outChannels;
    int tiles = tiles(s);
    int tilesW = tilesW(s);
    int tilesH = tilesH(s);
    int vOff = workspaceOff;
    int mOff = workspaceOff + 16 * channels * tiles;
    int vStride = channels * tiles;
    for (int tile = 0; tile < tiles; tile++) {
      int n = tile / (tilesH * tilesW);
      int ty = tile / tilesW % tilesH;
      int tx = tile % tilesW;
      for (int c = 0; c < channels; c++) {
        int plane = inOff + (n * channels + c) * s.inH * s.inW;
        int v = vOff + c * tiles + tile;
        for (int i = 0; i < 4; i++) {
          int iy = ty * 2 - s.padTop + i;
          for (int j = 0; j < 4; j++) {
            int ix = tx * 2 - s.padLeft + j;
            workspace[v + (i * 4 + j) * vStride] =
                iy >= 0 && iy < s.inH && ix >= 0 && ix < s.inW ? in[plane + iy * s.inW + ix] : 0f;
          }
        }
        inputTransform(workspace, v, vStride);
      }
    }
    for (int xi = 0; xi < 16; xi++) {
      for (int m = 0; m < maps; m++) {
        for (int tile = 0; tile < tiles; tile++) {
          float sum = 0f;
          for (int c = 0; c < channels; c++) {
            sum += packed[pOff + (xi * maps + m) * channels + c]
                * workspace[vOff + (xi * channels + c) * tiles + tile];
          }
          workspace[mOff + (xi * maps + m) * tiles + tile] = sum;
        }
      }
    }
    int outPlane = s.outH * s.outW;
    int mStride = maps * tiles;
    for (int tile = 0; tile < tiles; tile++) {
      int n = tile / (tilesH * tilesW);
      int ty = tile / tilesW % tilesH;
      int tx = tile % tilesW;
      for (int m = 0; m < maps; m++) {
        int base = mOff + m * tiles + tile;
        outputTransform(workspace, base, mStride);
        for (int dy = 0; dy < 2; dy++) {
          for (int dx = 0; dx < 2; dx++) {
            int oy = ty * 2 + dy;
            int ox = tx * 2 + dx;
            if (oy < s.outH && ox < s.outW) {
              int index = (n * maps + m) * outPlane + oy * s.outW + ox;
              out[outOff + index] = workspace[base + (dy * 2 + dx) * mStride];
              epilogue.apply(m, out, outOff + index, 1, residual, residualOff + index);
            }
          }
        }
      }
    }
  }

  /** {@code V = Bᵀ d B} in place over a row-major 4×4 tile whose element k is at {@code w[base + k·stride]}. */
  static void inputTransform(float[] w, int base, int stride) {
    for (int j = 0; j < 4; j++) {
      float d0 = w[base + j * stride];
      float d1 = w[base + (4 + j) * stride];
      float d2 = w[base + (8 + j) * stride];
      float d3 = w[base + (12 + j) * stride];
      w[base + j * stride] = d0 - d2;
      w[base + (4 + j) * stride] = d1 + d2;
      w[base + (8 + j) * stride] = d2 - d1;
      w[base + (12 + j) * stride] = d1 - d3;
    }
    for (int i = 0; i < 4; i++) {
      int row = base + i * 4 * stride;
      float r0 = w[row];
      float r1 = w[row + stride];
      float r2 = w[row + 2 * stride];
      float r3 = w[row + 3 * stride];
      w[row] = r0 - r2;
      w[row + stride] = r1 + r2;
      w[row + 2 * stride] = r2 - r1;
      w[row + 3 * stride] = r1 - r3;
    }
  }

  /**
   * {@code Y = Aᵀ m A} in place: the 4×4 tile as for {@link #inputTransform}; the 2×2 result, row
   * major, ends in elements 0 to 3.
   */
  static void outputTransform(float[] w, int base, int stride) {
    for (int j = 0; j < 4; j++) {
      float m0 = w[base + j * stride];
      float m1 = w[base + (4 + j) * stride];
      float m2 = w[base + (8 + j) * stride];
      float m3 = w[base + (12 + j) * stride];
      w[base + j * stride] = m0 + m1 + m2;
      w[base + (4 + j) * stride] = m1 - m2 - m3;
    }
    for (int i = 0; i < 2; i++) {
      int row = base + i * 4 * stride;
      float r0 = w[row];
      float r1 = w[row + stride];
      float r2 = w[row + 2 * stride];
      float r3 = w[row + 3 * stride];
      w[base + (i * 2) * stride] = r0 + r1 + r2;
      w[base + (i * 2 + 1) * stride] = r1 - r2 - r3;
    }
  }
}
