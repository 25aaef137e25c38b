package dev.kiln.runtime.kernels.conv;

import dev.kiln.runtime.kernels.ConvShape;
import dev.kiln.runtime.kernels.simd.Vectorization;
import java.lang.invoke.MethodHandles;

/**
 * The hot loop of {@link DepthwiseConv}: one output row segment (or a band flattened into one) over
 * a zero-padded input band, with the common epilogues (bias, ReLU, ReLU6-style clip) applied in
 * registers before the store. The scalar implementation ({@link ScalarDepthwiseOps}) and the Vector
 * API one (java21 layer, {@code VectorDepthwiseOps}) perform the same float operations in the same
 * order, so they give bit-identical results.
 */
interface DepthwiseOps {
  /** {@code fuse} flag: add {@code bias} to each sum. */
  int BIAS = 1;
  /** {@code fuse} flag: then {@code max(v, +0)}, the reference ReLU. */
  int RELU = 2;
  /** {@code fuse} flag: then {@code v < lo ? lo : (v > hi ? hi : v)}, the reference CLIP. */
  int CLIP = 4;

  /**
   * {@code out[outOff + x] = epilogue(Σ_{i<k} Σ_{j<k} w[wOff + i·k + j] · in[inOff + i·inStride +
   * stride·x + j])} for {@code x < count}: the sum accumulated from 0 with one fused multiply-add
   * per tap in row-major order, then the {@code fuse} steps in the order of their flags' values.
   * {@code k} is 3 or 5, {@code stride} 1 or 2; every input index named is in range, and a vector
   * implementation may read past the last one while it stays inside the array.
   */
  void row(int k, int stride, float[] in, int inOff, int inStride, float[] w, int wOff, int fuse,
      float bias, float lo, float hi, float[] out, int outOff, int count);

  /**
   * Whether {@link DepthwiseConv} should use {@link #plane} and {@link #phasePlane} where the shape
   * allows them.
   */
  boolean wholePlanes();

  /**
   * A whole 3×3 stride-1 plane whose output rows are as wide as its input rows ({@code outW == inW},
   * the "same" padding of MobileNet's 7×7 to 28×28 depthwise layers): output {@code q = y·W + x} is
   * {@code epilogue(Σ_{i<3} Σ_{j<3} w[wOff + 3i + j] · v)}, where v is {@code in[inOff + q + (i −
   * padTop)·W + j − padLeft]} when that tap lies inside the input and 0 otherwise, summed as {@link
   * #row} sums, so the two paths agree bit for bit. A tap's input index is the output index plus a
   * constant: the plane is one flat run of outputs, with no padded copy and no call per row; taps
   * cut by the border are masked. Bit {@code l} of {@code masks[masksOff + (q / 16)·9 + 3i + j]} (an
   * integer below 2^16 stored as a float) says whether tap (i, j) of output {@code 16·(q / 16) + l}
   * lies inside the input ({@link FlatTaps#masks}).
   */
  void plane(ConvShape s, float[] in, int inOff, float[] w, int wOff, float[] masks, int masksOff,
      int fuse, float bias, float lo, float hi, float[] out, int outOff);

  /**
   * A whole 3×3 stride-2 {@link PhaseTaps} plane (MobileNet-V2's 56→28 layer): output {@code q =
   * y·outW + x} is {@code epilogue(Σ_{i<3} Σ_{j<3} w[wOff + 3i + j] · v)}, where v is {@code
   * in[inOff + (2y − padTop + i)·inW + 2x − padLeft + j]} when that tap lies inside the input and 0
   * otherwise, summed as {@link #row} sums, so the paths agree bit for bit. {@code masks} at {@code
   * masksOff} is the plane's {@link PhaseTaps#masks} table; {@code scratch} holds {@link
   * PhaseTaps#scratchFloats} floats from {@code scratchOff} for the phase planes.
   */
  void phasePlane(ConvShape s, float[] in, int inOff, float[] w, int wOff, float[] masks,
      int masksOff, float[] scratch, int scratchOff, int fuse, float bias, float lo, float hi,
      float[] out, int outOff);

  /** The implementation this JVM uses: the Vector API one when available, else the scalar one. */
  static DepthwiseOps get() {
    return Holder.INSTANCE;
  }

  /** Lazy holder: the Vector API check runs on first use of the depthwise kernel. */
  final class Holder {
    private Holder() {}

    static final DepthwiseOps INSTANCE = Vectorization.load(MethodHandles.lookup(),
        DepthwiseOps.class, "dev.kiln.runtime.kernels.conv.VectorDepthwiseOps",
        ScalarDepthwiseOps::new);
  }
}
