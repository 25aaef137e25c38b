package dev.kiln.runtime.kernels.fast;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorShuffle;
import jdk.incubator.vector.VectorSpecies;

/**
 * {@link PoolOps} on the Vector API: L outputs per vector, taps in the reference's order. The max
 * update is a blend under the reference's own condition ({@code v > max} or v is NaN), so signed
 * zeros come out as its branch leaves them, where {@code Math.max} would differ; the scalar twin has
 * to branch, and mispredicts half the time on real data, which is most of why this pays. Stride 2
 * splits rows into even and odd floats with two-source shuffles. Vectors read whole while the reads
 * stay inside the array; the last vector stores through a mask and the rest is scalar.
 */
final class VectorPoolOps implements PoolOps {
  private static final VectorSpecies<Float> F = FloatVector.SPECIES_PREFERRED;
  private static final int L = F.length();
  private static final VectorShuffle<Float> EVEN = shuffle(0);
  private static final VectorShuffle<Float> ODD = shuffle(1);

  private static VectorShuffle<Float> shuffle(int phase) {
    int[] index = new int[L];
    for (int i = 0; i < L; i++) {
      index[i] = 2 * i + phase;
    }
    return VectorShuffle.fromArray(F, index, 0);
  }

  /**
   * 3×3 stride-2 windows (ResNet-18's and SqueezeNet's max pools): each input row's window maxima
   * (its taps 0, 1, 2) are computed once, and output row r takes the maximum of rows 2r, 2r + 1
   * and 2r + 2 in that order, row 2r + 2 serving row r + 1 again: two horizontal maxima per output
   * row instead of three. The output rows hold the partial maxima meanwhile (no scratch).
   */
  @Override
  public void maxRows(int kh, int kw, int stride, float[] in, int inOff, int is, int rows,
      float[] out, int outOff, int os, int count) {
    if (kh != 3 || kw != 3 || stride != 2) {
      PoolOps.super.maxRows(kh, kw, stride, in, inOff, is, rows, out, outOff, os, count);
      return;
    }
    // Whole vectors while the last input row's reads stay inside the array (2 + 2L floats on).
    int whole = 0;
    while (whole + L <= count && inOff + 2 * rows * is + 2 * whole + 2 + 2 * L <= in.length) {
      whole += L;
    }
    // Row by row, front to back: input row 0's window maxima go to output row 0; an odd row's are
    // taken into the output row they belong to; an even row's finish it and, being the first
    // window row of the next output row, start that one too.
    for (int row = 0; row <= 2 * rows; row++) {
      int r = (row - 1) / 2;
      int target = outOff + (row == 0 ? 0 : r * os);
      boolean first = row == 0;
      boolean startsNext = row > 0 && (row & 1) == 0 && r + 1 < rows;
      for (int x = 0; x < whole; x += L) {
        int b = inOff + row * is + 2 * x;
        FloatVector a = FloatVector.fromArray(F, in, b);
        FloatVector c = FloatVector.fromArray(F, in, b + L);
        FloatVector h = a.rearrange(EVEN, c);
        FloatVector v = a.rearrange(ODD, c);
        h = h.blend(v, v.compare(VectorOperators.GT, h).or(v.compare(VectorOperators.NE, v)));
        v = FloatVector.fromArray(F, in, b + 2)
            .rearrange(EVEN, FloatVector.fromArray(F, in, b + 2 + L));
        h = h.blend(v, v.compare(VectorOperators.GT, h).or(v.compare(VectorOperators.NE, v)));
        if (first) {
          h.intoArray(out, target + x);
          continue;
        }
        FloatVector max = FloatVector.fromArray(F, out, target + x);
        max = max.blend(h, h.compare(VectorOperators.GT, max).or(h.compare(VectorOperators.NE, h)));
        max.intoArray(out, target + x);
        if (startsNext) {
          h.intoArray(out, target + os + x);
        }
      }
    }
    if (whole < count) {
      PoolOps.super.maxRows(kh, kw, stride, in, inOff + 2 * whole, is, rows, out, outOff + whole,
          os, count - whole);
    }
  }

  @Override
  public void maxRow(int kh, int kw, int stride, float[] in, int inOff, int is, float[] out,
      int outOff, int count) {
    int limit = in.length - (kh - 1) * is - kw - 1;
    int x = 0;
    for (; x < count && inOff + stride * (x + L) <= limit; x += L) {
      FloatVector max = FloatVector.broadcast(F, Float.NEGATIVE_INFINITY);
      for (int i = 0; i < kh; i++) {
        int b = inOff + i * is + stride * x;
        if (stride == 1) {
          for (int j = 0; j < kw; j++) {
            FloatVector v = FloatVector.fromArray(F, in, b + j);
            VectorMask<Float> take = v.compare(VectorOperators.GT, max)
                .or(v.compare(VectorOperators.NE, v));
            max = max.blend(v, take);
          }
        } else {
          for (int j = 0; j < kw; j += 2) {
            FloatVector a = FloatVector.fromArray(F, in, b + j);
            FloatVector c = FloatVector.fromArray(F, in, b + j + L);
            FloatVector v = a.rearrange(EVEN, c);
            max = max.blend(v, v.compare(VectorOperators.GT, max).or(v.compare(VectorOperators.NE, v)));
            if (j + 1 < kw) {
              v = a.rearrange(ODD, c);
              max = max.blend(v,
                  v.compare(VectorOperators.GT, max).or(v.compare(VectorOperators.NE, v)));
            }
          }
        }
      }
      if (x + L <= count) {
        max.intoArray(out, outOff + x);
      } else {
        max.intoArray(out, outOff + x, F.indexInRange(x, count));
      }
    }
    ScalarPoolOps.maxTail(kh, kw, stride, in, inOff, is, out, outOff, Math.min(x, count), count);
  }

  @Override
  public void averageRow(int kh, int kw, int stride, float[] in, int inOff, int is, int divisor,
      float[] out, int outOff, int count) {
    int limit = in.length - (kh - 1) * is - kw - 1;
    float d = divisor;
    int x = 0;
    for (; x < count && inOff + stride * (x + L) <= limit; x += L) {
      FloatVector sum = FloatVector.zero(F);
      for (int i = 0; i < kh; i++) {
        int b = inOff + i * is + stride * x;
        if (stride == 1) {
          for (int j = 0; j < kw; j++) {
            sum = sum.add(FloatVector.fromArray(F, in, b + j));
          }
        } else {
          for (int j = 0; j < kw; j += 2) {
            FloatVector a = FloatVector.fromArray(F, in, b + j);
            FloatVector c = FloatVector.fromArray(F, in, b + j + L);
            sum = sum.add(a.rearrange(EVEN, c));
            if (j + 1 < kw) {
              sum = sum.add(a.rearrange(ODD, c));
            }
          }
        }
      }
      sum = sum.div(d);
      if (x + L <= count) {
        sum.intoArray(out, outOff + x);
      } else {
        sum.intoArray(out, outOff + x, F.indexInRange(x, count));
      }
    }
    ScalarPoolOps.averageTail(kh, kw, stride, in, inOff, is, divisor, out, outOff,
        Math.min(x, count), count);
  }
}
