package dev.kiln.runtime.kernels.reference;

import dev.kiln.runtime.kernels.ConvShape;

/**
 * Direct convolution, the oracle the fast algorithms are tested against. NCHW, any groups, strides,
 * dilations and padding; positions in the padding read as zero.
 */
public final class ReferenceConv {
  private ReferenceConv() {}

  /**
   * {@code out[n,m,y,x] = bias[m] + Σ_{c,i,j} in[n, g·C/G + c, y·sh - pt + i·dh, x·sw - pl + j·dw] ·
   * w[m, c, i, j]} where g is m's group.
   *
   * @param bias {@code null} for no bias
   */
  public static void conv2d(ConvShape s, float[] in, int inOff, float[] w, int wOff,
      float[] bias, int biasOff, float[] out, int outOff) {
    int outPlane = s.outH * s.outW;
    for (int n = 0; n < s.batch; n++) {
      for (int m = 0; m < s.outChannels; m++) {
        int outBase = outOff + (n * s.outChannels + m) * outPlane;
        convolvePlane(s, n, m, in, inOff, w, wOff, out, outBase);
        if (bias != null) {
          float b = bias[biasOff + m];
          for (int p = 0; p < outPlane; p++) {
            out[outBase + p] += b;
          }
        }
      }
    }
  }

  /**
   * Output plane {@code (n, m)} without bias, written at {@code out[outBase]}: the unit of work the
   * direct algorithm hands to a thread.
   */
  public static void convolvePlane(ConvShape s, int n, int m, float[] in, int inOff, float[] w,
      int wOff, float[] out, int outBase) {
    int cPerGroup = s.inChannelsPerGroup();
    int g = m / s.outChannelsPerGroup();
    int inPlane = s.inH * s.inW;
    int kernelSize = s.kernelH * s.kernelW;
    for (int y = 0; y < s.outH; y++) {
      for (int x = 0; x < s.outW; x++) {
        float sum = 0f;
        for (int c = 0; c < cPerGroup; c++) {
          int inBase = inOff + (n * s.inChannels + g * cPerGroup + c) * inPlane;
          int wBase = wOff + (m * cPerGroup + c) * kernelSize;
          for (int i = 0; i < s.kernelH; i++) {
            int iy = y * s.strideH - s.padTop + i * s.dilationH;
            if (iy < 0 || iy >= s.inH) {
              continue;
            }
            for (int j = 0; j < s.kernelW; j++) {
              int ix = x * s.strideW - s.padLeft + j * s.dilationW;
              if (ix >= 0 && ix < s.inW) {
                sum += in[inBase + iy * s.inW + ix] * w[wBase + i * s.kernelW + j];
              }
            }
          }
        }
        out[outBase + y * s.outW + x] = sum;
      }
    }
  }

  /**
   * Transposed convolution (the gradient of {@link #conv2d} with respect to its input): every input
   * pixel scatters {@code in[n,c,y,x]·w[c,m,i,j]} to {@code out[n, g·M/G + m, y·sh - pt + i·dh, x·sw -
   * pl + j·dw]}. Geometry: {@code inChannels} are the input's channels, weights are {@code [C, M/G,
   * kH, kW]}; {@code padTop/padLeft} are the pads cropped from the full output.
   */
  public static void convTranspose2d(ConvShape s, float[] in, int inOff, float[] w, int wOff,
      float[] bias, int biasOff, float[] out, int outOff) {
    int cPerGroup = s.inChannelsPerGroup();
    int mPerGroup = s.outChannelsPerGroup();
    int inPlane = s.inH * s.inW;
    int outPlane = s.outH * s.outW;
    int kernelSize = s.kernelH * s.kernelW;
    for (int n = 0; n < s.batch; n++) {
      for (int m = 0; m < s.outChannels; m++) {
        float b = bias == null ? 0f : bias[biasOff + m];
        int outBase = outOff + (n * s.outChannels + m) * outPlane;
        for (int p = 0; p < outPlane; p++) {
          out[outBase + p] = b;
        }
      }
      for (int c = 0; c < s.inChannels; c++) {
        int g = c / cPerGroup;
        int inBase = inOff + (n * s.inChannels + c) * inPlane;
        for (int mg = 0; mg < mPerGroup; mg++) {
          int m = g * mPerGroup + mg;
          int outBase = outOff + (n * s.outChannels + m) * outPlane;
          int wBase = wOff + (c * mPerGroup + mg) * kernelSize;
          for (int y = 0; y < s.inH; y++) {
            for (int x = 0; x < s.inW; x++) {
              float v = in[inBase + y * s.inW + x];
              for (int i = 0; i < s.kernelH; i++) {
                int oy = y * s.strideH - s.padTop + i * s.dilationH;
                if (oy < 0 || oy >= s.outH) {
                  continue;
                }
                for (int j = 0; j < s.kernelW; j++) {
                  int ox = x * s.strideW - s.padLeft + j * s.dilationW;
                  if (ox >= 0 && ox < s.outW) {
                    out[outBase + oy * s.outW + ox] += v * w[wBase + i * s.kernelW + j];
                  }
                }
              }
            }
          }
        }
      }
    }
  }
}
