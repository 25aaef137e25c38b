package dev.kiln.runtime.kernels.conv;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorShuffle;
import jdk.incubator.vector.VectorSpecies;

/**
 * {@link DepthwiseOps} on the Vector API: L outputs per vector, one fused multiply-add per tap in the
 * scalar twin's order. Stride 2 splits each input row into its even and odd floats with two-source
 * shuffles. Vectors read whole (a few floats past the segment's last window, junk that lands only in
 * lanes that are not stored) as long as the reads stay inside the array; the last vector stores
 * through a mask, and whatever the array's end leaves over is scalar.
 */
final class VectorDepthwiseOps implements DepthwiseOps {
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
  public void row(int k, int stride, float[] in, int inOff, int is, int rowFrom, int rowTo,
      float[] w, int wOff, float[] out, int outOff, int count) {
    // A vector of outputs from x reads no further than inOff + (rowTo − 1)·is + stride·(x + L) + k.
    int limit = in.length - (rowTo - 1) * is - k - 1;
    int done;
    if (k == 3 && rowFrom == 0 && rowTo == 3) {
      done = stride == 1 ? row3(in, inOff, is, w, wOff, out, outOff, count, limit)
          : row3s2(in, inOff, is, w, wOff, out, outOff, count, limit);
    } else if (stride == 1) {
      done = rows(k, in, inOff, is, rowFrom, rowTo, w, wOff, out, outOff, count, limit);
    } else {
      done = rowsS2(k, in, inOff, is, rowFrom, rowTo, w, wOff, out, outOff, count, limit);
    }
    ScalarDepthwiseOps.rowTail(k, stride, in, inOff, is, rowFrom, rowTo, w, wOff, out, outOff,
        done, count);
  }

  private static FloatVector load(float[] a, int off) {
    return FloatVector.fromArray(F, a, off);
  }

  private static FloatVector weight(float[] w, int off) {
    return FloatVector.broadcast(F, w[off]);
  }

  /** Stores a vector of outputs from x: whole, or through a mask for the segment's last vector. */
  private static void store(FloatVector acc, float[] out, int outOff, int x, int count) {
    if (x + L <= count) {
      acc.intoArray(out, outOff + x);
    } else {
      acc.intoArray(out, outOff + x, F.indexInRange(x, count));
    }
  }

  /** 3×3, stride 1, all nine taps: weights in registers. Returns how many outputs it wrote. */
  private static int row3(float[] in, int inOff, int is, float[] w, int wo, float[] out,
      int outOff, int count, int limit) {
    FloatVector w00 = weight(w, wo);
    FloatVector w01 = weight(w, wo + 1);
    FloatVector w02 = weight(w, wo + 2);
    FloatVector w10 = weight(w, wo + 3);
    FloatVector w11 = weight(w, wo + 4);
    FloatVector w12 = weight(w, wo + 5);
    FloatVector w20 = weight(w, wo + 6);
    FloatVector w21 = weight(w, wo + 7);
    FloatVector w22 = weight(w, wo + 8);
    int x = 0;
    for (; x < count && inOff + x + L <= limit; x += L) {
      int b = inOff + x;
      FloatVector acc = FloatVector.zero(F);
      acc = load(in, b).fma(w00, acc);
      acc = load(in, b + 1).fma(w01, acc);
      acc = load(in, b + 2).fma(w02, acc);
      acc = load(in, b + is).fma(w10, acc);
      acc = load(in, b + is + 1).fma(w11, acc);
      acc = load(in, b + is + 2).fma(w12, acc);
      acc = load(in, b + 2 * is).fma(w20, acc);
      acc = load(in, b + 2 * is + 1).fma(w21, acc);
      acc = load(in, b + 2 * is + 2).fma(w22, acc);
      store(acc, out, outOff, x, count);
    }
    return Math.min(x, count);
  }

  /**
   * 3×3, stride 2, all nine taps: output x reads {@code in[2x + j]}; taps 0 and 2 are the even
   * floats from the window's origin and two on, tap 1 the odd ones.
   */
  private static int row3s2(float[] in, int inOff, int is, float[] w, int wo, float[] out,
      int outOff, int count, int limit) {
    FloatVector w00 = weight(w, wo);
    FloatVector w01 = weight(w, wo + 1);
    FloatVector w02 = weight(w, wo + 2);
    FloatVector w10 = weight(w, wo + 3);
    FloatVector w11 = weight(w, wo + 4);
    FloatVector w12 = weight(w, wo + 5);
    FloatVector w20 = weight(w, wo + 6);
    FloatVector w21 = weight(w, wo + 7);
    FloatVector w22 = weight(w, wo + 8);
    int x = 0;
    for (; x < count && inOff + 2 * (x + L) <= limit; x += L) {
      int b = inOff + 2 * x;
      FloatVector acc = FloatVector.zero(F);
      FloatVector a = load(in, b);
      FloatVector c = load(in, b + L);
      FloatVector a2 = load(in, b + 2);
      FloatVector c2 = load(in, b + 2 + L);
      acc = a.rearrange(EVEN, c).fma(w00, acc);
      acc = a.rearrange(ODD, c).fma(w01, acc);
      acc = a2.rearrange(EVEN, c2).fma(w02, acc);
      b += is;
      a = load(in, b);
      c = load(in, b + L);
      a2 = load(in, b + 2);
      c2 = load(in, b + 2 + L);
      acc = a.rearrange(EVEN, c).fma(w10, acc);
      acc = a.rearrange(ODD, c).fma(w11, acc);
      acc = a2.rearrange(EVEN, c2).fma(w12, acc);
      b += is;
      a = load(in, b);
      c = load(in, b + L);
      a2 = load(in, b + 2);
      c2 = load(in, b + 2 + L);
      acc = a.rearrange(EVEN, c).fma(w20, acc);
      acc = a.rearrange(ODD, c).fma(w21, acc);
      acc = a2.rearrange(EVEN, c2).fma(w22, acc);
      store(acc, out, outOff, x, count);
    }
    return Math.min(x, count);
  }

  /** Any k, stride 1, window rows [rowFrom, rowTo): weights broadcast as used. */
  private static int rows(int k, float[] in, int inOff, int is, int rowFrom, int rowTo, float[] w,
      int wo, float[] out, int outOff, int count, int limit) {
    int x = 0;
    for (; x < count && inOff + x + L <= limit; x += L) {
      FloatVector acc = FloatVector.zero(F);
      for (int i = rowFrom; i < rowTo; i++) {
        int b = inOff + i * is + x;
        for (int j = 0; j < k; j++) {
          acc = load(in, b + j).fma(weight(w, wo + i * k + j), acc);
        }
      }
      store(acc, out, outOff, x, count);
    }
    return Math.min(x, count);
  }

  /** Any k, stride 2, window rows [rowFrom, rowTo): tap j is phase j % 2 from float j − j % 2 on. */
  private static int rowsS2(int k, float[] in, int inOff, int is, int rowFrom, int rowTo,
      float[] w, int wo, float[] out, int outOff, int count, int limit) {
    int x = 0;
    for (; x < count && inOff + 2 * (x + L) <= limit; x += L) {
      FloatVector acc = FloatVector.zero(F);
      for (int i = rowFrom; i < rowTo; i++) {
        int b = inOff + i * is + 2 * x;
        for (int j = 0; j < k; j += 2) {
          FloatVector a = load(in, b + j);
          FloatVector c = load(in, b + j + L);
          acc = a.rearrange(EVEN, c).fma(weight(w, wo + i * k + j), acc);
          if (j + 1 < k) {
            acc = a.rearrange(ODD, c).fma(weight(w, wo + i * k + j + 1), acc);
          }
        }
      }
      store(acc, out, outOff, x, count);
    }
    return Math.min(x, count);
  }
}
