package dev.kiln.runtime.kernels.conv;

import java.util.function.IntUnaryOperator;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorShuffle;
import jdk.incubator.vector.VectorSpecies;

/**
 * {@link WinogradOps} on the Vector API: one vector holds one value of L consecutive tiles. Mirrors
 * {@link ScalarWinogradOps} operation for operation, so both give bit-identical results.
 */
final class VectorWinogradOps implements WinogradOps {
  private static final VectorSpecies<Float> F = FloatVector.SPECIES_PREFERRED;
  private static final int L = F.length();

  /** Lanes 0, 2, 4, ... of the 2L lanes of two vectors (the first vector's lanes come first). */
  private static final VectorShuffle<Float> EVEN = shuffle(i -> 2 * i);
  /** Lanes 1, 3, 5, ... of two vectors. */
  private static final VectorShuffle<Float> ODD = shuffle(i -> 2 * i + 1);
  /** a0 b0 a1 b1 ... from the low halves of vectors a and b. */
  private static final VectorShuffle<Float> ZIP_LOW = shuffle(i -> i % 2 * L + i / 2);
  /** The same from the high halves. */
  private static final VectorShuffle<Float> ZIP_HIGH = shuffle(i -> i % 2 * L + L / 2 + i / 2);
  /** {@code SIX[i] = 6·i}: gathers every sixth float. */
  private static final int[] SIX = new int[L];

  static {
    for (int i = 0; i < L; i++) {
      SIX[i] = 6 * i;
    }
  }

  private static VectorShuffle<Float> shuffle(IntUnaryOperator lane) {
    int[] index = new int[L];
    for (int i = 0; i < L; i++) {
      index[i] = lane.applyAsInt(i);
    }
    return VectorShuffle.fromArray(F, index, 0);
  }

  VectorWinogradOps() {
    // Rows hold a multiple of LANE_QUANTUM lanes; a wider vector would run past them.
    if (WinogradConv.LANE_QUANTUM % L != 0) {
      throw new UnsupportedOperationException(L + "-lane float vectors do not divide "
          + WinogradConv.LANE_QUANTUM);
    }
  }

  /**
   * Register-blocked: 8 output-channel rows × 2 vectors of tiles in 16 accumulators; per channel
   * two loads of V and eight broadcasts of U feed 16 fused multiply-adds. A single-vector pass takes
   * a tail of L lanes.
   */
  @Override
  public void gemm(float[] u, int uOff, float[] v, int vOff, int vStride, int channels,
      float[] m, int mOff, int mStride, int lanes) {
    int t = 0;
    for (; t + 2 * L <= lanes; t += 2 * L) {
      gemm8x2(u, uOff, v, vOff + t, vStride, channels, m, mOff + t, mStride);
    }
    for (; t < lanes; t += L) {
      gemm8x1(u, uOff, v, vOff + t, vStride, channels, m, mOff + t, mStride);
    }
  }

  private static void gemm8x2(float[] u, int uOff, float[] v, int vOff, int vStride, int channels,
      float[] m, int mOff, int mStride) {
    FloatVector a00 = FloatVector.zero(F);
    FloatVector a01 = a00;
    FloatVector a10 = a00;
    FloatVector a11 = a00;
    FloatVector a20 = a00;
    FloatVector a21 = a00;
    FloatVector a30 = a00;
    FloatVector a31 = a00;
    FloatVector a40 = a00;
    FloatVector a41 = a00;
    FloatVector a50 = a00;
    FloatVector a51 = a00;
    FloatVector a60 = a00;
    FloatVector a61 = a00;
    FloatVector a70 = a00;
    FloatVector a71 = a00;
    for (int c = 0; c < channels; c++) {
      int vo = vOff + c * vStride;
      FloatVector v0 = FloatVector.fromArray(F, v, vo);
      FloatVector v1 = FloatVector.fromArray(F, v, vo + L);
      int uo = uOff + c * PANEL;
      FloatVector w = FloatVector.broadcast(F, u[uo]);
      a00 = v0.fma(w, a00);
      a01 = v1.fma(w, a01);
      w = FloatVector.broadcast(F, u[uo + 1]);
      a10 = v0.fma(w, a10);
      a11 = v1.fma(w, a11);
      w = FloatVector.broadcast(F, u[uo + 2]);
      a20 = v0.fma(w, a20);
      a21 = v1.fma(w, a21);
      w = FloatVector.broadcast(F, u[uo + 3]);
      a30 = v0.fma(w, a30);
      a31 = v1.fma(w, a31);
      w = FloatVector.broadcast(F, u[uo + 4]);
      a40 = v0.fma(w, a40);
      a41 = v1.fma(w, a41);
      w = FloatVector.broadcast(F, u[uo + 5]);
      a50 = v0.fma(w, a50);
      a51 = v1.fma(w, a51);
      w = FloatVector.broadcast(F, u[uo + 6]);
      a60 = v0.fma(w, a60);
      a61 = v1.fma(w, a61);
      w = FloatVector.broadcast(F, u[uo + 7]);
      a70 = v0.fma(w, a70);
      a71 = v1.fma(w, a71);
    }
    a00.intoArray(m, mOff);
    a01.intoArray(m, mOff + L);
    a10.intoArray(m, mOff + mStride);
    a11.intoArray(m, mOff + mStride + L);
    a20.intoArray(m, mOff + 2 * mStride);
    a21.intoArray(m, mOff + 2 * mStride + L);
    a30.intoArray(m, mOff + 3 * mStride);
    a31.intoArray(m, mOff + 3 * mStride + L);
    a40.intoArray(m, mOff + 4 * mStride);
    a41.intoArray(m, mOff + 4 * mStride + L);
    a50.intoArray(m, mOff + 5 * mStride);
    a51.intoArray(m, mOff + 5 * mStride + L);
    a60.intoArray(m, mOff + 6 * mStride);
    a61.intoArray(m, mOff + 6 * mStride + L);
    a70.intoArray(m, mOff + 7 * mStride);
    a71.intoArray(m, mOff + 7 * mStride + L);
  }

  private static void gemm8x1(float[] u, int uOff, float[] v, int vOff, int vStride, int channels,
      float[] m, int mOff, int mStride) {
    FloatVector a0 = FloatVector.zero(F);
    FloatVector a1 = a0;
    FloatVector a2 = a0;
    FloatVector a3 = a0;
    FloatVector a4 = a0;
    FloatVector a5 = a0;
    FloatVector a6 = a0;
    FloatVector a7 = a0;
    for (int c = 0; c < channels; c++) {
      FloatVector v0 = FloatVector.fromArray(F, v, vOff + c * vStride);
      int uo = uOff + c * PANEL;
      a0 = v0.fma(FloatVector.broadcast(F, u[uo]), a0);
      a1 = v0.fma(FloatVector.broadcast(F, u[uo + 1]), a1);
      a2 = v0.fma(FloatVector.broadcast(F, u[uo + 2]), a2);
      a3 = v0.fma(FloatVector.broadcast(F, u[uo + 3]), a3);
      a4 = v0.fma(FloatVector.broadcast(F, u[uo + 4]), a4);
      a5 = v0.fma(FloatVector.broadcast(F, u[uo + 5]), a5);
      a6 = v0.fma(FloatVector.broadcast(F, u[uo + 6]), a6);
      a7 = v0.fma(FloatVector.broadcast(F, u[uo + 7]), a7);
    }
    a0.intoArray(m, mOff);
    a1.intoArray(m, mOff + mStride);
    a2.intoArray(m, mOff + 2 * mStride);
    a3.intoArray(m, mOff + 3 * mStride);
    a4.intoArray(m, mOff + 4 * mStride);
    a5.intoArray(m, mOff + 5 * mStride);
    a6.intoArray(m, mOff + 6 * mStride);
    a7.intoArray(m, mOff + 7 * mStride);
  }

  /**
   * Two-source shuffles split each patch row into the taps of L tiles: for F(2,3) taps 0 and 1 are
   * the even and odd floats from the tile's origin, taps 2 and 3 the same two floats on; F(4,3)
   * splits twice; F(6,3) gathers. F(2,3)'s 4×4 tile fits in registers, so both halves of its
   * transform run there; F(4,3) and F(6,3) pass through the rows scratch. Whole vectors run past
   * {@code count}, as the contract allows. Each transform is written out in full in its loop (not
   * in a helper taking vectors): C2 inlines such helpers unreliably, and a vector that escapes a
   * call is boxed.
   */
  @Override
  public void inputSegment(int tile, float[] patch, int patchOff, int patchStride, float[] ws,
      int rowsOff, int rowStride, float[] dst, int dstOff, int dstPlaneStride, int count) {
    int alpha = tile + 2;
    int lanes = (count + L - 1) / L * L;
    switch (tile) {
      case 2:
        inputSegmentF2(patch, patchOff, patchStride, dst, dstOff, dstPlaneStride, count);
        break;
      case 4:
        for (int i = 0; i < alpha; i++) {
          inputRowF4(patch, patchOff + i * patchStride, ws, rowsOff + i * alpha * rowStride,
              rowStride, count);
        }
        for (int nu = 0; nu < alpha; nu++) {
          inputF4(ws, rowsOff + nu * rowStride, alpha * rowStride, dst, dstOff + nu * dstPlaneStride,
              alpha * dstPlaneStride, lanes);
        }
        break;
      case 6:
        for (int i = 0; i < alpha; i++) {
          inputRowF6(patch, patchOff + i * patchStride, ws, rowsOff + i * alpha * rowStride,
              rowStride, count);
        }
        for (int nu = 0; nu < alpha; nu++) {
          inputF6(ws, rowsOff + nu * rowStride, alpha * rowStride, dst, dstOff + nu * dstPlaneStride,
              alpha * dstPlaneStride, lanes);
        }
        break;
      default:
        throw new IllegalArgumentException("no Winograd F(" + tile + ",3)");
    }
  }

  /**
   * z[i][ν] = the row transform of patch row i, then V[ξ][ν] = the column transform of z[·][ν]
   * (plane ξ·4 + ν). All sixteen loads of a group come before its sixteen stores: a load issued
   * after a store to a V plane whose address matches it modulo 4 KiB waits for that store.
   */
  private static void inputSegmentF2(float[] p, int patchOff, int ps, float[] d, int dOff, int pl,
      int count) {
    for (int t = 0; t < count; t += L) {
      int base = patchOff + 2 * t;
      FloatVector a0 = FloatVector.fromArray(F, p, base);
      FloatVector b0 = FloatVector.fromArray(F, p, base + L);
      FloatVector c0 = FloatVector.fromArray(F, p, base + 2);
      FloatVector e0 = FloatVector.fromArray(F, p, base + 2 + L);
      FloatVector a1 = FloatVector.fromArray(F, p, base + ps);
      FloatVector b1 = FloatVector.fromArray(F, p, base + ps + L);
      FloatVector c1 = FloatVector.fromArray(F, p, base + ps + 2);
      FloatVector e1 = FloatVector.fromArray(F, p, base + ps + 2 + L);
      FloatVector a2 = FloatVector.fromArray(F, p, base + 2 * ps);
      FloatVector b2 = FloatVector.fromArray(F, p, base + 2 * ps + L);
      FloatVector c2 = FloatVector.fromArray(F, p, base + 2 * ps + 2);
      FloatVector e2 = FloatVector.fromArray(F, p, base + 2 * ps + 2 + L);
      FloatVector a3 = FloatVector.fromArray(F, p, base + 3 * ps);
      FloatVector b3 = FloatVector.fromArray(F, p, base + 3 * ps + L);
      FloatVector c3 = FloatVector.fromArray(F, p, base + 3 * ps + 2);
      FloatVector e3 = FloatVector.fromArray(F, p, base + 3 * ps + 2 + L);
      FloatVector d0 = a0.rearrange(EVEN, b0);
      FloatVector d1 = a0.rearrange(ODD, b0);
      FloatVector d2 = c0.rearrange(EVEN, e0);
      FloatVector d3 = c0.rearrange(ODD, e0);
      FloatVector z00 = d0.sub(d2);
      FloatVector z01 = d1.add(d2);
      FloatVector z02 = d2.sub(d1);
      FloatVector z03 = d1.sub(d3);
      d0 = a1.rearrange(EVEN, b1);
      d1 = a1.rearrange(ODD, b1);
      d2 = c1.rearrange(EVEN, e1);
      d3 = c1.rearrange(ODD, e1);
      FloatVector z10 = d0.sub(d2);
      FloatVector z11 = d1.add(d2);
      FloatVector z12 = d2.sub(d1);
      FloatVector z13 = d1.sub(d3);
      d0 = a2.rearrange(EVEN, b2);
      d1 = a2.rearrange(ODD, b2);
      d2 = c2.rearrange(EVEN, e2);
      d3 = c2.rearrange(ODD, e2);
      FloatVector z20 = d0.sub(d2);
      FloatVector z21 = d1.add(d2);
      FloatVector z22 = d2.sub(d1);
      FloatVector z23 = d1.sub(d3);
      d0 = a3.rearrange(EVEN, b3);
      d1 = a3.rearrange(ODD, b3);
      d2 = c3.rearrange(EVEN, e3);
      d3 = c3.rearrange(ODD, e3);
      FloatVector z30 = d0.sub(d2);
      FloatVector z31 = d1.add(d2);
      FloatVector z32 = d2.sub(d1);
      FloatVector z33 = d1.sub(d3);
      int o = dOff + t;
      z00.sub(z20).intoArray(d, o);
      z01.sub(z21).intoArray(d, o + pl);
      z02.sub(z22).intoArray(d, o + 2 * pl);
      z03.sub(z23).intoArray(d, o + 3 * pl);
      z10.add(z20).intoArray(d, o + 4 * pl);
      z11.add(z21).intoArray(d, o + 5 * pl);
      z12.add(z22).intoArray(d, o + 6 * pl);
      z13.add(z23).intoArray(d, o + 7 * pl);
      z20.sub(z10).intoArray(d, o + 8 * pl);
      z21.sub(z11).intoArray(d, o + 9 * pl);
      z22.sub(z12).intoArray(d, o + 10 * pl);
      z23.sub(z13).intoArray(d, o + 11 * pl);
      z10.sub(z30).intoArray(d, o + 12 * pl);
      z11.sub(z31).intoArray(d, o + 13 * pl);
      z12.sub(z32).intoArray(d, o + 14 * pl);
      z13.sub(z33).intoArray(d, o + 15 * pl);
    }
  }

  private static void inputRowF4(float[] p, int row, float[] d, int dOff, int ds, int count) {
    for (int t = 0; t < count; t += L) {
      int base = row + 4 * t;
      FloatVector a = FloatVector.fromArray(F, p, base);
      FloatVector b = FloatVector.fromArray(F, p, base + L);
      FloatVector c = FloatVector.fromArray(F, p, base + 2 * L);
      FloatVector e = FloatVector.fromArray(F, p, base + 3 * L);
      FloatVector even1 = a.rearrange(EVEN, b);
      FloatVector odd1 = a.rearrange(ODD, b);
      FloatVector even2 = c.rearrange(EVEN, e);
      FloatVector odd2 = c.rearrange(ODD, e);
      FloatVector d0 = even1.rearrange(EVEN, even2);
      FloatVector d1 = odd1.rearrange(EVEN, odd2);
      FloatVector d2 = even1.rearrange(ODD, even2);
      FloatVector d3 = odd1.rearrange(ODD, odd2);
      a = FloatVector.fromArray(F, p, base + 4);
      b = FloatVector.fromArray(F, p, base + 4 + L);
      c = FloatVector.fromArray(F, p, base + 4 + 2 * L);
      e = FloatVector.fromArray(F, p, base + 4 + 3 * L);
      FloatVector d4 = a.rearrange(EVEN, b).rearrange(EVEN, c.rearrange(EVEN, e));
      FloatVector d5 = a.rearrange(ODD, b).rearrange(EVEN, c.rearrange(ODD, e));
      FloatVector p1 = d4.sub(d2);
      FloatVector q1 = d3.sub(d1);
      d0.mul(4f).sub(d2.mul(5f)).add(d4).intoArray(d, dOff + t);
      d3.add(d4).sub(d1.add(d2).mul(4f)).intoArray(d, dOff + ds + t);
      d4.sub(d3).add(d1.sub(d2).mul(4f)).intoArray(d, dOff + 2 * ds + t);
      p1.add(q1.mul(2f)).intoArray(d, dOff + 3 * ds + t);
      p1.sub(q1.mul(2f)).intoArray(d, dOff + 4 * ds + t);
      d1.mul(4f).sub(d3.mul(5f)).add(d5).intoArray(d, dOff + 5 * ds + t);
    }
  }

  private static void inputRowF6(float[] p, int row, float[] d, int dOff, int ds, int count) {
    for (int t = 0; t < count; t += L) {
      int base = row + 6 * t;
      FloatVector d0 = FloatVector.fromArray(F, p, base, SIX, 0);
      FloatVector d1 = FloatVector.fromArray(F, p, base + 1, SIX, 0);
      FloatVector d2 = FloatVector.fromArray(F, p, base + 2, SIX, 0);
      FloatVector d3 = FloatVector.fromArray(F, p, base + 3, SIX, 0);
      FloatVector d4 = FloatVector.fromArray(F, p, base + 4, SIX, 0);
      FloatVector d5 = FloatVector.fromArray(F, p, base + 5, SIX, 0);
      FloatVector d6 = FloatVector.fromArray(F, p, base + 6, SIX, 0);
      FloatVector d7 = FloatVector.fromArray(F, p, base + 7, SIX, 0);
      FloatVector odd1 = d1.add(d5).sub(d3.mul(4.25f));
      FloatVector even1 = d2.add(d6).sub(d4.mul(4.25f));
      FloatVector odd2 = d1.mul(0.5f).sub(d3.mul(2.5f)).add(d5.mul(2f));
      FloatVector even2 = d2.mul(0.25f).sub(d4.mul(1.25f)).add(d6);
      FloatVector odd3 = d1.mul(2f).sub(d3.mul(2.5f)).add(d5.mul(0.5f));
      FloatVector even3 = d2.mul(4f).sub(d4.mul(5f)).add(d6);
      d0.sub(d6).add(d4.sub(d2).mul(5.25f)).intoArray(d, dOff + t);
      even1.add(odd1).intoArray(d, dOff + ds + t);
      even1.sub(odd1).intoArray(d, dOff + 2 * ds + t);
      even2.add(odd2).intoArray(d, dOff + 3 * ds + t);
      even2.sub(odd2).intoArray(d, dOff + 4 * ds + t);
      even3.add(odd3).intoArray(d, dOff + 5 * ds + t);
      even3.sub(odd3).intoArray(d, dOff + 6 * ds + t);
      d7.sub(d1).add(d3.sub(d5).mul(5.25f)).intoArray(d, dOff + 7 * ds + t);
    }
  }

  private static void inputF4(float[] s, int so, int ss, float[] d, int dOff, int ds, int lanes) {
    for (int t = 0; t < lanes; t += L) {
      FloatVector d0 = FloatVector.fromArray(F, s, so + t);
      FloatVector d1 = FloatVector.fromArray(F, s, so + ss + t);
      FloatVector d2 = FloatVector.fromArray(F, s, so + 2 * ss + t);
      FloatVector d3 = FloatVector.fromArray(F, s, so + 3 * ss + t);
      FloatVector d4 = FloatVector.fromArray(F, s, so + 4 * ss + t);
      FloatVector d5 = FloatVector.fromArray(F, s, so + 5 * ss + t);
      FloatVector p1 = d4.sub(d2);
      FloatVector q1 = d3.sub(d1);
      d0.mul(4f).sub(d2.mul(5f)).add(d4).intoArray(d, dOff + t);
      d3.add(d4).sub(d1.add(d2).mul(4f)).intoArray(d, dOff + ds + t);
      d4.sub(d3).add(d1.sub(d2).mul(4f)).intoArray(d, dOff + 2 * ds + t);
      p1.add(q1.mul(2f)).intoArray(d, dOff + 3 * ds + t);
      p1.sub(q1.mul(2f)).intoArray(d, dOff + 4 * ds + t);
      d1.mul(4f).sub(d3.mul(5f)).add(d5).intoArray(d, dOff + 5 * ds + t);
    }
  }

  private static void inputF6(float[] s, int so, int ss, float[] d, int dOff, int ds, int lanes) {
    for (int t = 0; t < lanes; t += L) {
      FloatVector d0 = FloatVector.fromArray(F, s, so + t);
      FloatVector d1 = FloatVector.fromArray(F, s, so + ss + t);
      FloatVector d2 = FloatVector.fromArray(F, s, so + 2 * ss + t);
      FloatVector d3 = FloatVector.fromArray(F, s, so + 3 * ss + t);
      FloatVector d4 = FloatVector.fromArray(F, s, so + 4 * ss + t);
      FloatVector d5 = FloatVector.fromArray(F, s, so + 5 * ss + t);
      FloatVector d6 = FloatVector.fromArray(F, s, so + 6 * ss + t);
      FloatVector d7 = FloatVector.fromArray(F, s, so + 7 * ss + t);
      FloatVector odd1 = d1.add(d5).sub(d3.mul(4.25f));
      FloatVector even1 = d2.add(d6).sub(d4.mul(4.25f));
      FloatVector odd2 = d1.mul(0.5f).sub(d3.mul(2.5f)).add(d5.mul(2f));
      FloatVector even2 = d2.mul(0.25f).sub(d4.mul(1.25f)).add(d6);
      FloatVector odd3 = d1.mul(2f).sub(d3.mul(2.5f)).add(d5.mul(0.5f));
      FloatVector even3 = d2.mul(4f).sub(d4.mul(5f)).add(d6);
      d0.sub(d6).add(d4.sub(d2).mul(5.25f)).intoArray(d, dOff + t);
      even1.add(odd1).intoArray(d, dOff + ds + t);
      even1.sub(odd1).intoArray(d, dOff + 2 * ds + t);
      even2.add(odd2).intoArray(d, dOff + 3 * ds + t);
      even2.sub(odd2).intoArray(d, dOff + 4 * ds + t);
      even3.add(odd3).intoArray(d, dOff + 5 * ds + t);
      even3.sub(odd3).intoArray(d, dOff + 6 * ds + t);
      d7.sub(d1).add(d3.sub(d5).mul(5.25f)).intoArray(d, dOff + 7 * ds + t);
    }
  }

  @Override
  public void outputTransform(int tile, float[] s, int so, int ss, float[] d, int dOff, int ds,
      int lanes) {
    switch (tile) {
      case 2:
        for (int t = 0; t < lanes; t += L) {
          FloatVector m0 = FloatVector.fromArray(F, s, so + t);
          FloatVector m1 = FloatVector.fromArray(F, s, so + ss + t);
          FloatVector m2 = FloatVector.fromArray(F, s, so + 2 * ss + t);
          FloatVector m3 = FloatVector.fromArray(F, s, so + 3 * ss + t);
          m0.add(m1).add(m2).intoArray(d, dOff + t);
          m1.sub(m2).sub(m3).intoArray(d, dOff + ds + t);
        }
        break;
      case 4:
        for (int t = 0; t < lanes; t += L) {
          FloatVector m0 = FloatVector.fromArray(F, s, so + t);
          FloatVector m1 = FloatVector.fromArray(F, s, so + ss + t);
          FloatVector m2 = FloatVector.fromArray(F, s, so + 2 * ss + t);
          FloatVector m3 = FloatVector.fromArray(F, s, so + 3 * ss + t);
          FloatVector m4 = FloatVector.fromArray(F, s, so + 4 * ss + t);
          FloatVector m5 = FloatVector.fromArray(F, s, so + 5 * ss + t);
          FloatVector a1 = m1.add(m2);
          FloatVector s1 = m1.sub(m2);
          FloatVector a2 = m3.add(m4);
          FloatVector s2 = m3.sub(m4);
          m0.add(a1).add(a2).intoArray(d, dOff + t);
          s1.add(s2.mul(2f)).intoArray(d, dOff + ds + t);
          a1.add(a2.mul(4f)).intoArray(d, dOff + 2 * ds + t);
          s1.add(s2.mul(8f)).add(m5).intoArray(d, dOff + 3 * ds + t);
        }
        break;
      case 6:
        for (int t = 0; t < lanes; t += L) {
          FloatVector m0 = FloatVector.fromArray(F, s, so + t);
          FloatVector m1 = FloatVector.fromArray(F, s, so + ss + t);
          FloatVector m2 = FloatVector.fromArray(F, s, so + 2 * ss + t);
          FloatVector m3 = FloatVector.fromArray(F, s, so + 3 * ss + t);
          FloatVector m4 = FloatVector.fromArray(F, s, so + 4 * ss + t);
          FloatVector m5 = FloatVector.fromArray(F, s, so + 5 * ss + t);
          FloatVector m6 = FloatVector.fromArray(F, s, so + 6 * ss + t);
          FloatVector m7 = FloatVector.fromArray(F, s, so + 7 * ss + t);
          FloatVector a1 = m1.add(m2);
          FloatVector s1 = m1.sub(m2);
          FloatVector a2 = m3.add(m4);
          FloatVector s2 = m3.sub(m4);
          FloatVector a3 = m5.add(m6);
          FloatVector s3 = m5.sub(m6);
          m0.add(a1).add(a2).add(a3).intoArray(d, dOff + t);
          s1.add(s2.mul(2f)).add(s3.mul(0.5f)).intoArray(d, dOff + ds + t);
          a1.add(a2.mul(4f)).add(a3.mul(0.25f)).intoArray(d, dOff + 2 * ds + t);
          s1.add(s2.mul(8f)).add(s3.mul(0.125f)).intoArray(d, dOff + 3 * ds + t);
          a1.add(a2.mul(16f)).add(a3.mul(0.0625f)).intoArray(d, dOff + 4 * ds + t);
          s1.add(s2.mul(32f)).add(s3.mul(0.03125f)).add(m7).intoArray(d, dOff + 5 * ds + t);
        }
        break;
      default:
        throw new IllegalArgumentException("no Winograd F(" + tile + ",3)");
    }
  }

  /**
   * Vectors of L tiles: A^T in registers, then the tile outputs interleaved into the row by zips
   * (F(2,3)), two rounds of zips (F(4,3)) or scatters (F(6,3)). The last group stores through masks,
   * so the row gets exactly its {@code tile·(count − 1) + lastColumns} floats; the source rows are
   * read in whole vectors (their slack lanes hold junk).
   */
  @Override
  public void outputRow(int tile, float[] s, int so, int ss, float[] d, int dOff, int count,
      int lastColumns) {
    switch (tile) {
      case 2:
        outputRowF2(s, so, ss, d, dOff, count, lastColumns);
        break;
      case 4:
        outputRowF4(s, so, ss, d, dOff, count, lastColumns);
        break;
      case 6:
        outputRowF6(s, so, ss, d, dOff, count, lastColumns);
        break;
      default:
        throw new IllegalArgumentException("no Winograd F(" + tile + ",3)");
    }
  }

  private static void outputRowF2(float[] s, int so, int ss, float[] d, int dOff, int count,
      int lastColumns) {
    int total = 2 * (count - 1) + lastColumns;
    for (int t = 0; t < count; t += L) {
      FloatVector m0 = FloatVector.fromArray(F, s, so + t);
      FloatVector m1 = FloatVector.fromArray(F, s, so + ss + t);
      FloatVector m2 = FloatVector.fromArray(F, s, so + 2 * ss + t);
      FloatVector m3 = FloatVector.fromArray(F, s, so + 3 * ss + t);
      FloatVector y0 = m0.add(m1).add(m2);
      FloatVector y1 = m1.sub(m2).sub(m3);
      int o = 2 * t;
      if (o + 2 * L <= total) {
        y0.rearrange(ZIP_LOW, y1).intoArray(d, dOff + o);
        y0.rearrange(ZIP_HIGH, y1).intoArray(d, dOff + o + L);
      } else {
        y0.rearrange(ZIP_LOW, y1).intoArray(d, dOff + o, F.indexInRange(o, total));
        y0.rearrange(ZIP_HIGH, y1).intoArray(d, dOff + o + L, F.indexInRange(o + L, total));
      }
    }
  }

  private static void outputRowF4(float[] s, int so, int ss, float[] d, int dOff, int count,
      int lastColumns) {
    int total = 4 * (count - 1) + lastColumns;
    for (int t = 0; t < count; t += L) {
      FloatVector m0 = FloatVector.fromArray(F, s, so + t);
      FloatVector m1 = FloatVector.fromArray(F, s, so + ss + t);
      FloatVector m2 = FloatVector.fromArray(F, s, so + 2 * ss + t);
      FloatVector m3 = FloatVector.fromArray(F, s, so + 3 * ss + t);
      FloatVector m4 = FloatVector.fromArray(F, s, so + 4 * ss + t);
      FloatVector m5 = FloatVector.fromArray(F, s, so + 5 * ss + t);
      FloatVector a1 = m1.add(m2);
      FloatVector s1 = m1.sub(m2);
      FloatVector a2 = m3.add(m4);
      FloatVector s2 = m3.sub(m4);
      FloatVector y0 = m0.add(a1).add(a2);
      FloatVector y1 = s1.add(s2.mul(2f));
      FloatVector y2 = a1.add(a2.mul(4f));
      FloatVector y3 = s1.add(s2.mul(8f)).add(m5);
      FloatVector low02 = y0.rearrange(ZIP_LOW, y2);
      FloatVector high02 = y0.rearrange(ZIP_HIGH, y2);
      FloatVector low13 = y1.rearrange(ZIP_LOW, y3);
      FloatVector high13 = y1.rearrange(ZIP_HIGH, y3);
      int o = 4 * t;
      if (o + 4 * L <= total) {
        low02.rearrange(ZIP_LOW, low13).intoArray(d, dOff + o);
        low02.rearrange(ZIP_HIGH, low13).intoArray(d, dOff + o + L);
        high02.rearrange(ZIP_LOW, high13).intoArray(d, dOff + o + 2 * L);
        high02.rearrange(ZIP_HIGH, high13).intoArray(d, dOff + o + 3 * L);
      } else {
        low02.rearrange(ZIP_LOW, low13).intoArray(d, dOff + o, F.indexInRange(o, total));
        low02.rearrange(ZIP_HIGH, low13).intoArray(d, dOff + o + L, F.indexInRange(o + L, total));
        high02.rearrange(ZIP_LOW, high13)
            .intoArray(d, dOff + o + 2 * L, F.indexInRange(o + 2 * L, total));
        high02.rearrange(ZIP_HIGH, high13)
            .intoArray(d, dOff + o + 3 * L, F.indexInRange(o + 3 * L, total));
      }
    }
  }

  /**
   * Scatters whole groups of L complete tiles; the rest is scalar (a masked scatter still
   * range-checks the indices of its unset lanes).
   */
  private static void outputRowF6(float[] s, int so, int ss, float[] d, int dOff, int count,
      int lastColumns) {
    int whole = count - (lastColumns < 6 ? 1 : 0);
    int t = 0;
    for (; t + L <= whole; t += L) {
      FloatVector m0 = FloatVector.fromArray(F, s, so + t);
      FloatVector m1 = FloatVector.fromArray(F, s, so + ss + t);
      FloatVector m2 = FloatVector.fromArray(F, s, so + 2 * ss + t);
      FloatVector m3 = FloatVector.fromArray(F, s, so + 3 * ss + t);
      FloatVector m4 = FloatVector.fromArray(F, s, so + 4 * ss + t);
      FloatVector m5 = FloatVector.fromArray(F, s, so + 5 * ss + t);
      FloatVector m6 = FloatVector.fromArray(F, s, so + 6 * ss + t);
      FloatVector m7 = FloatVector.fromArray(F, s, so + 7 * ss + t);
      FloatVector a1 = m1.add(m2);
      FloatVector s1 = m1.sub(m2);
      FloatVector a2 = m3.add(m4);
      FloatVector s2 = m3.sub(m4);
      FloatVector a3 = m5.add(m6);
      FloatVector s3 = m5.sub(m6);
      int o = dOff + 6 * t;
      m0.add(a1).add(a2).add(a3).intoArray(d, o, SIX, 0);
      s1.add(s2.mul(2f)).add(s3.mul(0.5f)).intoArray(d, o + 1, SIX, 0);
      a1.add(a2.mul(4f)).add(a3.mul(0.25f)).intoArray(d, o + 2, SIX, 0);
      s1.add(s2.mul(8f)).add(s3.mul(0.125f)).intoArray(d, o + 3, SIX, 0);
      a1.add(a2.mul(16f)).add(a3.mul(0.0625f)).intoArray(d, o + 4, SIX, 0);
      s1.add(s2.mul(32f)).add(s3.mul(0.03125f)).add(m7).intoArray(d, o + 5, SIX, 0);
    }
    ScalarWinogradOps.outputRowTiles(6, s, so, ss, d, dOff, t, count, lastColumns);
  }

}
