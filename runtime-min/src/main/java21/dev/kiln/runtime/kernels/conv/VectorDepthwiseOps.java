package dev.kiln.runtime.kernels.conv;

import dev.kiln.runtime.kernels.ConvShape;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorShuffle;
import jdk.incubator.vector.VectorSpecies;

/**
 * {@link DepthwiseOps} on the Vector API: L outputs per vector, one fused multiply-add per tap in the
 * scalar twin's order, the fused epilogue in registers. Stride 2 splits each input row into its even
 * and odd floats with two-source shuffles. Vectors read whole (a few floats past the last window,
 * junk that lands only in lanes that are not stored) while the reads stay inside the array; the last
 * vector stores through a mask, and whatever the array's end leaves over is scalar.
 *
 * <p>The loops over window rows stay loops: unrolled, the shuffles and FMAs grow a method past C2's
 * inlining node budget, and a vector operation left out of line is boxed.
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
  public void row(int k, int stride, float[] in, int inOff, int is, float[] w, int wOff, int fuse,
      float bias, float lo, float hi, float[] out, int outOff, int count) {
    // A vector of outputs from x reads no further than inOff + (k − 1)·is + stride·(x + L) + k.
    int limit = in.length - (k - 1) * is - k - 1;
    int done;
    if (stride == 1) {
      done = k == 3
          ? row3(in, inOff, is, w, wOff, fuse, bias, lo, hi, out, outOff, count, limit)
          : rowS1(k, in, inOff, is, w, wOff, fuse, bias, lo, hi, out, outOff, count, limit);
    } else {
      done = k == 3
          ? row3s2(in, inOff, is, w, wOff, fuse, bias, lo, hi, out, outOff, count, limit)
          : rowS2(k, in, inOff, is, w, wOff, fuse, bias, lo, hi, out, outOff, count, limit);
    }
    ScalarDepthwiseOps.rowTail(k, stride, in, inOff, is, w, wOff, fuse, bias, lo, hi, out, outOff,
        done, count);
  }

  /** With 16 lanes (AVX-512): a narrower vector loses to the band path (AVX2: 1.3-2.3×, measured). */
  @Override
  public boolean wholePlanes() {
    return L == FlatTaps.LANES;
  }

  @Override
  public void plane(ConvShape s, float[] in, int inOff, float[] w, int wOff, float[] masks,
      int masksOff, int fuse, float bias, float lo, float hi, float[] out, int outOff) {
    plane3(s, in, inOff, w, wOff, masks, masksOff, fuse, bias, lo, hi, out, outOff,
        s.outH * s.outW);
  }

  /**
   * {@link #plane} (3×3, 16-lane vectors): the nine weights in registers; each tap a whole-vector
   * load with its lanes outside the input blended to zero. Vectors whose loads would leave the array,
   * at its two ends only, go to the scalar twin.
   *
   * <p>Where two consecutive vectors have all three tap rows inside the input (all but the first and
   * last rows of the plane), they run as two independent chains of nine FMAs with one mask per
   * column of taps: a single chain waits out each FMA's latency (1.2-1.4× slower on 14×14 and 28×28
   * planes, measured). Written out in full: with nine masks per vector for the pair, or with masked
   * loads (a larger method each), the method outgrew C2's inlining budget, and its out-of-line
   * vectors were boxed (1.3-25× slower, measured).
   */
  private static void plane3(ConvShape s, float[] in, int inOff, float[] w, int wo, float[] ws,
      int m, int fuse, float bias, float lo, float hi, float[] out, int outOff, int pixels) {
    int is = s.inW;
    // Tap (i, j) of output q reads in[origin + q + i·inW + j], masked where it leaves the input.
    int origin = inOff - s.padTop * is - s.padLeft;
    FloatVector w00 = FloatVector.broadcast(F, w[wo]);
    FloatVector w01 = FloatVector.broadcast(F, w[wo + 1]);
    FloatVector w02 = FloatVector.broadcast(F, w[wo + 2]);
    FloatVector w10 = FloatVector.broadcast(F, w[wo + 3]);
    FloatVector w11 = FloatVector.broadcast(F, w[wo + 4]);
    FloatVector w12 = FloatVector.broadcast(F, w[wo + 5]);
    FloatVector w20 = FloatVector.broadcast(F, w[wo + 6]);
    FloatVector w21 = FloatVector.broadcast(F, w[wo + 7]);
    FloatVector w22 = FloatVector.broadcast(F, w[wo + 8]);
    FloatVector zero = FloatVector.zero(F);
    int limit = in.length - 2 * is - 2 - L;
    // Outputs whose three tap rows all lie inside the input.
    int interiorFrom = s.padTop * is;
    int interiorTo = (s.inH - 2 + s.padTop) * is;
    for (int q = 0; q < pixels; q += L, m += 9) {
      int b = origin + q;
      if (b < 0 || b > limit) {
        ScalarDepthwiseOps.planeRange(s, in, inOff, w, wo, fuse, bias, lo, hi, out, outOff, q,
            Math.min(pixels, q + L));
        continue;
      }
      FloatVector acc = zero;
      if (q >= interiorFrom && q + 2 * L <= interiorTo && b + L <= limit) {
        int b2 = b + L;
        VectorMask<Float> c0 = VectorMask.fromLong(F, (long) ws[m]);
        VectorMask<Float> c1 = VectorMask.fromLong(F, (long) ws[m + 1]);
        VectorMask<Float> c2 = VectorMask.fromLong(F, (long) ws[m + 2]);
        VectorMask<Float> d0 = VectorMask.fromLong(F, (long) ws[m + 9]);
        VectorMask<Float> d1 = VectorMask.fromLong(F, (long) ws[m + 10]);
        VectorMask<Float> d2 = VectorMask.fromLong(F, (long) ws[m + 11]);
        FloatVector acc2 = zero;
        acc = zero.blend(FloatVector.fromArray(F, in, b), c0).fma(w00, acc);
        acc2 = zero.blend(FloatVector.fromArray(F, in, b2), d0).fma(w00, acc2);
        acc = zero.blend(FloatVector.fromArray(F, in, b + 1), c1).fma(w01, acc);
        acc2 = zero.blend(FloatVector.fromArray(F, in, b2 + 1), d1).fma(w01, acc2);
        acc = zero.blend(FloatVector.fromArray(F, in, b + 2), c2).fma(w02, acc);
        acc2 = zero.blend(FloatVector.fromArray(F, in, b2 + 2), d2).fma(w02, acc2);
        acc = zero.blend(FloatVector.fromArray(F, in, b + is), c0).fma(w10, acc);
        acc2 = zero.blend(FloatVector.fromArray(F, in, b2 + is), d0).fma(w10, acc2);
        acc = zero.blend(FloatVector.fromArray(F, in, b + is + 1), c1).fma(w11, acc);
        acc2 = zero.blend(FloatVector.fromArray(F, in, b2 + is + 1), d1).fma(w11, acc2);
        acc = zero.blend(FloatVector.fromArray(F, in, b + is + 2), c2).fma(w12, acc);
        acc2 = zero.blend(FloatVector.fromArray(F, in, b2 + is + 2), d2).fma(w12, acc2);
        acc = zero.blend(FloatVector.fromArray(F, in, b + 2 * is), c0).fma(w20, acc);
        acc2 = zero.blend(FloatVector.fromArray(F, in, b2 + 2 * is), d0).fma(w20, acc2);
        acc = zero.blend(FloatVector.fromArray(F, in, b + 2 * is + 1), c1).fma(w21, acc);
        acc2 = zero.blend(FloatVector.fromArray(F, in, b2 + 2 * is + 1), d1).fma(w21, acc2);
        acc = zero.blend(FloatVector.fromArray(F, in, b + 2 * is + 2), c2).fma(w22, acc);
        acc2 = zero.blend(FloatVector.fromArray(F, in, b2 + 2 * is + 2), d2).fma(w22, acc2);
        if ((fuse & BIAS) != 0) {
          acc = acc.add(bias);
        }
        if ((fuse & RELU) != 0) {
          acc = acc.lanewise(VectorOperators.MAX, 0f);
        }
        if ((fuse & CLIP) != 0) {
          acc = acc.blend(hi, acc.compare(VectorOperators.GT, hi))
              .blend(lo, acc.compare(VectorOperators.LT, lo));
        }
        if ((fuse & BIAS) != 0) {
          acc2 = acc2.add(bias);
        }
        if ((fuse & RELU) != 0) {
          acc2 = acc2.lanewise(VectorOperators.MAX, 0f);
        }
        if ((fuse & CLIP) != 0) {
          acc2 = acc2.blend(hi, acc2.compare(VectorOperators.GT, hi))
              .blend(lo, acc2.compare(VectorOperators.LT, lo));
        }
        acc.intoArray(out, outOff + q);
        acc2.intoArray(out, outOff + q + L);
        q += L;
        m += 9;
        continue;
      }
      acc = zero.blend(FloatVector.fromArray(F, in, b),
          VectorMask.fromLong(F, (long) ws[m])).fma(w00, acc);
      acc = zero.blend(FloatVector.fromArray(F, in, b + 1),
          VectorMask.fromLong(F, (long) ws[m + 1])).fma(w01, acc);
      acc = zero.blend(FloatVector.fromArray(F, in, b + 2),
          VectorMask.fromLong(F, (long) ws[m + 2])).fma(w02, acc);
      acc = zero.blend(FloatVector.fromArray(F, in, b + is),
          VectorMask.fromLong(F, (long) ws[m + 3])).fma(w10, acc);
      acc = zero.blend(FloatVector.fromArray(F, in, b + is + 1),
          VectorMask.fromLong(F, (long) ws[m + 4])).fma(w11, acc);
      acc = zero.blend(FloatVector.fromArray(F, in, b + is + 2),
          VectorMask.fromLong(F, (long) ws[m + 5])).fma(w12, acc);
      acc = zero.blend(FloatVector.fromArray(F, in, b + 2 * is),
          VectorMask.fromLong(F, (long) ws[m + 6])).fma(w20, acc);
      acc = zero.blend(FloatVector.fromArray(F, in, b + 2 * is + 1),
          VectorMask.fromLong(F, (long) ws[m + 7])).fma(w21, acc);
      acc = zero.blend(FloatVector.fromArray(F, in, b + 2 * is + 2),
          VectorMask.fromLong(F, (long) ws[m + 8])).fma(w22, acc);
      if ((fuse & BIAS) != 0) {
        acc = acc.add(bias);
      }
      if ((fuse & RELU) != 0) {
        acc = acc.lanewise(VectorOperators.MAX, 0f);
      }
      if ((fuse & CLIP) != 0) {
        acc = acc.blend(hi, acc.compare(VectorOperators.GT, hi))
            .blend(lo, acc.compare(VectorOperators.LT, lo));
      }
      if (q + L <= pixels) {
        acc.intoArray(out, outOff + q);
      } else {
        acc.intoArray(out, outOff + q, F.indexInRange(q, pixels));
      }
    }
  }

  /**
   * The input split into its four phases in the scratch ({@link Im2colOps#splitPhases}), then the
   * plane computed as {@link #plane3} computes a stride-1 one: each tap a whole-vector load from
   * its phase plane, blended to zero where its mask says the tap is outside the input, two output
   * vectors as two independent chains.
   * The band path's {@link #row3s2} instead shuffles each input float for every tap that reads it,
   * with a call and a padded copy per band.
   */
  @Override
  public void phasePlane(ConvShape s, float[] in, int inOff, float[] w, int wOff, float[] masks,
      int masksOff, float[] scratch, int scratchOff, int fuse, float bias, float lo, float hi,
      float[] out, int outOff) {
    int base = scratchOff + PhaseTaps.slack(s);
    Im2colOps.get().splitPhases(s, in, inOff, 0, s.inH, scratch, base, PhaseTaps.planeStride(s));
    phasePlane3(s, scratch, base, w, wOff, masks, masksOff, fuse, bias, lo, hi, out, outOff,
        scratchOff + PhaseTaps.scratchFloats(s) - L);
  }

  /**
   * {@link #phasePlane} once the phases are split: its loads stay inside the scratch's slack. The
   * plane's last, partial vector goes through {@code p} at {@code tail} and a copy: stored through
   * a mask, on 7×7 planes the masked store's range check took a tenth of the layer's time.
   */
  private static void phasePlane3(ConvShape s, float[] p, int base, float[] w, int wo, float[] ws,
      int m, int fuse, float bias, float lo, float hi, float[] out, int outOff, int tail) {
    int pixels = s.outH * s.outW;
    int plane = PhaseTaps.planeStride(s);
    FloatVector w00 = FloatVector.broadcast(F, w[wo]);
    FloatVector w01 = FloatVector.broadcast(F, w[wo + 1]);
    FloatVector w02 = FloatVector.broadcast(F, w[wo + 2]);
    FloatVector w10 = FloatVector.broadcast(F, w[wo + 3]);
    FloatVector w11 = FloatVector.broadcast(F, w[wo + 4]);
    FloatVector w12 = FloatVector.broadcast(F, w[wo + 5]);
    FloatVector w20 = FloatVector.broadcast(F, w[wo + 6]);
    FloatVector w21 = FloatVector.broadcast(F, w[wo + 7]);
    FloatVector w22 = FloatVector.broadcast(F, w[wo + 8]);
    int o00 = base + PhaseTaps.shift(s, 0, 0, plane);
    int o01 = base + PhaseTaps.shift(s, 0, 1, plane);
    int o02 = base + PhaseTaps.shift(s, 0, 2, plane);
    int o10 = base + PhaseTaps.shift(s, 1, 0, plane);
    int o11 = base + PhaseTaps.shift(s, 1, 1, plane);
    int o12 = base + PhaseTaps.shift(s, 1, 2, plane);
    int o20 = base + PhaseTaps.shift(s, 2, 0, plane);
    int o21 = base + PhaseTaps.shift(s, 2, 1, plane);
    int o22 = base + PhaseTaps.shift(s, 2, 2, plane);
    FloatVector zero = FloatVector.zero(F);
    for (int q = 0; q < pixels; q += 2 * L, m += 18) {
      int q2 = q + L;
      FloatVector acc = zero;
      FloatVector acc2 = zero;
      acc = zero.blend(FloatVector.fromArray(F, p, o00 + q),
          VectorMask.fromLong(F, (long) ws[m])).fma(w00, acc);
      acc2 = zero.blend(FloatVector.fromArray(F, p, o00 + q2),
          VectorMask.fromLong(F, (long) ws[m + 9])).fma(w00, acc2);
      acc = zero.blend(FloatVector.fromArray(F, p, o01 + q),
          VectorMask.fromLong(F, (long) ws[m + 1])).fma(w01, acc);
      acc2 = zero.blend(FloatVector.fromArray(F, p, o01 + q2),
          VectorMask.fromLong(F, (long) ws[m + 10])).fma(w01, acc2);
      acc = zero.blend(FloatVector.fromArray(F, p, o02 + q),
          VectorMask.fromLong(F, (long) ws[m + 2])).fma(w02, acc);
      acc2 = zero.blend(FloatVector.fromArray(F, p, o02 + q2),
          VectorMask.fromLong(F, (long) ws[m + 11])).fma(w02, acc2);
      acc = zero.blend(FloatVector.fromArray(F, p, o10 + q),
          VectorMask.fromLong(F, (long) ws[m + 3])).fma(w10, acc);
      acc2 = zero.blend(FloatVector.fromArray(F, p, o10 + q2),
          VectorMask.fromLong(F, (long) ws[m + 12])).fma(w10, acc2);
      acc = zero.blend(FloatVector.fromArray(F, p, o11 + q),
          VectorMask.fromLong(F, (long) ws[m + 4])).fma(w11, acc);
      acc2 = zero.blend(FloatVector.fromArray(F, p, o11 + q2),
          VectorMask.fromLong(F, (long) ws[m + 13])).fma(w11, acc2);
      acc = zero.blend(FloatVector.fromArray(F, p, o12 + q),
          VectorMask.fromLong(F, (long) ws[m + 5])).fma(w12, acc);
      acc2 = zero.blend(FloatVector.fromArray(F, p, o12 + q2),
          VectorMask.fromLong(F, (long) ws[m + 14])).fma(w12, acc2);
      acc = zero.blend(FloatVector.fromArray(F, p, o20 + q),
          VectorMask.fromLong(F, (long) ws[m + 6])).fma(w20, acc);
      acc2 = zero.blend(FloatVector.fromArray(F, p, o20 + q2),
          VectorMask.fromLong(F, (long) ws[m + 15])).fma(w20, acc2);
      acc = zero.blend(FloatVector.fromArray(F, p, o21 + q),
          VectorMask.fromLong(F, (long) ws[m + 7])).fma(w21, acc);
      acc2 = zero.blend(FloatVector.fromArray(F, p, o21 + q2),
          VectorMask.fromLong(F, (long) ws[m + 16])).fma(w21, acc2);
      acc = zero.blend(FloatVector.fromArray(F, p, o22 + q),
          VectorMask.fromLong(F, (long) ws[m + 8])).fma(w22, acc);
      acc2 = zero.blend(FloatVector.fromArray(F, p, o22 + q2),
          VectorMask.fromLong(F, (long) ws[m + 17])).fma(w22, acc2);
      if ((fuse & BIAS) != 0) {
        acc = acc.add(bias);
        acc2 = acc2.add(bias);
      }
      if ((fuse & RELU) != 0) {
        acc = acc.lanewise(VectorOperators.MAX, 0f);
        acc2 = acc2.lanewise(VectorOperators.MAX, 0f);
      }
      if ((fuse & CLIP) != 0) {
        acc = acc.blend(hi, acc.compare(VectorOperators.GT, hi))
            .blend(lo, acc.compare(VectorOperators.LT, lo));
        acc2 = acc2.blend(hi, acc2.compare(VectorOperators.GT, hi))
            .blend(lo, acc2.compare(VectorOperators.LT, lo));
      }
      if (q2 <= pixels) {
        acc.intoArray(out, outOff + q);
      } else {
        acc.intoArray(p, tail);
        System.arraycopy(p, tail, out, outOff + q, pixels - q);
      }
      if (q2 + L <= pixels) {
        acc2.intoArray(out, outOff + q2);
      } else if (q2 < pixels) {
        acc2.intoArray(p, tail);
        System.arraycopy(p, tail, out, outOff + q2, pixels - q2);
      }
    }
  }

  // Each loop ends with the same fused epilogue and (masked, for the last vector) store, written
  // out in place: a helper taking the vector is not reliably inlined, and then the vector is boxed.

  /** 3×3, stride 1: the nine weights in registers. Returns how many outputs it wrote. */
  private static int row3(float[] in, int inOff, int is, float[] w, int wo, int fuse, float bias,
      float lo, float hi, float[] out, int outOff, int count, int limit) {
    FloatVector w00 = FloatVector.broadcast(F, w[wo]);
    FloatVector w01 = FloatVector.broadcast(F, w[wo + 1]);
    FloatVector w02 = FloatVector.broadcast(F, w[wo + 2]);
    FloatVector w10 = FloatVector.broadcast(F, w[wo + 3]);
    FloatVector w11 = FloatVector.broadcast(F, w[wo + 4]);
    FloatVector w12 = FloatVector.broadcast(F, w[wo + 5]);
    FloatVector w20 = FloatVector.broadcast(F, w[wo + 6]);
    FloatVector w21 = FloatVector.broadcast(F, w[wo + 7]);
    FloatVector w22 = FloatVector.broadcast(F, w[wo + 8]);
    int x = 0;
    for (; x < count && inOff + x + L <= limit; x += L) {
      int b = inOff + x;
      FloatVector acc = FloatVector.zero(F);
      acc = FloatVector.fromArray(F, in, b).fma(w00, acc);
      acc = FloatVector.fromArray(F, in, b + 1).fma(w01, acc);
      acc = FloatVector.fromArray(F, in, b + 2).fma(w02, acc);
      acc = FloatVector.fromArray(F, in, b + is).fma(w10, acc);
      acc = FloatVector.fromArray(F, in, b + is + 1).fma(w11, acc);
      acc = FloatVector.fromArray(F, in, b + is + 2).fma(w12, acc);
      acc = FloatVector.fromArray(F, in, b + 2 * is).fma(w20, acc);
      acc = FloatVector.fromArray(F, in, b + 2 * is + 1).fma(w21, acc);
      acc = FloatVector.fromArray(F, in, b + 2 * is + 2).fma(w22, acc);
      if ((fuse & BIAS) != 0) {
        acc = acc.add(bias);
      }
      if ((fuse & RELU) != 0) {
        acc = acc.lanewise(VectorOperators.MAX, 0f);
      }
      if ((fuse & CLIP) != 0) {
        acc = acc.blend(hi, acc.compare(VectorOperators.GT, hi))
            .blend(lo, acc.compare(VectorOperators.LT, lo));
      }
      if (x + L <= count) {
        acc.intoArray(out, outOff + x);
      } else {
        acc.intoArray(out, outOff + x, F.indexInRange(x, count));
      }
    }
    return Math.min(x, count);
  }

  /** Any k, stride 1. */
  private static int rowS1(int k, float[] in, int inOff, int is, float[] w, int wo, int fuse,
      float bias, float lo, float hi, float[] out, int outOff, int count, int limit) {
    int x = 0;
    for (; x < count && inOff + x + L <= limit; x += L) {
      FloatVector acc = FloatVector.zero(F);
      for (int i = 0; i < k; i++) {
        int b = inOff + i * is + x;
        for (int j = 0; j < k; j++) {
          acc = FloatVector.fromArray(F, in, b + j)
              .fma(FloatVector.broadcast(F, w[wo + i * k + j]), acc);
        }
      }
      if ((fuse & BIAS) != 0) {
        acc = acc.add(bias);
      }
      if ((fuse & RELU) != 0) {
        acc = acc.lanewise(VectorOperators.MAX, 0f);
      }
      if ((fuse & CLIP) != 0) {
        acc = acc.blend(hi, acc.compare(VectorOperators.GT, hi))
            .blend(lo, acc.compare(VectorOperators.LT, lo));
      }
      if (x + L <= count) {
        acc.intoArray(out, outOff + x);
      } else {
        acc.intoArray(out, outOff + x, F.indexInRange(x, count));
      }
    }
    return Math.min(x, count);
  }

  /** 3×3, stride 2: taps 0 and 2 are the even floats from the window's origin and two on, 1 the odd. */
  private static int row3s2(float[] in, int inOff, int is, float[] w, int wo, int fuse, float bias,
      float lo, float hi, float[] out, int outOff, int count, int limit) {
    int x = 0;
    for (; x < count && inOff + 2 * (x + L) <= limit; x += L) {
      FloatVector acc = FloatVector.zero(F);
      for (int i = 0; i < 3; i++) {
        int b = inOff + i * is + 2 * x;
        int wi = wo + 3 * i;
        FloatVector a = FloatVector.fromArray(F, in, b);
        FloatVector c = FloatVector.fromArray(F, in, b + L);
        FloatVector a2 = FloatVector.fromArray(F, in, b + 2);
        FloatVector c2 = FloatVector.fromArray(F, in, b + 2 + L);
        acc = a.rearrange(EVEN, c).fma(FloatVector.broadcast(F, w[wi]), acc);
        acc = a.rearrange(ODD, c).fma(FloatVector.broadcast(F, w[wi + 1]), acc);
        acc = a2.rearrange(EVEN, c2).fma(FloatVector.broadcast(F, w[wi + 2]), acc);
      }
      if ((fuse & BIAS) != 0) {
        acc = acc.add(bias);
      }
      if ((fuse & RELU) != 0) {
        acc = acc.lanewise(VectorOperators.MAX, 0f);
      }
      if ((fuse & CLIP) != 0) {
        acc = acc.blend(hi, acc.compare(VectorOperators.GT, hi))
            .blend(lo, acc.compare(VectorOperators.LT, lo));
      }
      if (x + L <= count) {
        acc.intoArray(out, outOff + x);
      } else {
        acc.intoArray(out, outOff + x, F.indexInRange(x, count));
      }
    }
    return Math.min(x, count);
  }

  /**
   * Stride 2: output x reads {@code in[2x + j]}; tap j is the even (j even) or odd floats of the
   * pair of vectors loaded from float {@code j − j % 2} of the window on.
   */
  private static int rowS2(int k, float[] in, int inOff, int is, float[] w, int wo, int fuse,
      float bias, float lo, float hi, float[] out, int outOff, int count, int limit) {
    int x = 0;
    for (; x < count && inOff + 2 * (x + L) <= limit; x += L) {
      FloatVector acc = FloatVector.zero(F);
      for (int i = 0; i < k; i++) {
        int b = inOff + i * is + 2 * x;
        for (int j = 0; j < k; j += 2) {
          FloatVector a = FloatVector.fromArray(F, in, b + j);
          FloatVector c = FloatVector.fromArray(F, in, b + j + L);
          acc = a.rearrange(EVEN, c).fma(FloatVector.broadcast(F, w[wo + i * k + j]), acc);
          if (j + 1 < k) {
            acc = a.rearrange(ODD, c).fma(FloatVector.broadcast(F, w[wo + i * k + j + 1]), acc);
          }
        }
      }
      if ((fuse & BIAS) != 0) {
        acc = acc.add(bias);
      }
      if ((fuse & RELU) != 0) {
        acc = acc.lanewise(VectorOperators.MAX, 0f);
      }
      if ((fuse & CLIP) != 0) {
        acc = acc.blend(hi, acc.compare(VectorOperators.GT, hi))
            .blend(lo, acc.compare(VectorOperators.LT, lo));
      }
      if (x + L <= count) {
        acc.intoArray(out, outOff + x);
      } else {
        acc.intoArray(out, outOff + x, F.indexInRange(x, count));
      }
    }
    return Math.min(x, count);
  }
}
