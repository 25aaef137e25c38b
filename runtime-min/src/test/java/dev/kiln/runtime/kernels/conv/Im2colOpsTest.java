package dev.kiln.runtime.kernels.conv;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.kiln.runtime.kernels.ConvShape;
import dev.kiln.runtime.kernels.gemm.Gemm;
import dev.kiln.runtime.kernels.simd.Vectorization;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

/**
 * {@link Im2colOps#row}, {@link Im2colOps#flatRow} and {@link Im2colOps#splitPhases}, both
 * implementations, against their
 * definition: strides 1-3, dilation, padding on every side, output rows narrower and wider than a
 * vector and a panel, column tiles that start inside an output row, and input planes at both ends of
 * the array (where a vector load one float too far throws, or reads a neighbour that a wrong mask
 * would let through).
 */
class Im2colOpsTest {
  @Test
  void theVectorImplementationIsTheOneThisJvmUses() {
    assertEquals(Vectorization.get().vectorized() ? "VectorIm2colOps" : "ScalarIm2colOps",
        Im2colOps.get().getClass().getSimpleName());
  }

  @Test
  void matchesTheDefinitionOnAwkwardGeometries() {
    int[][] geometries = {
        // inH, inW, kernel, stride, dilation, padTop, padLeft, padBottom, padRight
        {9, 9, 3, 1, 1, 1, 1, 1, 1},
        {224, 40, 7, 2, 1, 3, 3, 3, 3},
        {14, 14, 3, 2, 1, 1, 1, 1, 1},
        {13, 13, 3, 2, 1, 0, 2, 1, 0},
        {11, 37, 1, 2, 1, 0, 0, 0, 0},
        {10, 50, 5, 3, 1, 2, 0, 0, 3},
        {12, 12, 3, 1, 2, 2, 2, 2, 2},
        {5, 3, 3, 1, 1, 0, 4, 0, 4},
        {1, 70, 1, 1, 1, 0, 0, 0, 0},
        {7, 7, 7, 2, 1, 3, 3, 3, 3},
    };
    for (int[] g : geometries) {
      ConvShape s = shape(g);
      int hw = s.outH * s.outW;
      for (int planeAt : new int[] {0, 5}) {
        for (int slack : new int[] {0, 1, 40}) {
          float[] in = planeAmongNaNs(planeAt, s.inH * s.inW, slack);
          for (int col0 : new int[] {0, 1, Math.min(hw - 1, s.outW + 3), hw / 2}) {
            for (int nc : new int[] {1, 16, 33, hw - col0}) {
              if (nc < 1 || col0 + nc > hw) {
                continue;
              }
              for (int i = 0; i < s.kernelH; i += Math.max(1, s.kernelH - 1)) {
                for (int j = 0; j < s.kernelW; j++) {
                  String context = Arrays.toString(g) + " planeAt=" + planeAt + " slack=" + slack
                      + " col0=" + col0 + " nc=" + nc + " i=" + i + " j=" + j;
                  check(s, in, planeAt, i * s.dilationH, j * s.dilationW, col0, nc, context);
                }
              }
            }
          }
        }
      }
    }
  }

  /** A plane of distinct values {@code i + 0.25} at {@code planeAt}, NaN before and after it. */
  /**
   * {@link Im2colOps#splitPhases}, both implementations: every input float of the rows asked for at
   * its phase position ({@link PhaseTaps}), planes at both ends of the array, odd sides, rows
   * shorter and longer than a vector; nothing written before the first plane or past the scratch.
   */
  @Test
  void splitPhasesPutsEveryInputFloatAtItsPhasePosition() {
    int[][] geometries = {
        // inH, inW, kernel, stride, dilation, padTop, padLeft, padBottom, padRight
        {14, 14, 3, 2, 1, 1, 1, 1, 1},
        {23, 23, 7, 2, 1, 3, 3, 3, 3},
        {9, 10, 3, 2, 1, 1, 1, 1, 1},
        {224, 224, 7, 2, 1, 3, 3, 3, 3},
        {2, 2, 3, 2, 1, 1, 1, 1, 1},
    };
    for (int[] g : geometries) {
      ConvShape s = shape(g);
      assertTrue(PhaseTaps.applies(s), Arrays.toString(g));
      int plane = PhaseTaps.planeStride(s);
      for (int planeAt : new int[] {0, 5}) {
        for (int slack : new int[] {0, 40}) {
          float[] in = planeAmongNaNs(planeAt, s.inH * s.inW, slack);
          for (Im2colOps ops : new Im2colOps[] {Im2colOps.get(), new ScalarIm2colOps()}) {
            // The whole plane, then rows [3, inH - 1) with its first phase row at the start (as a
            // column tile of tiled splits them).
            for (int rFrom : new int[] {0, Math.min(3, s.inH - 1)}) {
              int rTo = rFrom == 0 ? s.inH : Math.max(rFrom + 1, s.inH - 1);
              float[] dst = new float[PhaseTaps.scratchFloats(s)];
              Arrays.fill(dst, -7f);
              int first = PhaseTaps.slack(s);
              int base = first - rFrom / 2 * s.outW;
              ops.splitPhases(s, in, planeAt, rFrom, rTo, dst, base, plane);
              String context = ops.getClass().getSimpleName() + " " + Arrays.toString(g)
                  + " planeAt=" + planeAt + " slack=" + slack + " rows " + rFrom + "-" + rTo;
              for (int r = rFrom; r < rTo; r++) {
                for (int c = 0; c < s.inW; c++) {
                  int at = base + (2 * (r % 2) + c % 2) * plane + r / 2 * s.outW + c / 2;
                  assertEquals(in[planeAt + r * s.inW + c], dst[at],
                      context + " r=" + r + " c=" + c);
                }
              }
              for (int i = 0; i < first; i++) {
                assertEquals(-7f, dst[i], context + ": wrote before the phases at " + i);
              }
            }
          }
        }
      }
    }
  }

  private static float[] planeAmongNaNs(int planeAt, int planeSize, int slack) {
    float[] in = new float[planeAt + planeSize + slack];
    for (int i = 0; i < in.length; i++) {
      in[i] = i < planeAt || i >= planeAt + planeSize ? Float.NaN : i + 0.25f;
    }
    return in;
  }

  private static ConvShape shape(int[] g) {
    int k = g[2];
    int stride = g[3];
    int dilation = g[4];
    int span = (k - 1) * dilation + 1;
    int outH = (g[0] + g[5] + g[7] - span) / stride + 1;
    int outW = (g[1] + g[6] + g[8] - span) / stride + 1;
    return new ConvShape(1, 1, g[0], g[1], 1, outH, outW, k, k, stride, stride,
        g[5], g[6], g[7], g[8], dilation, dilation, 1);
  }

  /**
   * {@link Im2colOps#flatRow} on {@link FlatTaps} geometries against the same definition: tiles at
   * multiples of 256 columns (as {@code GemmConv} makes them), every tap, planes at both array ends.
   */
  @Test
  void flatRowMatchesTheDefinition() {
    int[][] geometries = {
        // inH, inW, kernel, stride 1, dilation 1, padTop, padLeft, padBottom, padRight
        {9, 9, 3, 1, 1, 1, 1, 1, 1},
        {55, 55, 3, 1, 1, 1, 1, 1, 1},
        {13, 13, 3, 1, 1, 1, 1, 1, 1},
        {5, 3, 3, 1, 1, 0, 2, 2, 0},
        {17, 40, 5, 1, 1, 2, 1, 2, 3},
        {30, 30, 7, 1, 1, 3, 3, 3, 3},
        {1, 70, 1, 1, 1, 0, 0, 0, 0},
    };
    for (int[] g : geometries) {
      ConvShape s = shape(g);
      assertTrue(FlatTaps.applies(s), Arrays.toString(g));
      int hw = s.outH * s.outW;
      int taps = s.kernelH * s.kernelW;
      float[] masks = new float[FlatTaps.maskFloats(s) + 2];
      Arrays.fill(masks, Float.NaN);
      FlatTaps.masks(s, masks, 1);
      for (int planeAt : new int[] {0, 5}) {
        for (int slack : new int[] {0, 1, 40}) {
          float[] in = planeAmongNaNs(planeAt, s.inH * s.inW, slack);
          for (int col0 = 0; col0 < hw; col0 += Gemm.NC) {
            for (int nc : new int[] {1, 16, 33, Math.min(Gemm.NC, hw - col0)}) {
              if (col0 + nc > hw) {
                continue;
              }
              for (int tap = 0; tap < taps; tap++) {
                int i = tap / s.kernelW;
                int j = tap % s.kernelW;
                String context = "flatRow " + Arrays.toString(g) + " planeAt=" + planeAt
                    + " slack=" + slack + " col0=" + col0 + " nc=" + nc + " i=" + i + " j=" + j;
                int kc = 2;
                int panelStride = Gemm.PANEL_COLS * kc;
                int dOff = 3 + Gemm.PANEL_COLS;
                float[] expected = expectedRow(s, in, planeAt, i, j, col0, nc, dOff, panelStride);
                int src = planeAt + col0 + (i - s.padTop) * s.inW + j - s.padLeft;
                int m = 1 + col0 / FlatTaps.LANES * taps + tap;
                for (Im2colOps ops : new Im2colOps[] {Im2colOps.get(), new ScalarIm2colOps()}) {
                  float[] got = new float[expected.length];
                  Arrays.fill(got, -7f);
                  ops.flatRow(in, src, masks, m, taps, nc, got, dOff, panelStride);
                  compare(ops, expected, got, dOff, panelStride, context);
                }
              }
            }
          }
        }
      }
    }
  }

  private static void check(ConvShape s, float[] in, int planeOff, int dy, int dx, int col0,
      int nc, String context) {
    // Two panel rows apart (kc = 2), row 1: the other row and the gaps must stay untouched.
    int kc = 2;
    int panelStride = Gemm.PANEL_COLS * kc;
    int dOff = 3 + Gemm.PANEL_COLS;
    float[] expected = expectedRow(s, in, planeOff, dy, dx, col0, nc, dOff, panelStride);
    for (Im2colOps ops : new Im2colOps[] {Im2colOps.get(), new ScalarIm2colOps()}) {
      float[] got = new float[expected.length];
      Arrays.fill(got, -7f);
      ops.row(s, in, planeOff, dy, dx, col0, nc, got, dOff, panelStride);
      compare(ops, expected, got, dOff, panelStride, context);
    }
  }

  /** The definition: the row at {@code dOff} in panels {@code panelStride} apart, -7 elsewhere. */
  private static float[] expectedRow(ConvShape s, float[] in, int planeOff, int dy, int dx,
      int col0, int nc, int dOff, int panelStride) {
    int width = (nc + Gemm.PANEL_COLS - 1) / Gemm.PANEL_COLS * Gemm.PANEL_COLS;
    float[] expected = new float[3 + width / Gemm.PANEL_COLS * panelStride + 3];
    Arrays.fill(expected, -7f);
    for (int t = 0; t < width; t++) {
      float v = 0f;
      if (t < nc) {
        int p = col0 + t;
        int iy = p / s.outW * s.strideH - s.padTop + dy;
        int ix = p % s.outW * s.strideW - s.padLeft + dx;
        if (iy >= 0 && iy < s.inH && ix >= 0 && ix < s.inW) {
          v = in[planeOff + iy * s.inW + ix];
        }
      }
      expected[dOff + t / Gemm.PANEL_COLS * panelStride + t % Gemm.PANEL_COLS] = v;
    }
    return expected;
  }

  private static void compare(Im2colOps ops, float[] expected, float[] got, int dOff,
      int panelStride, String context) {
    for (int i = 0; i < got.length; i++) {
      if (Float.floatToIntBits(expected[i]) != Float.floatToIntBits(got[i])) {
        fail(ops.getClass().getSimpleName() + " " + context + ": first bad destination index "
            + i + " (row starts at " + dOff + ", panels " + panelStride + " apart): got "
            + got[i] + ", expected " + expected[i]);
      }
    }
  }
}
