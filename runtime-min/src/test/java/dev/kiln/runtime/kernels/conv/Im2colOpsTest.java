package dev.kiln.runtime.kernels.conv;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;

import dev.kiln.runtime.kernels.ConvShape;
import dev.kiln.runtime.kernels.gemm.Gemm;
import dev.kiln.runtime.kernels.simd.Vectorization;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

/**
 * {@link Im2colOps#row}, both implementations, against its definition: strides 1-3, dilation,
 * padding on every side, output rows narrower and wider than a vector and a panel, column tiles that
 * start inside an output row, and input planes at both ends of the array (where a vector load one
 * float too far throws, or reads a neighbour that a wrong mask would let through).
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
          float[] in = new float[planeAt + s.inH * s.inW + slack];
          for (int i = 0; i < in.length; i++) {
            in[i] = i < planeAt || i >= planeAt + s.inH * s.inW ? Float.NaN : i + 0.25f;
          }
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

  private static void check(ConvShape s, float[] in, int planeOff, int dy, int dx, int col0,
      int nc, String context) {
    // Two panel rows apart (kc = 2), row 1: the other row and the gaps must stay untouched.
    int kc = 2;
    int panelStride = Gemm.PANEL_COLS * kc;
    int width = (nc + Gemm.PANEL_COLS - 1) / Gemm.PANEL_COLS * Gemm.PANEL_COLS;
    float[] expected = new float[3 + width / Gemm.PANEL_COLS * panelStride + 3];
    Arrays.fill(expected, -7f);
    int dOff = 3 + Gemm.PANEL_COLS;
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
    for (Im2colOps ops : new Im2colOps[] {Im2colOps.get(), new ScalarIm2colOps()}) {
      float[] got = new float[expected.length];
      Arrays.fill(got, -7f);
      ops.row(s, in, planeOff, dy, dx, col0, nc, got, dOff, panelStride);
      for (int i = 0; i < got.length; i++) {
        if (Float.floatToIntBits(expected[i]) != Float.floatToIntBits(got[i])) {
          fail(ops.getClass().getSimpleName() + " " + context + ": first bad destination index "
              + i + " (row starts at " + dOff + ", panels " + panelStride + " apart): got "
              + got[i] + ", expected " + expected[i]);
        }
      }
    }
  }
}
