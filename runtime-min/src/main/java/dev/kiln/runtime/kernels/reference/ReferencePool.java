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
        int top = y * s.strideH - s.padTop;
        int iFrom = firstTap(top, s.dilationH);
        int iTo = endTap(top, s.dilationH, s.inH, s.kernelH);
        for (int x = 0; x < s.outW; x++) {
          int left = x * s.strideW - s.padLeft;
          int jFrom = firstTap(left, s.dilationW);
          int jTo = endTap(left, s.dilationW, s.inW, s.kernelW);
          float max = Float.NEGATIVE_INFINITY;
          for (int i = iFrom; i < iTo; i++) {
            int row = inBase + (top + i * s.dilationH) * s.inW;
            for (int j = jFrom; j < jTo; j++) {
              float v = in[row + left + j * s.dilationW];
              // NaN propagates, as in ONNX Runtime's reference.
              if (v > max || Float.isNaN(v)) {
                max = v;
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
    int paddedH = s.inH + s.padTop + s.padBottom;
    int paddedW = s.inW + s.padLeft + s.padRight;
    for (int p = 0; p < planes; p++) {
      int inBase = inOff + p * s.inH * s.inW;
      int outBase = outOff + p * s.outH * s.outW;
      for (int y = 0; y < s.outH; y++) {
        int top = y * s.strideH - s.padTop;
        int iFrom = firstTap(top, s.dilationH);
        int iTo = endTap(top, s.dilationH, s.inH, s.kernelH);
        // The padded input is [-padTop, inH + padBottom): shift it to start at 0.
        int paddedRows = endTap(top + s.padTop, s.dilationH, paddedH, s.kernelH)
            - firstTap(top + s.padTop, s.dilationH);
        for (int x = 0; x < s.outW; x++) {
          int left = x * s.strideW - s.padLeft;
          int jFrom = firstTap(left, s.dilationW);
          int jTo = endTap(left, s.dilationW, s.inW, s.kernelW);
          float sum = 0f;
          for (int i = iFrom; i < iTo; i++) {
            int row = inBase + (top + i * s.dilationH) * s.inW;
            for (int j = jFrom; j < jTo; j++) {
              sum += in[row + left + j * s.dilationW];
            }
          }
          int inside = Math.max(0, iTo - iFrom) * Math.max(0, jTo - jFrom);
          int paddedCols = endTap(left + s.padLeft, s.dilationW, paddedW, s.kernelW)
              - firstTap(left + s.padLeft, s.dilationW);
          int padded = Math.max(0, paddedRows) * Math.max(0, paddedCols);
          int divisor = countIncludePad ? padded : inside;
          out[outBase + y * s.outW + x] = divisor == 0 ? 0f : sum / divisor;
        }
      }
    }
  }

  /**
   * The first tap {@code k} of a window starting at {@code start} (taps at {@code start + k·dilation})
   * that is at or after 0. Iterating only over the taps inside the input keeps the work
   * proportional to the input, however large the kernel: a model can declare a pool kernel of
   * 2^31 − 1 with SAME padding.
   */
  static int firstTap(int start, int dilation) {
    return start >= 0 ? 0 : (int) ((-(long) start + dilation - 1) / dilation);
  }

  /** One past the last tap below {@code limit}, at most {@code kernel}. */
  static int endTap(int start, int dilation, int limit, int kernel) {
    long room = (long) limit - start;
    return room <= 0 ? 0 : (int) Math.min(kernel, (room + dilation - 1) / dilation);
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
