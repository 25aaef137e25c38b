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
