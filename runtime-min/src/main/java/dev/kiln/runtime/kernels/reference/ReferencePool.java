package dev.kiln.runtime.kernels.reference;

import dev.kiln.runtime.kernels.ConvShape;

/**
 * Pooling over NCHW planes. The window geometry is a {@link ConvShape} with {@code inChannels ==
 * outChannels == groups}; an output size computed with ceil mode lets windows hang over the end, and
 * those windows are clipped to the input.
 */
public final class ReferencePool {
  private ReferencePool() {}

  /** Maximum over each window's in-bounds positions; a window with none gives -infinity. */
  public static void maxPool2d(ConvShape s, float[] in, int inOff, float[] out, int outOff) {
    int planes = s.batch * s.inChannels;
    for (int p = 0; p < planes; p++) {
      int inBase = inOff + p * s.inH * s.inW;
      int outBase = outOff + p * s.outH * s.outW;
      for (int y = 0; y < s.outH; y++) {
        for (int x = 0; x < s.outW; x++) {
          float max = Float.NEGATIVE_INFINITY;
          for (int i = 0; i < s.kernelH; i++) {
            int iy = y * s.strideH - s.padTop + i * s.dilationH;
            if (iy < 0 || iy >= s.inH) {
              continue;
            }
            for (int j = 0; j < s.kernelW; j++) {
              int ix = x * s.strideW - s.padLeft + j * s.dilationW;
              if (ix >= 0 && ix < s.inW) {
                float v = in[inBase + iy * s.inW + ix];
                // NaN propagates, as in ONNX Runtime's reference.
                if (v > max || Float.isNaN(v)) {
                  max = v;
                }
              }
            }
          }
          out[outBase + y * s.outW + x] = max;
        }
      }
    }
  }

  /**
   * Mean over each window. With {@code countIncludePad} the divisor counts the window's positions
   * inside the padded input (explicit pads, not a ceil-mode overhang); without, only positions inside
   * the input.
   */
  public static void averagePool2d(ConvShape s, boolean countIncludePad,
      float[] in, int inOff, float[] out, int outOff) {
    int planes = s.batch * s.inChannels;
    int paddedH = s.inH + s.padBottom;
    int paddedW = s.inW + s.padRight;
    for (int p = 0; p < planes; p++) {
      int inBase = inOff + p * s.inH * s.inW;
      int outBase = outOff + p * s.outH * s.outW;
      for (int y = 0; y < s.outH; y++) {
        for (int x = 0; x < s.outW; x++) {
          float sum = 0f;
          int inside = 0;
          int padded = 0;
          for (int i = 0; i < s.kernelH; i++) {
            int iy = y * s.strideH - s.padTop + i * s.dilationH;
            boolean rowPadded = iy >= -s.padTop && iy < paddedH;
            for (int j = 0; j < s.kernelW; j++) {
              int ix = x * s.strideW - s.padLeft + j * s.dilationW;
              if (rowPadded && ix >= -s.padLeft && ix < paddedW) {
                padded++;
              }
              if (iy >= 0 && iy < s.inH && ix >= 0 && ix < s.inW) {
                sum += in[inBase + iy * s.inW + ix];
                inside++;
              }
            }
          }
          int divisor = countIncludePad ? padded : inside;
          out[outBase + y * s.outW + x] = divisor == 0 ? 0f : sum / divisor;
        }
      }
    }
  }

  /** Mean of each of {@code planes} contiguous planes of {@code planeSize} elements. */
  public static void globalAveragePool(int planes, int planeSize, float[] in, int inOff,
      float[] out, int outOff) {
    for (int p = 0; p < planes; p++) {
      float sum = 0f;
      int base = inOff + p * planeSize;
      for (int i = 0; i < planeSize; i++) {
        sum += in[base + i];
      }
      out[outOff + p] = sum / planeSize;
    }
  }

  /** Maximum of each of {@code planes} contiguous planes of {@code planeSize} elements. */
  public static void globalMaxPool(int planes, int planeSize, float[] in, int inOff,
      float[] out, int outOff) {
    for (int p = 0; p < planes; p++) {
      float max = Float.NEGATIVE_INFINITY;
      int base = inOff + p * planeSize;
      for (int i = 0; i < planeSize; i++) {
        float v = in[base + i];
        if (v > max || Float.isNaN(v)) {
          max = v;
        }
      }
      out[outOff + p] = max;
    }
  }
}
