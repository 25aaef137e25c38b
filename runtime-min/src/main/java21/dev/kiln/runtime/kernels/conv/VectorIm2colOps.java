package dev.kiln.runtime.kernels.conv;

import dev.kiln.runtime.kernels.ConvShape;
import dev.kiln.runtime.kernels.gemm.Gemm;
import dev.kiln.runtime.kernels.simd.FloatSpecies;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorShuffle;
import jdk.incubator.vector.VectorSpecies;

/**
 * {@link Im2colOps} on the Vector API. A row is written a vector at a time, each vector cut at output
 * row and panel ends; stride 1 is one load, stride 2 two loads and a two-source shuffle of their even
 * lanes (2.3 ns per 16 floats, against 6.2 for a hardware gather). Lanes in the padding are blended
 * to zero rather than cut out, so the padding costs nothing extra: the loads may cover floats of
 * {@code in} beside the input row, which are read but never kept. Only where a load would leave the
 * array, and for strides above 2, are the lanes copied one by one.
 *
 * <p>Every branch depends on the layer's geometry alone, not on the data; the previous packer, a
 * call per row piece with loops of a few iterations, was erratic (ResNet-18's stem alone took 2.4 ms
 * in some runs and 4.3 ms in others). The output-row walk is written out here and in the scalar
 * twin rather than shared through a default method calling {@code piece}: shared, the strided
 * layers ran 1-2.5% slower (one JVM, both jars, alternated).
 */
final class VectorIm2colOps implements Im2colOps {
  private static final VectorSpecies<Float> S = FloatSpecies.PREFERRED;
  private static final int L = S.length();
  private static final int PANEL = Gemm.PANEL_COLS;
  /** Lane numbers as floats: 0, 1, 2, ... */
  private static final FloatVector IOTA = FloatVector.zero(S).addIndex(1);
  /** The even lanes of two vectors, the first's then the second's. */
  private static final VectorShuffle<Float> EVENS = VectorShuffle.fromOp(S, i -> 2 * i);
  /** The odd lanes of two vectors, the first's then the second's. */
  private static final VectorShuffle<Float> ODDS = VectorShuffle.fromOp(S, i -> 2 * i + 1);

  @Override
  public void row(ConvShape s, float[] in, int planeOff, int dy, int dx, int col0, int nc,
      float[] dst, int dOff, int panelStride) {
    int sw = s.strideW;
    int y = col0 / s.outW;
    int x = col0 % s.outW;
    int t = 0;
    while (t < nc) {
      int run = Math.min(s.outW - x, nc - t);
      int iy = y * s.strideH - s.padTop + dy;
      int ix0 = x * sw - s.padLeft + dx;
      boolean rowInside = iy >= 0 && iy < s.inH;
      int lo = rowInside ? Im2colOps.firstInside(ix0, sw, run) : run;
      int hi = rowInside ? Math.max(lo, Im2colOps.endInside(ix0, sw, s.inW, run)) : run;
      piece(in, planeOff + iy * s.inW + ix0, sw, lo, hi, run, dst, dOff, panelStride, t);
      t += run;
      x = 0;
      y++;
    }
    // Zero columns up to the panel's end: an empty piece of that length.
    int pad = (PANEL - t % PANEL) % PANEL;
    piece(in, 0, 1, pad, pad, pad, dst, dOff, panelStride, t);
  }

  /** With 16 lanes, a vector and a mask per 16 columns. */
  @Override
  public boolean flatRows() {
    return L == FlatTaps.LANES;
  }

  /** A load, a blend and a store per 16 columns; lane by lane only where a load leaves the array. */
  @Override
  public void flatRow(float[] in, int src, float[] masks, int m, int maskStride, int nc,
      float[] dst, int dOff, int panelStride) {
    FloatVector zero = FloatVector.zero(S);
    int end = Gemm.roundUpCols(nc);
    for (int t = 0; t < end; t += L) {
      int d = Im2colOps.at(dOff, panelStride, t);
      if (t >= nc) {
        zero.intoArray(dst, d);
      } else if (src + t >= 0 && src + t <= in.length - L) {
        long inside = (long) masks[m + t / L * maskStride];
        if (t + L > nc) {
          inside &= (1L << (nc - t)) - 1;
        }
        zero.blend(FloatVector.fromArray(S, in, src + t), VectorMask.fromLong(S, inside))
            .intoArray(dst, d);
      } else {
        ScalarIm2colOps.flatRange(in, src, masks, m, maskStride, t, t + L, nc, dst, dOff,
            panelStride);
      }
    }
  }

  /**
   * Two loads and an even and an odd shuffle per 16 floats of a phase row, stored in whole vectors:
   * the lanes past a row's end are junk that the next row's store overwrites, or that lands in the
   * room after the plane, and that the masks keep out of every sum. (Through a mask, the stores'
   * range check was not compiled away and took most of a depthwise 14→7 layer's time, in JFR.)
   */
  @Override
  public void splitPhases(ConvShape s, float[] in, int inOff, int rFrom, int rTo, float[] p,
      int base, int plane) {
    int even = (s.inW + 1) / 2;
    int odd = s.inW / 2;
    for (int r = rFrom; r < rTo; r++) {
      int row = inOff + r * s.inW;
      int dst = base + (r % 2) * 2 * plane + (r / 2) * s.outW;
      int v = 0;
      for (; v < even && row + 2 * (v + L) <= in.length; v += L) {
        FloatVector a = FloatVector.fromArray(S, in, row + 2 * v);
        FloatVector c = FloatVector.fromArray(S, in, row + 2 * v + L);
        a.rearrange(EVENS, c).intoArray(p, dst + v);
        a.rearrange(ODDS, c).intoArray(p, dst + plane + v);
      }
      for (; v < even; v++) {
        p[dst + v] = in[row + 2 * v];
        if (v < odd) {
          p[dst + plane + v] = in[row + 2 * v + 1];
        }
      }
    }
  }

  /**
   * Columns {@code t + u}, {@code u < run}, of the row: {@code in[src + u·stride]} for
   * {@code lo ≤ u < hi}, zero elsewhere.
   */
  private static void piece(float[] in, int src, int stride, int lo, int hi, int run,
      float[] dst, int dOff, int panelStride, int t) {
    int u = 0;
    while (u < run) {
      int col = t + u;
      int n = Math.min(Math.min(L, run - u), PANEL - col % PANEL);
      int d = Im2colOps.at(dOff, panelStride, col);
      int first = src + u * stride;
      FloatVector v;
      if (u >= hi || u + n <= lo) {
        v = FloatVector.zero(S);
      } else if (stride == 1 && first >= 0 && first <= in.length - L) {
        v = FloatVector.fromArray(S, in, first);
      } else if (stride == 2 && first >= 0 && first <= in.length - 2 * L) {
        v = FloatVector.fromArray(S, in, first)
            .rearrange(EVENS, FloatVector.fromArray(S, in, first + L));
      } else {
        for (int l = 0; l < n; l++) {
          dst[d + l] = u + l >= lo && u + l < hi ? in[first + l * stride] : 0f;
        }
        u += n;
        continue;
      }
      if (u < lo || u + n > hi) {
        VectorMask<Float> outside = IOTA.compare(VectorOperators.LT, (float) (lo - u))
            .or(IOTA.compare(VectorOperators.GE, (float) (hi - u)));
        v = v.blend(0f, outside);
      }
      if (n == L) {
        v.intoArray(dst, d);
      } else {
        v.intoArray(dst, d, S.indexInRange(0, n));
      }
      u += n;
    }
  }
}
