package dev.kiln.runtime.kernels.fast;

import dev.kiln.runtime.kernels.ConvShape;
import dev.kiln.runtime.kernels.reference.ReferencePool;

/**
 * Max, average and global average pooling over NCHW planes: the results of {@link ReferencePool},
 * faster. Each plane is split into the outputs whose window lies inside the input (a row segment at
 * a time through {@link PoolOps}, vectorized on the Vector API; max pooling's interior rows in one
 * call, which shares the window rows consecutive output rows have in common) and the border outputs
 * whose window reaches into the padding or past the end in ceil mode (checked, as the reference
 * does). Max and average give the reference's results bit for bit (max by the reference's update
 * rule, average visiting the taps in its order with its float operations); global average sums with eight accumulators (see {@link
 * #globalAveragePool}). Strides other than 1 and 2 (equal in both axes) and dilations go to the
 * reference. Allocation-free.
 */
public final class Pooling {
  private static final PoolOps OPS = PoolOps.get();
  /**
   * Plane size from which the partial sums pay for their set-up and final combination: SqueezeNet's
   * 1000 planes of 13×13 took 0.069 ms as one running sum each and 0.046 ms with them (ONNX
   * Runtime: 0.025). 7×7 heads (49 floats) keep the reference's sum, bit for bit.
   */
  private static final int PARTIAL_SUMS_FROM = 64;

  private Pooling() {}

  /** {@link ReferencePool#maxPool2d}, bit for bit (NaN payloads aside). */
  public static void maxPool2d(ConvShape s, float[] in, int inOff, float[] out, int outOff) {
    if (s.dilationH != 1 || s.dilationW != 1 || s.strideH != s.strideW || s.strideH > 2) {
      ReferencePool.maxPool2d(s, in, inOff, out, outOff);
      return;
    }
    int yFrom = interiorFrom(s.padTop, s.strideH, s.outH);
    int yTo = interiorTo(s.inH, s.kernelH, s.padTop, s.strideH, s.outH, yFrom);
    int xFrom = interiorFrom(s.padLeft, s.strideW, s.outW);
    int xTo = interiorTo(s.inW, s.kernelW, s.padLeft, s.strideW, s.outW, xFrom);
    int planes = s.batch * s.inChannels;
    for (int p = 0; p < planes; p++) {
      int inBase = inOff + p * s.inH * s.inW;
      int outBase = outOff + p * s.outH * s.outW;
      if (yTo > yFrom && xTo > xFrom) {
        // Rows whose windows lie inside the input vertically: their interiors in one call, which
        // may share the input rows consecutive output rows have in common.
        OPS.maxRows(s.kernelH, s.kernelW, s.strideH, in,
            inBase + (yFrom * s.strideH - s.padTop) * s.inW + xFrom * s.strideW - s.padLeft, s.inW,
            yTo - yFrom, out, outBase + yFrom * s.outW + xFrom, s.outW, xTo - xFrom);
      }
      for (int y = 0; y < s.outH; y++) {
        int row = outBase + y * s.outW;
        if (y >= yFrom && y < yTo && xTo > xFrom) {
          int windowRow = inBase + (y * s.strideH - s.padTop) * s.inW;
          maxBorder(s, in, windowRow, 0, s.kernelH, out, row, 0, xFrom);
          maxBorder(s, in, windowRow, 0, s.kernelH, out, row, xTo, s.outW);
          continue;
        }
        // The window's rows inside the input, [i0, i1): a border row is the same row kernel with
        // the padding rows left out, which is also what the reference's skipped taps amount to.
        int iy0 = y * s.strideH - s.padTop;
        int i0 = Math.max(0, -iy0);
        int i1 = Math.max(i0, Math.min(s.kernelH, s.inH - iy0));
        maxBorder(s, in, inBase + iy0 * s.inW, i0, i1, out, row, 0, xFrom);
        if (i1 > i0) {
          OPS.maxRow(i1 - i0, s.kernelW, s.strideH, in,
              inBase + (iy0 + i0) * s.inW + xFrom * s.strideW - s.padLeft, s.inW,
              out, row + xFrom, xTo - xFrom);
        } else {
          maxBorder(s, in, inBase + iy0 * s.inW, i0, i1, out, row, xFrom, xTo);
        }
        maxBorder(s, in, inBase + iy0 * s.inW, i0, i1, out, row, xTo, s.outW);
      }
    }
  }

  /**
   * Outputs {@code [xFrom, xTo)} of a row whose window reaches into the padding: the max over the
   * taps inside the input, rows {@code [i0, i1)} from {@code windowRow}, in the reference's order
   * (−∞ when there are none).
   */
  private static void maxBorder(ConvShape s, float[] in, int windowRow, int i0, int i1,
      float[] out, int row, int xFrom, int xTo) {
    for (int x = xFrom; x < xTo; x++) {
      int ix0 = x * s.strideW - s.padLeft;
      int j0 = Math.max(0, -ix0);
      int j1 = Math.min(s.kernelW, s.inW - ix0);
      float max = Float.NEGATIVE_INFINITY;
      for (int i = i0; i < i1; i++) {
        int at = windowRow + i * s.inW + ix0;
        for (int j = j0; j < j1; j++) {
          float v = in[at + j];
          max = v > max | v != v ? v : max;
        }
      }
      out[row + x] = max;
    }
  }

  /** {@link ReferencePool#averagePool2d}, bit for bit. */
  public static void averagePool2d(ConvShape s, boolean countIncludePad, float[] in, int inOff,
      float[] out, int outOff) {
    if (s.dilationH != 1 || s.dilationW != 1 || s.strideH != s.strideW || s.strideH > 2) {
      ReferencePool.averagePool2d(s, countIncludePad, in, inOff, out, outOff);
      return;
    }
    int yFrom = interiorFrom(s.padTop, s.strideH, s.outH);
    int yTo = interiorTo(s.inH, s.kernelH, s.padTop, s.strideH, s.outH, yFrom);
    int xFrom = interiorFrom(s.padLeft, s.strideW, s.outW);
    int xTo = interiorTo(s.inW, s.kernelW, s.padLeft, s.strideW, s.outW, xFrom);
    int window = s.kernelH * s.kernelW;
    int planes = s.batch * s.inChannels;
    for (int p = 0; p < planes; p++) {
      int inBase = inOff + p * s.inH * s.inW;
      int outBase = outOff + p * s.outH * s.outW;
      for (int y = 0; y < s.outH; y++) {
        int row = outBase + y * s.outW;
        if (y < yFrom || y >= yTo) {
          averageBorder(s, countIncludePad, in, inBase, out, row, y, 0, s.outW);
          continue;
        }
        averageBorder(s, countIncludePad, in, inBase, out, row, y, 0, xFrom);
        // Inside the input, both divisors are the window size.
        OPS.averageRow(s.kernelH, s.kernelW, s.strideH, in,
            inBase + (y * s.strideH - s.padTop) * s.inW + xFrom * s.strideW - s.padLeft, s.inW,
            window, out, row + xFrom, xTo - xFrom);
        averageBorder(s, countIncludePad, in, inBase, out, row, y, xTo, s.outW);
      }
    }
  }

  private static void averageBorder(ConvShape s, boolean countIncludePad, float[] in, int inBase,
      float[] out, int row, int y, int xFrom, int xTo) {
    int paddedH = s.inH + s.padBottom;
    int paddedW = s.inW + s.padRight;
    for (int x = xFrom; x < xTo; x++) {
      float sum = 0f;
      int inside = 0;
      int padded = 0;
      for (int i = 0; i < s.kernelH; i++) {
        int iy = y * s.strideH - s.padTop + i;
        boolean rowPadded = iy >= -s.padTop && iy < paddedH;
        for (int j = 0; j < s.kernelW; j++) {
          int ix = x * s.strideW - s.padLeft + j;
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
      out[row + x] = divisor == 0 ? 0f : sum / divisor;
    }
  }

  /**
   * Mean of each of {@code planes} contiguous planes of {@code planeSize} floats. Planes of at least
   * {@link #PARTIAL_SUMS_FROM} floats use eight interleaved partial sums (element i into sum i mod 8,
   * combined pairwise at the end) instead of the reference's one running sum: eight times the
   * throughput of a chain of dependent adds, and a smaller rounding error; the result differs from
   * the reference's by that rounding (tested to {@code planeSize · 2^-24} relative to the sum of
   * magnitudes). Smaller planes (7×7 heads) keep the reference's sum, bit for bit.
   */
  public static void globalAveragePool(int planes, int planeSize, float[] in, int inOff,
      float[] out, int outOff) {
    if (planeSize < PARTIAL_SUMS_FROM) {
      ReferencePool.globalAveragePool(planes, planeSize, in, inOff, out, outOff);
      return;
    }
    for (int p = 0; p < planes; p++) {
      int base = inOff + p * planeSize;
      float s0 = 0f;
      float s1 = 0f;
      float s2 = 0f;
      float s3 = 0f;
      float s4 = 0f;
      float s5 = 0f;
      float s6 = 0f;
      float s7 = 0f;
      int i = 0;
      for (; i + 8 <= planeSize; i += 8) {
        s0 += in[base + i];
        s1 += in[base + i + 1];
        s2 += in[base + i + 2];
        s3 += in[base + i + 3];
        s4 += in[base + i + 4];
        s5 += in[base + i + 5];
        s6 += in[base + i + 6];
        s7 += in[base + i + 7];
      }
      for (; i < planeSize; i++) {
        s0 += in[base + i];
      }
      out[outOff + p] = (((s0 + s1) + (s2 + s3)) + ((s4 + s5) + (s6 + s7))) / planeSize;
    }
  }

  /** The first output (row or column) whose window starts inside the input. */
  private static int interiorFrom(int pad, int stride, int out) {
    return Math.min(out, (pad + stride - 1) / stride);
  }

  /** One past the last output whose window ends inside the input (at least {@code from}). */
  private static int interiorTo(int in, int kernel, int pad, int stride, int out, int from) {
    return Math.max(from, Math.min(out, Math.floorDiv(in - kernel + pad, stride) + 1));
  }
}
