package dev.kiln.compiler.ops;

import dev.kiln.compiler.ir.OpException;
import dev.kiln.compiler.ir.Shape;
import dev.kiln.compiler.ir.Tensor;
import dev.kiln.compiler.ops.Resize.CoordinateTransformation;
import dev.kiln.compiler.ops.Resize.Mode;
import dev.kiln.compiler.ops.Resize.NearestMode;
import dev.kiln.runtime.kernels.reference.ReferenceResize;

/**
 * The sampling rules of Resize and Upsample, and the per-axis tables they hand the kernels. The
 * arithmetic follows ONNX Runtime's CPU kernel step by step, in float32 where it computes in float32,
 * so that nearest-neighbour picks (which flip on the last bit of a coordinate) agree with it.
 */
final class Interpolation {
  private Interpolation() {}

  /**
   * What the kernels need for one node, computed once from the shapes and scales (at compile time:
   * the scales or sizes of a node Kiln accepts are known then). Offsets are input indices times the
   * input stride. Nearest uses {@code low} alone; linear weighs {@code low} and {@code high}.
   */
  record Tables(boolean nearest, int[] outDims, int[][] low, int[][] high, float[][] lowWeights,
      float[][] highWeights) {}

  /**
   * The tables for resizing {@code in} to {@code out}.
   *
   * @param scales per axis, the scale given or derived from the sizes; it enters the coordinate
   *     transformation, and an axis with scale exactly 1 is copied unchanged
   */
  static Tables tables(Mode mode, CoordinateTransformation transformation, NearestMode nearestMode,
      float[] scales, Shape in, Shape out) {
    int rank = in.rank();
    int[] inStrides = in.strides();
    // ONNX Runtime copies the input when no dimension changes, whatever the scales say.
    boolean unchanged = in.equals(out);
    if (mode == Mode.NEAREST || unchanged) {
      int[][] offsets = new int[rank][];
      for (int a = 0; a < rank; a++) {
        offsets[a] = nearestOffsets(transformation, nearestMode, scales[a], in.dim(a), out.dim(a),
            inStrides[a], unchanged);
      }
      return new Tables(true, out.dims(), offsets, null, null, null);
    }
    if (mode != Mode.LINEAR) {
      throw new AssertionError(mode);
    }
    int[][] low = new int[rank][];
    int[][] high = new int[rank][];
    float[][] lowWeights = new float[rank][];
    float[][] highWeights = new float[rank][];
    for (int a = 0; a < rank; a++) {
      int m = out.dim(a);
      low[a] = new int[m];
      high[a] = new int[m];
      lowWeights[a] = new float[m];
      highWeights[a] = new float[m];
      linearTaps(transformation, scales[a], in.dim(a), inStrides[a], low[a], high[a], lowWeights[a],
          highWeights[a]);
    }
    return new Tables(false, out.dims(), low, high, lowWeights, highWeights);
  }

  /** Runs the reference kernel over {@code x} with tables made for its shape. */
  static Tensor resize(Tables t, Tensor x) {
    Shape out = Shape.of(t.outDims());
    float[] result = new float[out.elementCount()];
    if (t.nearest()) {
      ReferenceResize.nearest(t.outDims(), t.low(), x.toFloatArray(), 0, result, 0);
    } else {
      ReferenceResize.linear(t.outDims(), t.low(), t.high(), t.lowWeights(), t.highWeights(),
          x.toFloatArray(), 0, result, 0);
    }
    return Tensor.adopt(out, result);
  }

  private static boolean identity(float scale, int inLength, int outLength) {
    return scale == 1f && inLength == outLength;
  }

  /** Each output index's input index along one axis, times the input stride. */
  private static int[] nearestOffsets(CoordinateTransformation transformation,
      NearestMode nearestMode, float scale, int inLength, int outLength, int stride,
      boolean unchanged) {
    int[] offsets = new int[outLength];
    for (int o = 0; o < outLength; o++) {
      long index;
      if (unchanged || identity(scale, inLength, outLength)) {
        index = o;
      } else {
        float original = transformation.original(o, scale, outLength, inLength);
        index = Math.max(0, Math.min(inLength - 1, nearestMode.pick(original, scale < 1f)));
      }
      offsets[o] = (int) index * stride;
    }
    return offsets;
  }

  /**
   * The two neighbours of each output index along one axis and their weights. The coordinate is
   * clamped into [0, L − 1]; low = ⌊c⌋, high = min(low + 1, L − 1); low weighs |c − high| and high
   * weighs |c − low|, except at the last index where both weigh ½ (as ONNX Runtime has it).
   */
  private static void linearTaps(CoordinateTransformation transformation, float scale,
      int inLength, int stride, int[] low, int[] high, float[] lowWeights, float[] highWeights) {
    int outLength = low.length;
    for (int o = 0; o < outLength; o++) {
      float c = identity(scale, inLength, outLength)
          ? o
          : transformation.original(o, scale, outLength, inLength);
      c = Math.max(0f, Math.min(c, inLength - 1));
      int lo = Math.min((int) c, inLength - 1);
      int hi = Math.min(lo + 1, inLength - 1);
      float dLow = Math.abs(c - lo);
      float dHigh = Math.abs(c - hi);
      if (lo == hi) {
        dLow = 0.5f;
        dHigh = 0.5f;
      }
      low[o] = lo * stride;
      high[o] = hi * stride;
      lowWeights[o] = dHigh;
      highWeights[o] = dLow;
    }
  }

  /** ⌊scale · length⌋ in float32, as ONNX Runtime computes an output dimension from a scale. */
  static int scaledLength(float scale, int length) {
    float product = scale * (float) length;
    if (!(product < Shape.MAX_ELEMENTS)) {
      throw new OpException("scale " + scale + " makes a dimension of " + length + " too large");
    }
    return (int) product;
  }
}
