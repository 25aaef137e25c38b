package dev.kiln.compiler.ops;

import dev.kiln.compiler.ir.Arity;
import dev.kiln.compiler.ir.Attributes;
import dev.kiln.compiler.ir.Cost;
import dev.kiln.compiler.ir.CostContext;
import dev.kiln.compiler.ir.DType;
import dev.kiln.compiler.ir.InferenceContext;
import dev.kiln.compiler.ir.Op;
import dev.kiln.compiler.ir.OpException;
import dev.kiln.compiler.ir.Shape;
import dev.kiln.compiler.ir.Tensor;
import dev.kiln.compiler.ir.TensorType;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * Resize (opsets 10, 11, 13, 18, 19) of a float32 tensor, nearest or N-linear, on any axes.
 *
 * <p>Inputs: opset 10 has {@code (X, scales)}; from 11 {@code (X, roi, scales, sizes)} where exactly
 * one of scales and sizes is given (an empty tensor counts as absent), and it must be known at
 * compile time because it decides the output shape. The roi only matters for
 * {@code tf_crop_and_resize}, which Kiln rejects, so it is ignored.
 *
 * <p>Output length per resized axis: from a scale s, ⌊s·L⌋ (in float32); from a size, the size, with
 * the scale taken as size/L. With {@code keep_aspect_ratio_policy} (18) {@code not_larger} or
 * {@code not_smaller} one scale, the smallest or largest size/L over the resized axes, applies to
 * all of them and each length becomes round(s·L). {@code axes} (18) says which axes the scales or
 * sizes are for; the others keep their length.
 *
 * <p>Sampling follows ONNX Runtime where the spec leaves room: an axis whose scale is exactly 1 is
 * copied whatever the coordinate mode, so is the whole tensor when no length changes, and the
 * round-half nearest modes treat coordinates within 1e-6 of a half as ties. Opset 10 samples like
 * Upsample: asymmetric coordinates, nearest truncating when upsampling and rounding up when
 * downsampling. Cubic interpolation, antialiasing and {@code tf_crop_and_resize} are rejected when
 * the node is imported.
 *
 * @param axes the {@code axes} attribute (opset 18+), or {@code null} for all axes
 * @param legacyInputs opset 10's {@code (X, scales)} inputs and fixed sampling rules
 */
public record Resize(Mode mode, CoordinateTransformation transformation, NearestMode nearestMode,
    AspectRatioPolicy keepAspectRatioPolicy, List<Long> axes, boolean legacyInputs) implements Op {
  public static final String TYPE = "Resize";

  /** {@code mode}. */
  public enum Mode {
    NEAREST, LINEAR, CUBIC;

    static Mode parse(String name) {
      for (Mode m : values()) {
        if (m.onnxName().equals(name)) {
          return m;
        }
      }
      throw new OpException("mode '" + name + "' is unknown (nearest, linear, cubic)");
    }

    String onnxName() {
      return name().toLowerCase(Locale.ROOT);
    }
  }

  /**
   * {@code coordinate_transformation_mode}: where output coordinate x lies in the input, with s the
   * scale, L the input length and M the output length.
   */
  public enum CoordinateTransformation {
    /** (x + ½)/s − ½. */
    HALF_PIXEL,
    /** Half-pixel, re-centred for the output length rounded down (opset 19). */
    HALF_PIXEL_SYMMETRIC,
    /** Half-pixel, except 0 when M = 1. */
    PYTORCH_HALF_PIXEL,
    /** x·(L − 1)/(M − 1), and 0 when M = 1. */
    ALIGN_CORNERS,
    /** x/s: opset 10 and Upsample always use it. */
    ASYMMETRIC,
    /** (x + ½)/s. */
    TF_HALF_PIXEL_FOR_NN,
    /** Needs the roi input: rejected. */
    TF_CROP_AND_RESIZE;

    static CoordinateTransformation parse(String name) {
      for (CoordinateTransformation c : values()) {
        if (c.onnxName().equals(name)) {
          return c;
        }
      }
      throw new OpException("coordinate_transformation_mode '" + name + "' is unknown");
    }

    String onnxName() {
      return name().toLowerCase(Locale.ROOT);
    }

    float original(float x, float scale, float lengthResized, float lengthOriginal) {
      switch (this) {
        case HALF_PIXEL:
          return ((x + 0.5f) / scale) - 0.5f;
        case HALF_PIXEL_SYMMETRIC: {
          float outputWidth = scale * lengthOriginal;
          float adjustment = lengthResized / outputWidth;
          float center = lengthOriginal / 2;
          float offset = center * (1 - adjustment);
          // In double from here, as ONNX Runtime does.
          return (float) (offset + (x + 0.5) / scale - 0.5);
        }
        case PYTORCH_HALF_PIXEL:
          return lengthResized > 1 ? (x + 0.5f) / scale - 0.5f : 0f;
        case ALIGN_CORNERS:
          return lengthResized == 1 ? 0f : x * (lengthOriginal - 1) / (lengthResized - 1);
        case ASYMMETRIC:
          return x / scale;
        case TF_HALF_PIXEL_FOR_NN:
          return (x + 0.5f) / scale;
        default:
          throw new AssertionError(this);
      }
    }
  }

  /** {@code nearest_mode}: which input index a fractional coordinate picks. */
  public enum NearestMode {
    ROUND_PREFER_FLOOR, ROUND_PREFER_CEIL, FLOOR, CEIL,
    /** Opset 10 and Upsample, which have no nearest_mode: ceil when downsampling, else truncate. */
    LEGACY;

    static NearestMode parse(String name) {
      for (NearestMode n : values()) {
        if (n != LEGACY && n.onnxName().equals(name)) {
          return n;
        }
      }
      throw new OpException("nearest_mode '" + name + "' is unknown"
          + " (round_prefer_floor, round_prefer_ceil, floor, ceil)");
    }

    String onnxName() {
      return name().toLowerCase(Locale.ROOT);
    }

    long pick(float x, boolean downsampling) {
      switch (this) {
        case ROUND_PREFER_FLOOR:
          return isHalf(x) ? (long) Math.floor(x) : roundHalfAway(x);
        case ROUND_PREFER_CEIL:
          return isHalf(x) ? (long) Math.ceil(x) : roundHalfAway(x);
        case FLOOR:
          return (long) Math.floor(x);
        case CEIL:
          return (long) Math.ceil(x);
        case LEGACY:
          return downsampling ? (long) Math.ceil(x) : (long) x;
        default:
          throw new AssertionError(this);
      }
    }

    /**
     * Whether x is a tie between two indices. Within 1e-6 of a half counts as one, as in ONNX
     * Runtime 1.29: the float32 coordinate transformation misses exact halves by an ulp or two
     * (20 → 6 with half_pixel gives 14.499999 where the exact value is 14.5).
     */
    private static boolean isHalf(float x) {
      float fraction = x - (float) Math.floor(x);
      return Math.abs(fraction - 0.5f) <= 1e-6f;
    }

    /** C's {@code round}: halves go away from zero (Java's Math.round sends them up). */
    private static long roundHalfAway(float x) {
      double r = Math.floor(Math.abs((double) x) + 0.5);
      return (long) (x < 0 ? -r : r);
    }
  }

  /** {@code keep_aspect_ratio_policy} (opset 18). */
  public enum AspectRatioPolicy {
    STRETCH, NOT_LARGER, NOT_SMALLER;

    static AspectRatioPolicy parse(String name) {
      for (AspectRatioPolicy p : values()) {
        if (p.name().toLowerCase(Locale.ROOT).equals(name)) {
          return p;
        }
      }
      throw new OpException("keep_aspect_ratio_policy '" + name
          + "' is unknown (stretch, not_larger, not_smaller)");
    }
  }

  public Resize {
    axes = axes == null ? null : List.copyOf(axes);
  }

  public static Resize fromAttributes(Attributes a, int opset) {
    if (opset < 10) {
      throw new OpException("Resize needs opset 10 or later (use Upsample before)");
    }
    if (opset == 10) {
      a.requireOnly("mode");
      Mode mode = supportedMode(a.getString("mode", "nearest"));
      return new Resize(mode, CoordinateTransformation.ASYMMETRIC, NearestMode.LEGACY,
          AspectRatioPolicy.STRETCH, null, true);
    }
    if (opset < 18) {
      a.requireOnly("mode", "coordinate_transformation_mode", "nearest_mode", "cubic_coeff_a",
          "exclude_outside", "extrapolation_value");
    } else {
      a.requireOnly("mode", "coordinate_transformation_mode", "nearest_mode", "cubic_coeff_a",
          "exclude_outside", "extrapolation_value", "antialias", "axes",
          "keep_aspect_ratio_policy");
    }
    Mode mode = supportedMode(a.getString("mode", "nearest"));
    CoordinateTransformation transformation = CoordinateTransformation.parse(
        a.getString("coordinate_transformation_mode", "half_pixel"));
    if (transformation == CoordinateTransformation.TF_CROP_AND_RESIZE) {
      throw new OpException("coordinate_transformation_mode 'tf_crop_and_resize' is not supported"
          + " (Kiln does not crop by a region of interest)");
    }
    if (transformation == CoordinateTransformation.HALF_PIXEL_SYMMETRIC && opset < 19) {
      throw new OpException("coordinate_transformation_mode 'half_pixel_symmetric' needs opset 19"
          + " or later");
    }
    if (a.getInt("antialias", 0) != 0) {
      throw new OpException("antialias=1 is not supported");
    }
    if (a.getInt("exclude_outside", 0) != 0) {
      throw new OpException("exclude_outside=1 only applies to cubic interpolation, which is not"
          + " supported");
    }
    return new Resize(mode, transformation,
        NearestMode.parse(a.getString("nearest_mode", "round_prefer_floor")),
        AspectRatioPolicy.parse(a.getString("keep_aspect_ratio_policy", "stretch")),
        Axes.list(a.getLongs("axes")), false);
  }

  static Mode supportedMode(String name) {
    Mode mode = Mode.parse(name);
    if (mode == Mode.CUBIC) {
      throw new OpException("mode 'cubic' is not supported (nearest and linear are)");
    }
    return mode;
  }

  @Override
  public String type() {
    return TYPE;
  }

  @Override
  public Arity arity() {
    return legacyInputs ? Arity.of(2, 1) : Arity.inputs(2, 4);
  }

  @Override
  public Attributes attributes() {
    Attributes.Builder b = Attributes.builder();
    if (mode != Mode.NEAREST) {
      b.putString("mode", mode.onnxName());
    }
    if (legacyInputs) {
      return b.build();
    }
    if (transformation != CoordinateTransformation.HALF_PIXEL) {
      b.putString("coordinate_transformation_mode", transformation.onnxName());
    }
    if (nearestMode != NearestMode.ROUND_PREFER_FLOOR) {
      b.putString("nearest_mode", nearestMode.onnxName());
    }
    if (keepAspectRatioPolicy != AspectRatioPolicy.STRETCH) {
      b.putString("keep_aspect_ratio_policy",
          keepAspectRatioPolicy.name().toLowerCase(Locale.ROOT));
    }
    b.putLongs("axes", Axes.array(axes));
    return b.build();
  }

  /** The output shape and the per-axis scales the coordinate transformation uses. */
  public record Plan(Shape output, float[] scales) {}

  /**
   * Works out the output shape and scales.
   *
   * @param scales the scales given (one per resized axis), or {@code null}
   * @param sizes the sizes given (one per resized axis), or {@code null}
   */
  public Plan plan(Shape in, float[] scales, long[] sizes) {
    int rank = in.rank();
    if (rank == 0) {
      throw new OpException("cannot resize a scalar");
    }
    if ((scales == null) == (sizes == null)) {
      throw new OpException(scales == null
          ? "needs scales or sizes (neither is given)"
          : "takes scales or sizes, not both");
    }
    int[] resized = axes == null ? allAxes(rank) : Axes.normalize(Axes.array(axes), rank);
    int given = scales != null ? scales.length : sizes.length;
    if (given != resized.length) {
      throw new OpException((scales != null ? "scales " + Arrays.toString(scales)
          : "sizes " + Arrays.toString(sizes)) + " must have " + resized.length
          + " entries, one per " + (axes == null ? "axis of the input " + in : "axis in axes " + axes));
    }
    float[] axisScales = new float[rank];
    int[] out = in.dims();
    Arrays.fill(axisScales, 1f);
    if (scales != null) {
      for (int i = 0; i < resized.length; i++) {
        int a = resized[i];
        if (!(scales[i] > 0f)) {
          throw new OpException("scales " + Arrays.toString(scales) + " must be positive");
        }
        axisScales[a] = scales[i];
        out[a] = Interpolation.scaledLength(scales[i], in.dim(a));
      }
      return new Plan(Shape.of(out), axisScales);
    }
    for (int i = 0; i < resized.length; i++) {
      int a = resized[i];
      if (sizes[i] < 0 || sizes[i] > Shape.MAX_ELEMENTS) {
        throw new OpException("sizes " + Arrays.toString(sizes) + " has an invalid size");
      }
      int length = in.dim(a);
      if (length == 0) {
        if (sizes[i] != 0) {
          throw new OpException("axis " + a + " of " + in + " is empty and cannot be resized to "
              + sizes[i]);
        }
        continue;
      }
      out[a] = (int) sizes[i];
      axisScales[a] = (float) sizes[i] / (float) length;
    }
    if (keepAspectRatioPolicy != AspectRatioPolicy.STRETCH) {
      float common = keepAspectRatioPolicy == AspectRatioPolicy.NOT_LARGER
          ? Float.MAX_VALUE
          : Float.MIN_VALUE;
      for (int a : resized) {
        common = keepAspectRatioPolicy == AspectRatioPolicy.NOT_LARGER
            ? Math.min(common, axisScales[a])
            : Math.max(common, axisScales[a]);
      }
      for (int a : resized) {
        axisScales[a] = common;
        // round(s·L), halves up; the product is in float32 as in ONNX Runtime.
        out[a] = (int) Math.floor((double) (common * (float) in.dim(a)) + 0.5);
      }
    }
    return new Plan(Shape.of(out), axisScales);
  }

  private static int[] allAxes(int rank) {
    int[] all = new int[rank];
    for (int i = 0; i < rank; i++) {
      all[i] = i;
    }
    return all;
  }

  /** The index of the {@code scales} input. */
  public int scalesIndex() {
    return legacyInputs ? 1 : 2;
  }

  /** The index of the {@code sizes} input, or −1 at opset 10, which has none. */
  public int sizesIndex() {
    return legacyInputs ? -1 : 3;
  }

  /** The scales and sizes inputs as the plan takes them: empty tensors count as absent. */
  private Plan plan(Shape in, TensorType scalesType, Tensor scales, TensorType sizesType,
      Tensor sizes) {
    float[] s = null;
    long[] z = null;
    if (scalesType != null && scalesType.elementCount() > 0) {
      if (scalesType.dtype() != DType.FLOAT32 || scalesType.rank() != 1) {
        throw new OpException("scales must be a 1-D float32 tensor, got " + scalesType);
      }
      s = scales.toFloatArray();
    }
    if (sizesType != null && sizesType.elementCount() > 0) {
      if (sizesType.dtype() != DType.INT64 || sizesType.rank() != 1) {
        throw new OpException("sizes must be a 1-D int64 tensor, got " + sizesType);
      }
      z = sizes.toLongArray();
    }
    return plan(in, s, z);
  }

  @Override
  public List<TensorType> inferTypes(InferenceContext ctx) {
    TensorType x = ctx.inputType(0);
    if (x.dtype() != DType.FLOAT32) {
      throw new OpException("expects a float32 input, got " + x.dtype());
    }
    int si = scalesIndex();
    TensorType scalesType = ctx.hasInput(si) ? ctx.inputType(si) : null;
    TensorType sizesType = !legacyInputs && ctx.hasInput(3) ? ctx.inputType(3) : null;
    Tensor scales = scalesType != null && scalesType.elementCount() > 0
        ? ctx.requireKnown(si, "scales")
        : null;
    Tensor sizes = sizesType != null && sizesType.elementCount() > 0
        ? ctx.requireKnown(3, "sizes")
        : null;
    return List.of(x.withShape(plan(x.shape(), scalesType, scales, sizesType, sizes).output()));
  }

  /**
   * The kernel's tables for resizing an input of shape {@code in}.
   *
   * @param scales the {@code scales} input's value, or {@code null} when absent; likewise sizes
   */
  public Interpolation.Tables tables(Shape in, Tensor scales, Tensor sizes) {
    Plan p = plan(in, scales == null ? null : scales.type(), scales,
        sizes == null ? null : sizes.type(), sizes);
    return Interpolation.tables(mode, transformation, nearestMode, p.scales(), in, p.output());
  }

  @Override
  public Tensor[] evaluate(Tensor[] inputs, TensorType[] outputTypes) {
    int si = scalesIndex();
    Tensor scales = si < inputs.length ? inputs[si] : null;
    Tensor sizes = !legacyInputs && inputs.length > 3 ? inputs[3] : null;
    return new Tensor[] {Interpolation.resize(tables(inputs[0].shape(), scales, sizes), inputs[0])};
  }

  @Override
  public Cost cost(CostContext ctx) {
    return mode == Mode.LINEAR
        ? ctx.movementCost(linearFlops(ctx.inputType(0).shape(), ctx.outputType(0).shape()))
        : ctx.movementCost(0);
  }

  /**
   * N-linear interpolation over k resized axes sums 2^k weighted taps per output: 2^k multiplies
   * and 2^k − 1 adds, counted as 2^(k+1) − 1 FLOPs (the tap weights are precomputed).
   */
  static long linearFlops(Shape in, Shape out) {
    int resized = 0;
    for (int a = 0; a < in.rank(); a++) {
      if (in.dim(a) != out.dim(a)) {
        resized++;
      }
    }
    return resized == 0 ? 0 : ((2L << resized) - 1) * out.elementCount();
  }
}
