package dev.kiln.runtime.kernels.gemm;

import dev.kiln.runtime.kernels.Epilogue;
import dev.kiln.runtime.kernels.simd.FloatSpecies;
import dev.kiln.runtime.kernels.simd.Vectorization;
import java.util.Objects;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * The Vector API microkernel: a tile of R rows × 2 vectors, the R·2 accumulators held in registers,
 * one broadcast of A and two loads of B per R·2 FMAs. R is 8 with 32 vector registers (AVX-512,
 * AArch64: 16 accumulators + 2 B vectors + 1 broadcast) and 4 with 16 (AVX2: 8 accumulators; 12 spill
 * and collapse). On the 2-core Xeon these kernels were written on, 8×32 reached 98% of the FMA peak
 * in L1 (measured with a kc = 256 panel loop).
 *
 * <p>The {@code Objects.checkFromIndexSize} calls before each loop are not redundant decoration:
 * they let C2 drop the per-iteration bounds checks of {@code fromArray}, which otherwise cost
 * 15-25% of the kernel's speed. The epilogue uses compare-and-blend rather than min/max so that
 * signed zeros and NaN come out exactly as {@link dev.kiln.runtime.kernels.Epilogue#activate}
 * produces them.
 */
final class VectorGemmMicrokernel extends GemmMicrokernel {
  private static final VectorSpecies<Float> S = FloatSpecies.PREFERRED;
  private static final int L = S.length();
  private static final int A_STEP = Gemm.PANEL_ROWS;
  private static final int B_STEP = Gemm.PANEL_COLS;

  private final int rows = Vectorization.get().registers() >= 32 ? 8 : 4;

  VectorGemmMicrokernel() {}

  @Override
  public int rows() {
    return rows;
  }

  @Override
  public int cols() {
    return 2 * L;
  }

  @Override
  public void tile(int kc, float[] a, int aOff, float[] b, int bOff,
      float[] c, int cOff, int ldc, boolean accumulate) {
    if (rows == 8) {
      tile8(kc, a, aOff, b, bOff, c, cOff, ldc, accumulate);
    } else {
      tile4(kc, a, aOff, b, bOff, c, cOff, ldc, accumulate);
    }
  }

  private static void tile8(int kc, float[] a, int aOff, float[] b, int bOff,
      float[] c, int cOff, int ldc, boolean accumulate) {
    Objects.checkFromIndexSize(aOff, (kc - 1) * A_STEP + 8, a.length);
    Objects.checkFromIndexSize(bOff, (kc - 1) * B_STEP + 2 * L, b.length);
    FloatVector z = FloatVector.zero(S);
    FloatVector c00 = z, c01 = z, c10 = z, c11 = z, c20 = z, c21 = z, c30 = z, c31 = z;
    FloatVector c40 = z, c41 = z, c50 = z, c51 = z, c60 = z, c61 = z, c70 = z, c71 = z;
    for (int k = 0; k < kc; k++) {
      int ai = aOff + k * A_STEP;
      int bi = bOff + k * B_STEP;
      FloatVector b0 = FloatVector.fromArray(S, b, bi);
      FloatVector b1 = FloatVector.fromArray(S, b, bi + L);
      FloatVector x = FloatVector.broadcast(S, a[ai]);
      c00 = b0.fma(x, c00);
      c01 = b1.fma(x, c01);
      x = FloatVector.broadcast(S, a[ai + 1]);
      c10 = b0.fma(x, c10);
      c11 = b1.fma(x, c11);
      x = FloatVector.broadcast(S, a[ai + 2]);
      c20 = b0.fma(x, c20);
      c21 = b1.fma(x, c21);
      x = FloatVector.broadcast(S, a[ai + 3]);
      c30 = b0.fma(x, c30);
      c31 = b1.fma(x, c31);
      x = FloatVector.broadcast(S, a[ai + 4]);
      c40 = b0.fma(x, c40);
      c41 = b1.fma(x, c41);
      x = FloatVector.broadcast(S, a[ai + 5]);
      c50 = b0.fma(x, c50);
      c51 = b1.fma(x, c51);
      x = FloatVector.broadcast(S, a[ai + 6]);
      c60 = b0.fma(x, c60);
      c61 = b1.fma(x, c61);
      x = FloatVector.broadcast(S, a[ai + 7]);
      c70 = b0.fma(x, c70);
      c71 = b1.fma(x, c71);
    }
    Objects.checkFromIndexSize(cOff, 7 * ldc + 2 * L, c.length);
    if (accumulate) {
      int ci = cOff;
      c00 = c00.add(FloatVector.fromArray(S, c, ci));
      c01 = c01.add(FloatVector.fromArray(S, c, ci + L));
      ci += ldc;
      c10 = c10.add(FloatVector.fromArray(S, c, ci));
      c11 = c11.add(FloatVector.fromArray(S, c, ci + L));
      ci += ldc;
      c20 = c20.add(FloatVector.fromArray(S, c, ci));
      c21 = c21.add(FloatVector.fromArray(S, c, ci + L));
      ci += ldc;
      c30 = c30.add(FloatVector.fromArray(S, c, ci));
      c31 = c31.add(FloatVector.fromArray(S, c, ci + L));
      ci += ldc;
      c40 = c40.add(FloatVector.fromArray(S, c, ci));
      c41 = c41.add(FloatVector.fromArray(S, c, ci + L));
      ci += ldc;
      c50 = c50.add(FloatVector.fromArray(S, c, ci));
      c51 = c51.add(FloatVector.fromArray(S, c, ci + L));
      ci += ldc;
      c60 = c60.add(FloatVector.fromArray(S, c, ci));
      c61 = c61.add(FloatVector.fromArray(S, c, ci + L));
      ci += ldc;
      c70 = c70.add(FloatVector.fromArray(S, c, ci));
      c71 = c71.add(FloatVector.fromArray(S, c, ci + L));
    }
    int ci = cOff;
    c00.intoArray(c, ci);
    c01.intoArray(c, ci + L);
    ci += ldc;
    c10.intoArray(c, ci);
    c11.intoArray(c, ci + L);
    ci += ldc;
    c20.intoArray(c, ci);
    c21.intoArray(c, ci + L);
    ci += ldc;
    c30.intoArray(c, ci);
    c31.intoArray(c, ci + L);
    ci += ldc;
    c40.intoArray(c, ci);
    c41.intoArray(c, ci + L);
    ci += ldc;
    c50.intoArray(c, ci);
    c51.intoArray(c, ci + L);
    ci += ldc;
    c60.intoArray(c, ci);
    c61.intoArray(c, ci + L);
    ci += ldc;
    c70.intoArray(c, ci);
    c71.intoArray(c, ci + L);
  }

  /** The 8-row kernels have a half-width tile, one vector wide ({@link #tile8Half}). */
  @Override
  int halfCols() {
    return rows == 8 ? L : 0;
  }

  @Override
  void halfTile(int kc, float[] a, int aOff, float[] b, int bOff,
      float[] c, int cOff, int ldc, boolean accumulate) {
    if (rows != 8) {
      throw new UnsupportedOperationException(this + " has no half-width tile");
    }
    tile8Half(kc, a, aOff, b, bOff, c, cOff, ldc, accumulate);
  }

  /**
   * 8 rows × one vector: eight accumulators, one load of B and eight broadcasts of A per eight
   * FMAs, so the loads rather than the FMAs set its pace (about 8/9 of the full tile's rate per
   * column); for the last, narrow column tile of a map.
   */
  private static void tile8Half(int kc, float[] a, int aOff, float[] b, int bOff,
      float[] c, int cOff, int ldc, boolean accumulate) {
    Objects.checkFromIndexSize(aOff, (kc - 1) * A_STEP + 8, a.length);
    Objects.checkFromIndexSize(bOff, (kc - 1) * B_STEP + L, b.length);
    FloatVector c0 = FloatVector.zero(S);
    FloatVector c1 = c0, c2 = c0, c3 = c0, c4 = c0, c5 = c0, c6 = c0, c7 = c0;
    for (int k = 0; k < kc; k++) {
      int ai = aOff + k * A_STEP;
      FloatVector b0 = FloatVector.fromArray(S, b, bOff + k * B_STEP);
      c0 = b0.fma(FloatVector.broadcast(S, a[ai]), c0);
      c1 = b0.fma(FloatVector.broadcast(S, a[ai + 1]), c1);
      c2 = b0.fma(FloatVector.broadcast(S, a[ai + 2]), c2);
      c3 = b0.fma(FloatVector.broadcast(S, a[ai + 3]), c3);
      c4 = b0.fma(FloatVector.broadcast(S, a[ai + 4]), c4);
      c5 = b0.fma(FloatVector.broadcast(S, a[ai + 5]), c5);
      c6 = b0.fma(FloatVector.broadcast(S, a[ai + 6]), c6);
      c7 = b0.fma(FloatVector.broadcast(S, a[ai + 7]), c7);
    }
    Objects.checkFromIndexSize(cOff, 7 * ldc + L, c.length);
    if (accumulate) {
      c0 = c0.add(FloatVector.fromArray(S, c, cOff));
      c1 = c1.add(FloatVector.fromArray(S, c, cOff + ldc));
      c2 = c2.add(FloatVector.fromArray(S, c, cOff + 2 * ldc));
      c3 = c3.add(FloatVector.fromArray(S, c, cOff + 3 * ldc));
      c4 = c4.add(FloatVector.fromArray(S, c, cOff + 4 * ldc));
      c5 = c5.add(FloatVector.fromArray(S, c, cOff + 5 * ldc));
      c6 = c6.add(FloatVector.fromArray(S, c, cOff + 6 * ldc));
      c7 = c7.add(FloatVector.fromArray(S, c, cOff + 7 * ldc));
    }
    c0.intoArray(c, cOff);
    c1.intoArray(c, cOff + ldc);
    c2.intoArray(c, cOff + 2 * ldc);
    c3.intoArray(c, cOff + 3 * ldc);
    c4.intoArray(c, cOff + 4 * ldc);
    c5.intoArray(c, cOff + 5 * ldc);
    c6.intoArray(c, cOff + 6 * ldc);
    c7.intoArray(c, cOff + 7 * ldc);
  }

  /** The 8-row kernels read B in place ({@link #tile8InPlace}); the 4-row ones only packed panels. */
  @Override
  public boolean readsBInPlace() {
    return rows == 8;
  }

  @Override
  void tileInPlace(int kc, float[] a, int aOff, float[] b, int bOff, int bStep,
      float[] c, int cOff, int ldc, boolean accumulate) {
    if (rows != 8) {
      throw new UnsupportedOperationException(this + " does not read B in place");
    }
    tile8InPlace(kc, a, aOff, b, bOff, bStep, c, cOff, ldc, accumulate);
  }

  /**
   * {@link #tile8} with B's step a parameter, for B read in place. A copy rather than one method
   * for both: C2 drops the loop's per-iteration bounds checks only where the index is the loop
   * counter times a constant, and with the step a parameter the packed kernel ran 1–3% slower
   * (tiled 3×3 layers, measured); a second loop inside one method made it too large to compile
   * without boxing the vectors (33× slower).
   */
  private static void tile8InPlace(int kc, float[] a, int aOff, float[] b, int bOff, int bStep,
      float[] c, int cOff, int ldc, boolean accumulate) {
    Objects.checkFromIndexSize(aOff, (kc - 1) * A_STEP + 8, a.length);
    Objects.checkFromIndexSize(bOff, (kc - 1) * bStep + 2 * L, b.length);
    FloatVector z = FloatVector.zero(S);
    FloatVector c00 = z, c01 = z, c10 = z, c11 = z, c20 = z, c21 = z, c30 = z, c31 = z;
    FloatVector c40 = z, c41 = z, c50 = z, c51 = z, c60 = z, c61 = z, c70 = z, c71 = z;
    for (int k = 0; k < kc; k++) {
      int ai = aOff + k * A_STEP;
      int bi = bOff + k * bStep;
      FloatVector b0 = FloatVector.fromArray(S, b, bi);
      FloatVector b1 = FloatVector.fromArray(S, b, bi + L);
      FloatVector x = FloatVector.broadcast(S, a[ai]);
      c00 = b0.fma(x, c00);
      c01 = b1.fma(x, c01);
      x = FloatVector.broadcast(S, a[ai + 1]);
      c10 = b0.fma(x, c10);
      c11 = b1.fma(x, c11);
      x = FloatVector.broadcast(S, a[ai + 2]);
      c20 = b0.fma(x, c20);
      c21 = b1.fma(x, c21);
      x = FloatVector.broadcast(S, a[ai + 3]);
      c30 = b0.fma(x, c30);
      c31 = b1.fma(x, c31);
      x = FloatVector.broadcast(S, a[ai + 4]);
      c40 = b0.fma(x, c40);
      c41 = b1.fma(x, c41);
      x = FloatVector.broadcast(S, a[ai + 5]);
      c50 = b0.fma(x, c50);
      c51 = b1.fma(x, c51);
      x = FloatVector.broadcast(S, a[ai + 6]);
      c60 = b0.fma(x, c60);
      c61 = b1.fma(x, c61);
      x = FloatVector.broadcast(S, a[ai + 7]);
      c70 = b0.fma(x, c70);
      c71 = b1.fma(x, c71);
    }
    Objects.checkFromIndexSize(cOff, 7 * ldc + 2 * L, c.length);
    if (accumulate) {
      int ci = cOff;
      c00 = c00.add(FloatVector.fromArray(S, c, ci));
      c01 = c01.add(FloatVector.fromArray(S, c, ci + L));
      ci += ldc;
      c10 = c10.add(FloatVector.fromArray(S, c, ci));
      c11 = c11.add(FloatVector.fromArray(S, c, ci + L));
      ci += ldc;
      c20 = c20.add(FloatVector.fromArray(S, c, ci));
      c21 = c21.add(FloatVector.fromArray(S, c, ci + L));
      ci += ldc;
      c30 = c30.add(FloatVector.fromArray(S, c, ci));
      c31 = c31.add(FloatVector.fromArray(S, c, ci + L));
      ci += ldc;
      c40 = c40.add(FloatVector.fromArray(S, c, ci));
      c41 = c41.add(FloatVector.fromArray(S, c, ci + L));
      ci += ldc;
      c50 = c50.add(FloatVector.fromArray(S, c, ci));
      c51 = c51.add(FloatVector.fromArray(S, c, ci + L));
      ci += ldc;
      c60 = c60.add(FloatVector.fromArray(S, c, ci));
      c61 = c61.add(FloatVector.fromArray(S, c, ci + L));
      ci += ldc;
      c70 = c70.add(FloatVector.fromArray(S, c, ci));
      c71 = c71.add(FloatVector.fromArray(S, c, ci + L));
    }
    int ci = cOff;
    c00.intoArray(c, ci);
    c01.intoArray(c, ci + L);
    ci += ldc;
    c10.intoArray(c, ci);
    c11.intoArray(c, ci + L);
    ci += ldc;
    c20.intoArray(c, ci);
    c21.intoArray(c, ci + L);
    ci += ldc;
    c30.intoArray(c, ci);
    c31.intoArray(c, ci + L);
    ci += ldc;
    c40.intoArray(c, ci);
    c41.intoArray(c, ci + L);
    ci += ldc;
    c50.intoArray(c, ci);
    c51.intoArray(c, ci + L);
    ci += ldc;
    c60.intoArray(c, ci);
    c61.intoArray(c, ci + L);
    ci += ldc;
    c70.intoArray(c, ci);
    c71.intoArray(c, ci + L);
  }

  @Override
  boolean tileWithEpilogue(int kc, float[] a, int aOff, float[] b, int bOff, float[] c, int cOff,
      int ldc, int mode, Epilogue e, int channel0, float lo, float hi) {
    if (rows != 8 || (mode != FUSE_BIAS && mode != (FUSE_BIAS | FUSE_RELU)
        && mode != (FUSE_BIAS | FUSE_CLIP))) {
      return false;
    }
    tile8Finished(kc, a, aOff, b, bOff, c, cOff, ldc, mode, e, channel0, lo, hi);
    return true;
  }

  /**
   * tile8 without accumulation, the epilogue applied to the accumulators before the one store: per
   * row the bias, then ReLU or the clip, each exactly as {@link #epilogue} computes it. Written out
   * row by row: with the per-row steps in a helper taking the two vectors, C2 did not inline it, the
   * vectors were boxed and the 1×1 layers ran 3-6× slower (measured).
   */
  private static void tile8Finished(int kc, float[] a, int aOff, float[] b, int bOff,
      float[] c, int cOff, int ldc, int mode, Epilogue e, int channel0, float lo, float hi) {
    Objects.checkFromIndexSize(aOff, (kc - 1) * A_STEP + 8, a.length);
    Objects.checkFromIndexSize(bOff, (kc - 1) * B_STEP + 2 * L, b.length);
    FloatVector z = FloatVector.zero(S);
    FloatVector c00 = z, c01 = z, c10 = z, c11 = z, c20 = z, c21 = z, c30 = z, c31 = z;
    FloatVector c40 = z, c41 = z, c50 = z, c51 = z, c60 = z, c61 = z, c70 = z, c71 = z;
    for (int k = 0; k < kc; k++) {
      int ai = aOff + k * A_STEP;
      int bi = bOff + k * B_STEP;
      FloatVector b0 = FloatVector.fromArray(S, b, bi);
      FloatVector b1 = FloatVector.fromArray(S, b, bi + L);
      FloatVector x = FloatVector.broadcast(S, a[ai]);
      c00 = b0.fma(x, c00);
      c01 = b1.fma(x, c01);
      x = FloatVector.broadcast(S, a[ai + 1]);
      c10 = b0.fma(x, c10);
      c11 = b1.fma(x, c11);
      x = FloatVector.broadcast(S, a[ai + 2]);
      c20 = b0.fma(x, c20);
      c21 = b1.fma(x, c21);
      x = FloatVector.broadcast(S, a[ai + 3]);
      c30 = b0.fma(x, c30);
      c31 = b1.fma(x, c31);
      x = FloatVector.broadcast(S, a[ai + 4]);
      c40 = b0.fma(x, c40);
      c41 = b1.fma(x, c41);
      x = FloatVector.broadcast(S, a[ai + 5]);
      c50 = b0.fma(x, c50);
      c51 = b1.fma(x, c51);
      x = FloatVector.broadcast(S, a[ai + 6]);
      c60 = b0.fma(x, c60);
      c61 = b1.fma(x, c61);
      x = FloatVector.broadcast(S, a[ai + 7]);
      c70 = b0.fma(x, c70);
      c71 = b1.fma(x, c71);
    }
    Objects.checkFromIndexSize(cOff, 7 * ldc + 2 * L, c.length);
    FloatVector zero = FloatVector.zero(S);
    FloatVector loV = FloatVector.broadcast(S, lo);
    FloatVector hiV = FloatVector.broadcast(S, hi);
    FloatVector bias;
    int ci = cOff;
    if ((mode & FUSE_RELU) != 0) {
      bias = FloatVector.broadcast(S, e.bias(channel0 + 0));
      c00 = c00.add(bias);
      c01 = c01.add(bias);
      c00 = zero.blend(c00,
          c00.compare(VectorOperators.GT, zero).or(c00.compare(VectorOperators.NE, c00)));
      c01 = zero.blend(c01,
          c01.compare(VectorOperators.GT, zero).or(c01.compare(VectorOperators.NE, c01)));
      c00.intoArray(c, ci);
      c01.intoArray(c, ci + L);
      ci += ldc;
      bias = FloatVector.broadcast(S, e.bias(channel0 + 1));
      c10 = c10.add(bias);
      c11 = c11.add(bias);
      c10 = zero.blend(c10,
          c10.compare(VectorOperators.GT, zero).or(c10.compare(VectorOperators.NE, c10)));
      c11 = zero.blend(c11,
          c11.compare(VectorOperators.GT, zero).or(c11.compare(VectorOperators.NE, c11)));
      c10.intoArray(c, ci);
      c11.intoArray(c, ci + L);
      ci += ldc;
      bias = FloatVector.broadcast(S, e.bias(channel0 + 2));
      c20 = c20.add(bias);
      c21 = c21.add(bias);
      c20 = zero.blend(c20,
          c20.compare(VectorOperators.GT, zero).or(c20.compare(VectorOperators.NE, c20)));
      c21 = zero.blend(c21,
          c21.compare(VectorOperators.GT, zero).or(c21.compare(VectorOperators.NE, c21)));
      c20.intoArray(c, ci);
      c21.intoArray(c, ci + L);
      ci += ldc;
      bias = FloatVector.broadcast(S, e.bias(channel0 + 3));
      c30 = c30.add(bias);
      c31 = c31.add(bias);
      c30 = zero.blend(c30,
          c30.compare(VectorOperators.GT, zero).or(c30.compare(VectorOperators.NE, c30)));
      c31 = zero.blend(c31,
          c31.compare(VectorOperators.GT, zero).or(c31.compare(VectorOperators.NE, c31)));
      c30.intoArray(c, ci);
      c31.intoArray(c, ci + L);
      ci += ldc;
      bias = FloatVector.broadcast(S, e.bias(channel0 + 4));
      c40 = c40.add(bias);
      c41 = c41.add(bias);
      c40 = zero.blend(c40,
          c40.compare(VectorOperators.GT, zero).or(c40.compare(VectorOperators.NE, c40)));
      c41 = zero.blend(c41,
          c41.compare(VectorOperators.GT, zero).or(c41.compare(VectorOperators.NE, c41)));
      c40.intoArray(c, ci);
      c41.intoArray(c, ci + L);
      ci += ldc;
      bias = FloatVector.broadcast(S, e.bias(channel0 + 5));
      c50 = c50.add(bias);
      c51 = c51.add(bias);
      c50 = zero.blend(c50,
          c50.compare(VectorOperators.GT, zero).or(c50.compare(VectorOperators.NE, c50)));
      c51 = zero.blend(c51,
          c51.compare(VectorOperators.GT, zero).or(c51.compare(VectorOperators.NE, c51)));
      c50.intoArray(c, ci);
      c51.intoArray(c, ci + L);
      ci += ldc;
      bias = FloatVector.broadcast(S, e.bias(channel0 + 6));
      c60 = c60.add(bias);
      c61 = c61.add(bias);
      c60 = zero.blend(c60,
          c60.compare(VectorOperators.GT, zero).or(c60.compare(VectorOperators.NE, c60)));
      c61 = zero.blend(c61,
          c61.compare(VectorOperators.GT, zero).or(c61.compare(VectorOperators.NE, c61)));
      c60.intoArray(c, ci);
      c61.intoArray(c, ci + L);
      ci += ldc;
      bias = FloatVector.broadcast(S, e.bias(channel0 + 7));
      c70 = c70.add(bias);
      c71 = c71.add(bias);
      c70 = zero.blend(c70,
          c70.compare(VectorOperators.GT, zero).or(c70.compare(VectorOperators.NE, c70)));
      c71 = zero.blend(c71,
          c71.compare(VectorOperators.GT, zero).or(c71.compare(VectorOperators.NE, c71)));
      c70.intoArray(c, ci);
      c71.intoArray(c, ci + L);
    } else if ((mode & FUSE_CLIP) != 0) {
      bias = FloatVector.broadcast(S, e.bias(channel0 + 0));
      c00 = c00.add(bias);
      c01 = c01.add(bias);
      c00 = c00.blend(loV, c00.compare(VectorOperators.LT, loV));
      c00 = c00.blend(hiV, c00.compare(VectorOperators.GT, hiV));
      c01 = c01.blend(loV, c01.compare(VectorOperators.LT, loV));
      c01 = c01.blend(hiV, c01.compare(VectorOperators.GT, hiV));
      c00.intoArray(c, ci);
      c01.intoArray(c, ci + L);
      ci += ldc;
      bias = FloatVector.broadcast(S, e.bias(channel0 + 1));
      c10 = c10.add(bias);
      c11 = c11.add(bias);
      c10 = c10.blend(loV, c10.compare(VectorOperators.LT, loV));
      c10 = c10.blend(hiV, c10.compare(VectorOperators.GT, hiV));
      c11 = c11.blend(loV, c11.compare(VectorOperators.LT, loV));
      c11 = c11.blend(hiV, c11.compare(VectorOperators.GT, hiV));
      c10.intoArray(c, ci);
      c11.intoArray(c, ci + L);
      ci += ldc;
      bias = FloatVector.broadcast(S, e.bias(channel0 + 2));
      c20 = c20.add(bias);
      c21 = c21.add(bias);
      c20 = c20.blend(loV, c20.compare(VectorOperators.LT, loV));
      c20 = c20.blend(hiV, c20.compare(VectorOperators.GT, hiV));
      c21 = c21.blend(loV, c21.compare(VectorOperators.LT, loV));
      c21 = c21.blend(hiV, c21.compare(VectorOperators.GT, hiV));
      c20.intoArray(c, ci);
      c21.intoArray(c, ci + L);
      ci += ldc;
      bias = FloatVector.broadcast(S, e.bias(channel0 + 3));
      c30 = c30.add(bias);
      c31 = c31.add(bias);
      c30 = c30.blend(loV, c30.compare(VectorOperators.LT, loV));
      c30 = c30.blend(hiV, c30.compare(VectorOperators.GT, hiV));
      c31 = c31.blend(loV, c31.compare(VectorOperators.LT, loV));
      c31 = c31.blend(hiV, c31.compare(VectorOperators.GT, hiV));
      c30.intoArray(c, ci);
      c31.intoArray(c, ci + L);
      ci += ldc;
      bias = FloatVector.broadcast(S, e.bias(channel0 + 4));
      c40 = c40.add(bias);
      c41 = c41.add(bias);
      c40 = c40.blend(loV, c40.compare(VectorOperators.LT, loV));
      c40 = c40.blend(hiV, c40.compare(VectorOperators.GT, hiV));
      c41 = c41.blend(loV, c41.compare(VectorOperators.LT, loV));
      c41 = c41.blend(hiV, c41.compare(VectorOperators.GT, hiV));
      c40.intoArray(c, ci);
      c41.intoArray(c, ci + L);
      ci += ldc;
      bias = FloatVector.broadcast(S, e.bias(channel0 + 5));
      c50 = c50.add(bias);
      c51 = c51.add(bias);
      c50 = c50.blend(loV, c50.compare(VectorOperators.LT, loV));
      c50 = c50.blend(hiV, c50.compare(VectorOperators.GT, hiV));
      c51 = c51.blend(loV, c51.compare(VectorOperators.LT, loV));
      c51 = c51.blend(hiV, c51.compare(VectorOperators.GT, hiV));
      c50.intoArray(c, ci);
      c51.intoArray(c, ci + L);
      ci += ldc;
      bias = FloatVector.broadcast(S, e.bias(channel0 + 6));
      c60 = c60.add(bias);
      c61 = c61.add(bias);
      c60 = c60.blend(loV, c60.compare(VectorOperators.LT, loV));
      c60 = c60.blend(hiV, c60.compare(VectorOperators.GT, hiV));
      c61 = c61.blend(loV, c61.compare(VectorOperators.LT, loV));
      c61 = c61.blend(hiV, c61.compare(VectorOperators.GT, hiV));
      c60.intoArray(c, ci);
      c61.intoArray(c, ci + L);
      ci += ldc;
      bias = FloatVector.broadcast(S, e.bias(channel0 + 7));
      c70 = c70.add(bias);
      c71 = c71.add(bias);
      c70 = c70.blend(loV, c70.compare(VectorOperators.LT, loV));
      c70 = c70.blend(hiV, c70.compare(VectorOperators.GT, hiV));
      c71 = c71.blend(loV, c71.compare(VectorOperators.LT, loV));
      c71 = c71.blend(hiV, c71.compare(VectorOperators.GT, hiV));
      c70.intoArray(c, ci);
      c71.intoArray(c, ci + L);
    } else {
      bias = FloatVector.broadcast(S, e.bias(channel0 + 0));
      c00 = c00.add(bias);
      c01 = c01.add(bias);
      c00.intoArray(c, ci);
      c01.intoArray(c, ci + L);
      ci += ldc;
      bias = FloatVector.broadcast(S, e.bias(channel0 + 1));
      c10 = c10.add(bias);
      c11 = c11.add(bias);
      c10.intoArray(c, ci);
      c11.intoArray(c, ci + L);
      ci += ldc;
      bias = FloatVector.broadcast(S, e.bias(channel0 + 2));
      c20 = c20.add(bias);
      c21 = c21.add(bias);
      c20.intoArray(c, ci);
      c21.intoArray(c, ci + L);
      ci += ldc;
      bias = FloatVector.broadcast(S, e.bias(channel0 + 3));
      c30 = c30.add(bias);
      c31 = c31.add(bias);
      c30.intoArray(c, ci);
      c31.intoArray(c, ci + L);
      ci += ldc;
      bias = FloatVector.broadcast(S, e.bias(channel0 + 4));
      c40 = c40.add(bias);
      c41 = c41.add(bias);
      c40.intoArray(c, ci);
      c41.intoArray(c, ci + L);
      ci += ldc;
      bias = FloatVector.broadcast(S, e.bias(channel0 + 5));
      c50 = c50.add(bias);
      c51 = c51.add(bias);
      c50.intoArray(c, ci);
      c51.intoArray(c, ci + L);
      ci += ldc;
      bias = FloatVector.broadcast(S, e.bias(channel0 + 6));
      c60 = c60.add(bias);
      c61 = c61.add(bias);
      c60.intoArray(c, ci);
      c61.intoArray(c, ci + L);
      ci += ldc;
      bias = FloatVector.broadcast(S, e.bias(channel0 + 7));
      c70 = c70.add(bias);
      c71 = c71.add(bias);
      c70.intoArray(c, ci);
      c71.intoArray(c, ci + L);
    }
  }

  private static void tile4(int kc, float[] a, int aOff, float[] b, int bOff,
      float[] c, int cOff, int ldc, boolean accumulate) {
    Objects.checkFromIndexSize(aOff, (kc - 1) * A_STEP + 4, a.length);
    Objects.checkFromIndexSize(bOff, (kc - 1) * B_STEP + 2 * L, b.length);
    FloatVector z = FloatVector.zero(S);
    FloatVector c00 = z, c01 = z, c10 = z, c11 = z, c20 = z, c21 = z, c30 = z, c31 = z;
    for (int k = 0; k < kc; k++) {
      int ai = aOff + k * A_STEP;
      int bi = bOff + k * B_STEP;
      FloatVector b0 = FloatVector.fromArray(S, b, bi);
      FloatVector b1 = FloatVector.fromArray(S, b, bi + L);
      FloatVector x = FloatVector.broadcast(S, a[ai]);
      c00 = b0.fma(x, c00);
      c01 = b1.fma(x, c01);
      x = FloatVector.broadcast(S, a[ai + 1]);
      c10 = b0.fma(x, c10);
      c11 = b1.fma(x, c11);
      x = FloatVector.broadcast(S, a[ai + 2]);
      c20 = b0.fma(x, c20);
      c21 = b1.fma(x, c21);
      x = FloatVector.broadcast(S, a[ai + 3]);
      c30 = b0.fma(x, c30);
      c31 = b1.fma(x, c31);
    }
    Objects.checkFromIndexSize(cOff, 3 * ldc + 2 * L, c.length);
    if (accumulate) {
      int ci = cOff;
      c00 = c00.add(FloatVector.fromArray(S, c, ci));
      c01 = c01.add(FloatVector.fromArray(S, c, ci + L));
      ci += ldc;
      c10 = c10.add(FloatVector.fromArray(S, c, ci));
      c11 = c11.add(FloatVector.fromArray(S, c, ci + L));
      ci += ldc;
      c20 = c20.add(FloatVector.fromArray(S, c, ci));
      c21 = c21.add(FloatVector.fromArray(S, c, ci + L));
      ci += ldc;
      c30 = c30.add(FloatVector.fromArray(S, c, ci));
      c31 = c31.add(FloatVector.fromArray(S, c, ci + L));
    }
    int ci = cOff;
    c00.intoArray(c, ci);
    c01.intoArray(c, ci + L);
    ci += ldc;
    c10.intoArray(c, ci);
    c11.intoArray(c, ci + L);
    ci += ldc;
    c20.intoArray(c, ci);
    c21.intoArray(c, ci + L);
    ci += ldc;
    c30.intoArray(c, ci);
    c31.intoArray(c, ci + L);
  }

  /**
   * One row: only two accumulators, so the FMA latency chain limits it to about a quarter of peak;
   * it serves batch-1 fully connected layers, which wait on memory for their weights anyway.
   */
  @Override
  public void row(int kc, float[] a, int aOff, float[] b, int bOff,
      float[] c, int cOff, boolean accumulate) {
    Objects.checkFromIndexSize(aOff, (kc - 1) * A_STEP + 1, a.length);
    Objects.checkFromIndexSize(bOff, (kc - 1) * B_STEP + 2 * L, b.length);
    FloatVector c0 = FloatVector.zero(S);
    FloatVector c1 = c0;
    for (int k = 0; k < kc; k++) {
      int bi = bOff + k * B_STEP;
      FloatVector x = FloatVector.broadcast(S, a[aOff + k * A_STEP]);
      c0 = FloatVector.fromArray(S, b, bi).fma(x, c0);
      c1 = FloatVector.fromArray(S, b, bi + L).fma(x, c1);
    }
    if (accumulate) {
      c0 = c0.add(FloatVector.fromArray(S, c, cOff));
      c1 = c1.add(FloatVector.fromArray(S, c, cOff + L));
    }
    c0.intoArray(c, cOff);
    c1.intoArray(c, cOff + L);
  }

  @Override
  public void copy(float[] src, int srcOff, float[] dst, int dstOff, int count) {
    int i = 0;
    for (; i <= count - L; i += L) {
      FloatVector.fromArray(S, src, srcOff + i).intoArray(dst, dstOff + i);
    }
    if (i < count) {
      VectorMask<Float> m = S.indexInRange(i, count);
      FloatVector.fromArray(S, src, srcOff + i, m).intoArray(dst, dstOff + i, m);
    }
  }

  @Override
  public void epilogue(int mode, Epilogue e, int channel0, float lo, float hi,
      float[] c, int cOff, int ldc, int rows, int cols, float[] residual, int residualOff) {
    boolean addBias = (mode & FUSE_BIAS) != 0;
    boolean addResidual = (mode & FUSE_RESIDUAL) != 0;
    boolean relu = (mode & FUSE_RELU) != 0;
    boolean clip = (mode & FUSE_CLIP) != 0;
    FloatVector zero = FloatVector.zero(S);
    FloatVector loV = FloatVector.broadcast(S, lo);
    FloatVector hiV = FloatVector.broadcast(S, hi);
    for (int r = 0; r < rows; r++) {
      FloatVector biasV = FloatVector.broadcast(S, addBias ? e.bias(channel0 + r) : 0f);
      int off = cOff + r * ldc;
      int resOff = residualOff + r * ldc;
      for (int i = 0; i < cols; i += L) {
        VectorMask<Float> m = S.indexInRange(i, cols);
        FloatVector v = FloatVector.fromArray(S, c, off + i, m);
        if (addBias) {
          v = v.add(biasV);
        }
        if (addResidual) {
          v = v.add(FloatVector.fromArray(S, residual, resOff + i, m));
        }
        if (relu) {
          // x > 0 ? x : (NaN ? x : 0), as Epilogue.activate: +0 for -0, NaN kept.
          v = zero.blend(v, v.compare(VectorOperators.GT, zero).or(v.compare(VectorOperators.NE, v)));
        } else if (clip) {
          v = v.blend(loV, v.compare(VectorOperators.LT, loV));
          v = v.blend(hiV, v.compare(VectorOperators.GT, hiV));
        }
        v.intoArray(c, off + i, m);
      }
    }
  }
}
