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
public final class Interpolation {
  private Interpolation() {}

  /**
   * What the kernels need for one node, computed once from the shapes and scales (at compile time:
   * the scales or sizes of a node Kiln accepts are known then), in {@link ReferenceResize}'s flat
   * layout: each table holds every axis's entries one axis after another. Offsets are input indices
   * times the input stride. Nearest uses {@code low} alone; linear weighs {@code low} and
   * {@code high}, with {@code weights} holding the low neighbours' weights and then the high ones'.
   *
   * @param high {@code null} for nearest; likewise {@code weights}
   */
  public record Tables(boolean nearest, int[] outDims, int[] low, int[] high, float[] weights) {
    public Tables {
      outDims = outDims.clone();
      low = low.clone();
      high = high == null ? null : high.clone();
      weights = weights == null ? null : weights.clone();
    }

    @Override
    public int[] outDims() {
      return outDims.clone();
    }

    @Override
    public int[] low() {
      return low.clone();
    }

    @Override
    public int[] high() {
      return high == null ? null : high.clone();
    }

    @Override
    public float[] weights() {
      return weights == null ? null : weights.clone();
    }
  }

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
    int tableLength = 0;
    for (int d : out.dims()) {
      tableLength += d;
    }
    int[] low = new int[tableLength];
    if (mode == Mode.NEAREST || unchanged) {
      int table = 0;
      for (int a = 0; a < rank; a++) {
        nearestOffsets(transformation, nearestMode, scales[a], in.dim(a), out.dim(a), inStrides[a],
            unchanged, low, table);
        table += out.dim(a);
      }
      return new Tables(true, out.dims(), low, null, null);
    }
    if (mode != Mode.LINEAR) {
      throw new AssertionError(mode);
    }
    int[] high = new int[tableLength];
    float[] weights = new float[2 * tableLength];
    int table = 0;
    for (int a = 0; a < rank; a++) {
      linearTaps(transformation, scales[a], in.dim(a), out.dim(a), inStrides[a], low, high, weights,
          table, tableLength + table);
      table += out.dim(a);
    }
    return new Tables(false, out.dims(), low, high, weights);
  }

  /** Runs the reference kernel over {@code x} with tables made for its shape. */
  static Tensor resize(Tables t, Tensor x) {
    Shape out = Shape.of(t.outDims);
    float[] result = new float[out.elementCount()];
    if (t.nearest()) {
      ReferenceResize.nearest(t.outDims, t.low, x.toFloatArray(), 0, result, 0);
    } else {
      ReferenceResize.linear(t.outDims, t.low, t.high, t.weights, 0, x.toFloatArray(), 0, result,
          0);
    }
    return Tensor.adopt(out, result);
  }

  private static boolean identity(float scale, int inLength, int outLength) {
    return scale == 1f && inLength == outLength;
  }

  /**
   * Each output index's input index along one axis, times the input stride, written to
   * {@code offsets} from {@code table}.
   */
  private static void nearestOffsets(CoordinateTransformation transformation,
      NearestMode nearestMode, float scale, int inLength, int outLength, int stride,
      boolean unchanged, int[] offsets, int table) {
    for (int o = 0; o < outLength; o++) {
      long index;
      if (unchanged || identity(scale, inLength, outLength)) {
        index = o;
      } else {
        float original = transformation.original(o, scale, outLength, inLength);
        index = Math.max(0, Math.min(inLength - 1, nearestMode.pick(original, scale < 1f)));
      }
      offsets[table + o] = (int) index * stride;
    }
  }

  /**
   * The two neighbours of each output index along one axis and their weights. The coordinate is
   * clamped into [0, L − 1]; low = ⌊c⌋, high = min(low + 1, L − 1); low weighs |c − high| and high
   * weighs |c − low|, except at the last index where both weigh ½ (as ONNX Runtime has it).
   * Written to the offset tables and the low weights from {@code table}, to the high weights from
   * {@code highWeights}.
   */
  private static void linearTaps(CoordinateTransformation transformation, float scale,
      int inLength, int outLength, int stride, int[] low, int[] high, float[] weights, int table,
      int highWeights) {
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
      low[table + o] = lo * stride;
      high[table + o] = hi * stride;
      weights[table + o] = dHigh;
      weights[highWeights + o] = dLow;
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
