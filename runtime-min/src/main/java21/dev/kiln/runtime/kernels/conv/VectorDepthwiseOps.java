package dev.kiln.runtime.kernels.conv;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorShuffle;
import jdk.incubator.vector.VectorSpecies;

/**
 * {@link DepthwiseOps} on the Vector API: L outputs per vector, the k² weights broadcast once per
 * row segment, one fused multiply-add per tap in the scalar twin's order. Stride 2 splits each
 * input row into its even and odd floats with two-source shuffles. The tail is scalar.
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
  public void row(int k, int stride, float[] in, int inOff, int inStride, float[] w, int wOff,
      float[] out, int outOff, int count) {
    int done;
    if (k == 3) {
      done = stride == 1 ? row3(in, inOff, inStride, w, wOff, out, outOff, count)
          : row3s2(in, inOff, inStride, w, wOff, out, outOff, count);
    } else {
      done = stride == 1 ? row5(in, inOff, inStride, w, wOff, out, outOff, count)
          : row5s2(in, inOff, inStride, w, wOff, out, outOff, count);
    }
    ScalarDepthwiseOps.rowTail(k, stride, in, inOff, inStride, w, wOff, out, outOff, done, count);
  }

  private static FloatVector load(float[] a, int off) {
    return FloatVector.fromArray(F, a, off);
  }

  private static FloatVector weight(float[] w, int off) {
    return FloatVector.broadcast(F, w[off]);
  }

  /** Returns how many outputs it wrote (whole vectors). */
  private static int row3(float[] in, int inOff, int is, float[] w, int wo, float[] out,
      int outOff, int count) {
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
    for (; x + L <= count; x += L) {
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
      acc.intoArray(out, outOff + x);
    }
    return x;
  }

  private static int row5(float[] in, int inOff, int is, float[] w, int wo, float[] out,
      int outOff, int count) {
    int x = 0;
    for (; x + L <= count; x += L) {
      FloatVector acc = FloatVector.zero(F);
      for (int i = 0; i < 5; i++) {
        int b = inOff + i * is + x;
        int wi = wo + 5 * i;
        acc = load(in, b).fma(weight(w, wi), acc);
        acc = load(in, b + 1).fma(weight(w, wi + 1), acc);
        acc = load(in, b + 2).fma(weight(w, wi + 2), acc);
        acc = load(in, b + 3).fma(weight(w, wi + 3), acc);
        acc = load(in, b + 4).fma(weight(w, wi + 4), acc);
      }
      acc.intoArray(out, outOff + x);
    }
    return x;
  }

  /**
   * Stride 2: output x reads {@code in[2x + j]}; taps 0, 2, 4 are the even floats from the window's
   * origin, 0, 2 or 4 on, taps 1 and 3 the odd ones. The second vector of each pair reads one float
   * past the last window, so the loop stops while that float is still inside the array.
   */
  private static int row3s2(float[] in, int inOff, int is, float[] w, int wo, float[] out,
      int outOff, int count) {
    FloatVector w00 = weight(w, wo);
    FloatVector w01 = weight(w, wo + 1);
    FloatVector w02 = weight(w, wo + 2);
    FloatVector w10 = weight(w, wo + 3);
    FloatVector w11 = weight(w, wo + 4);
    FloatVector w12 = weight(w, wo + 5);
    FloatVector w20 = weight(w, wo + 6);
    FloatVector w21 = weight(w, wo + 7);
    FloatVector w22 = weight(w, wo + 8);
    int limit = in.length - 2 * is - 2 - 2 * L;
    int x = 0;
    for (; x + L <= count && inOff + 2 * x < limit; x += L) {
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
      acc.intoArray(out, outOff + x);
    }
    return x;
  }

  private static int row5s2(float[] in, int inOff, int is, float[] w, int wo, float[] out,
      int outOff, int count) {
    int limit = in.length - 4 * is - 4 - 2 * L;
    int x = 0;
    for (; x + L <= count && inOff + 2 * x < limit; x += L) {
      FloatVector acc = FloatVector.zero(F);
      for (int i = 0; i < 5; i++) {
        int b = inOff + i * is + 2 * x;
        int wi = wo + 5 * i;
        FloatVector a = load(in, b);
        FloatVector c = load(in, b + L);
        FloatVector a2 = load(in, b + 2);
        FloatVector c2 = load(in, b + 2 + L);
        FloatVector a4 = load(in, b + 4);
        FloatVector c4 = load(in, b + 4 + L);
        acc = a.rearrange(EVEN, c).fma(weight(w, wi), acc);
        acc = a.rearrange(ODD, c).fma(weight(w, wi + 1), acc);
        acc = a2.rearrange(EVEN, c2).fma(weight(w, wi + 2), acc);
        acc = a2.rearrange(ODD, c2).fma(weight(w, wi + 3), acc);
        acc = a4.rearrange(EVEN, c4).fma(weight(w, wi + 4), acc);
      }
      acc.intoArray(out, outOff + x);
    }
    return x;
  }
}
