package dev.kiln.runtime.kernels.fast;

import dev.kiln.runtime.kernels.simd.Vectorization;
import java.lang.invoke.MethodHandles;

/**
 * The hot loop of {@link Pooling}: one output row segment whose windows lie inside the input. The
 * scalar implementation ({@link ScalarPoolOps}) and the Vector API one (java21 layer, {@code
 * VectorPoolOps}) visit each window's taps in the reference's row-major order and do its float
 * operations, so both give {@link dev.kiln.runtime.kernels.reference.ReferencePool}'s results bit
 * for bit (NaN payloads aside).
 */
interface PoolOps {
  /**
   * {@code out[outOff + x] = max over i < kh, j < kw of in[inOff + i·inStride + stride·x + j]} for
   * {@code x < count}, by the reference's update {@code v > max || isNaN(v) ? v : max} from −∞.
   * {@code stride} is 1 or 2; every input index named is in range, and a vector implementation may
   * read past the last one while it stays inside the array.
   */
  void maxRow(int kh, int kw, int stride, float[] in, int inOff, int inStride, float[] out,
      int outOff, int count);

  /**
   * {@link #maxRow} on {@code rows} consecutive output rows: row r's windows start at {@code inOff +
   * r·stride·inStride}, its outputs at {@code outOff + r·outStride}. An implementation may share the
   * input rows that consecutive output rows' windows have in common, taking each window's row
   * maxima first and then their maximum in row order: the same value as the reference's row-major
   * walk, with the same signed zero (the first occurrence of the maximum wins either way) and NaN
   * (the last one).
   */
  default void maxRows(int kh, int kw, int stride, float[] in, int inOff, int inStride, int rows,
      float[] out, int outOff, int outStride, int count) {
    for (int r = 0; r < rows; r++) {
      maxRow(kh, kw, stride, in, inOff + r * stride * inStride, inStride, out,
          outOff + r * outStride, count);
    }
  }

  /** The same windows summed from 0 in row-major order, then divided by {@code divisor}. */
  void averageRow(int kh, int kw, int stride, float[] in, int inOff, int inStride, int divisor,
      float[] out, int outOff, int count);

  /** The implementation this JVM uses: the Vector API one when available, else the scalar one. */
  static PoolOps get() {
    return Holder.INSTANCE;
  }

  /** Lazy holder: the Vector API check runs on first use of a pooling kernel. */
  final class Holder {
    private Holder() {}

    static final PoolOps INSTANCE = Vectorization.load(MethodHandles.lookup(),
        PoolOps.class, "dev.kiln.runtime.kernels.fast.VectorPoolOps", ScalarPoolOps::new);
  }
}
