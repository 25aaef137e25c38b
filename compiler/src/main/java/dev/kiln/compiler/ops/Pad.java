package dev.kiln.compiler.ops;

import dev.kiln.compiler.ir.Arity;
import dev.kiln.compiler.ir.Attributes;
import dev.kiln.compiler.ir.DType;
import dev.kiln.compiler.ir.InferenceContext;
import dev.kiln.compiler.ir.Op;
import dev.kiln.compiler.ir.OpException;
import dev.kiln.compiler.ir.Shape;
import dev.kiln.compiler.ir.Tensor;
import dev.kiln.compiler.ir.TensorType;
import dev.kiln.runtime.kernels.reference.ReferencePad;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * Pad (opsets 2, 11, 13, 18, 19, 21): adds {@code pads} elements before and after each axis, or
 * removes them where a pad is negative. {@code pads} is {@code [x1_begin, x2_begin, …, x1_end,
 * x2_end, …]}: an attribute with {@code value} before opset 11; from 11 an input that must be known
 * at compile time, with an optional scalar {@code constant_value} input (default 0, may be computed
 * at run time); from 18 an optional {@code axes} input says which axes the pads are for.
 *
 * <p>Modes: {@code constant} (default), {@code reflect}, {@code edge}, and {@code wrap} (opset 19).
 * Negative pads crop before anything is padded; see {@link ReferencePad} for what each mode reads.
 *
 * @param padsAttribute the {@code pads} attribute (opset &lt; 11), else {@code null}
 * @param valueAttribute the {@code value} attribute (opset &lt; 11), else 0
 */
public record Pad(ReferencePad.Mode mode, List<Long> padsAttribute, float valueAttribute)
    implements Op {
  public static final String TYPE = "Pad";

  public Pad {
    padsAttribute = padsAttribute == null ? null : List.copyOf(padsAttribute);
  }

  public static Pad fromAttributes(Attributes a, int opset) {
    ReferencePad.Mode mode = parseMode(a.getString("mode", "constant"), opset);
    if (opset >= 11) {
      a.requireOnly("mode");
      return new Pad(mode, null, 0f);
    }
    a.requireOnly("mode", "pads", "value");
    if (!a.has("pads")) {
      throw new OpException("attribute 'pads' is required");
    }
    return new Pad(mode, Axes.list(a.getLongs("pads")), a.getFloat("value", 0f));
  }

  private static ReferencePad.Mode parseMode(String name, int opset) {
    switch (name) {
      case "constant":
        return ReferencePad.Mode.CONSTANT;
      case "reflect":
        return ReferencePad.Mode.REFLECT;
      case "edge":
        return ReferencePad.Mode.EDGE;
      case "wrap":
        if (opset >= 19) {
          return ReferencePad.Mode.WRAP;
        }
        throw new OpException("mode 'wrap' needs opset 19 or later");
      default:
        throw new OpException("mode '" + name + "' is not supported (constant, reflect, edge"
            + (opset >= 19 ? ", wrap)" : ")"));
    }
  }

  private boolean legacy() {
    return padsAttribute != null;
  }

  @Override
  public String type() {
    return TYPE;
  }

  @Override
  public Arity arity() {
    return legacy() ? Arity.of(1, 1) : Arity.inputs(2, 4);
  }

  @Override
  public Attributes attributes() {
    Attributes.Builder b = Attributes.builder();
    if (mode != ReferencePad.Mode.CONSTANT) {
      b.putString("mode", mode.name().toLowerCase(Locale.ROOT));
    }
    b.putLongs("pads", Axes.array(padsAttribute));
    if (valueAttribute != 0f) {
      b.putFloat("value", valueAttribute);
    }
    return b.build();
  }

  /**
   * Pads per axis of the input: {@code [before, after]}, from the ONNX pads and optional axes.
   *
   * @param axes {@code null} for all axes
   */
  public static int[][] padsPerAxis(Shape in, long[] pads, long[] axes) {
    int rank = in.rank();
    int[] axisOf = axes == null ? null : Axes.normalize(axes, rank);
    int count = axisOf == null ? rank : axisOf.length;
    if (pads.length != 2 * count) {
      throw new OpException("pads " + Arrays.toString(pads) + " must have " + 2 * count
          + " entries (before and after for each of " + count + " axes)");
    }
    int[] before = new int[rank];
    int[] after = new int[rank];
    for (int i = 0; i < count; i++) {
      int axis = axisOf == null ? i : axisOf[i];
      before[axis] = checkedPad(pads, i);
      after[axis] = checkedPad(pads, count + i);
    }
    return new int[][] {before, after};
  }

  private static int checkedPad(long[] pads, int i) {
    if (Math.abs(pads[i]) > Shape.MAX_ELEMENTS) {
      throw new OpException("pads " + Arrays.toString(pads) + " has an out-of-range entry " + pads[i]);
    }
    return (int) pads[i];
  }

  /**
   * What the kernel pads: the view of the input left after the negative pads crop it, and the
   * non-negative pads around that view.
   *
   * @param viewOffset where the view starts in the contiguous input
   * @param viewDims the view's extent per axis (it keeps the input's strides)
   */
  public record Geometry(int viewOffset, int[] viewDims, int[] padsBefore, Shape output) {}

  /**
   * Crops first, then pads, as ONNX Runtime does: reflect and wrap read the cropped view, not the
   * data cropped away.
   */
  public Geometry geometry(Shape in, int[][] pads) {
    int rank = in.rank();
    int[] strides = in.strides();
    int[] viewDims = new int[rank];
    int[] padsBefore = new int[rank];
    int[] out = new int[rank];
    long offset = 0;
    for (int axis = 0; axis < rank; axis++) {
      int before = pads[0][axis];
      int after = pads[1][axis];
      long view = (long) in.dim(axis) - Math.max(0, -before) - Math.max(0, -after);
      if (view < 0) {
        throw new OpException("pads remove more than axis " + axis + " of " + in + " holds");
      }
      boolean padded = before > 0 || after > 0;
      if (padded && view == 0 && mode != ReferencePad.Mode.CONSTANT) {
        throw new OpException("axis " + axis + " of " + in + " is empty and cannot be padded in mode "
            + mode.name().toLowerCase(Locale.ROOT));
      }
      long size = view + Math.max(0, before) + Math.max(0, after);
      if (size > Shape.MAX_ELEMENTS) {
        throw new OpException("padding axis " + axis + " of " + in + " gives " + size + " elements");
      }
      viewDims[axis] = (int) view;
      padsBefore[axis] = Math.max(0, before);
      out[axis] = (int) size;
      offset += (long) Math.max(0, -before) * strides[axis];
    }
    return new Geometry((int) offset, viewDims, padsBefore, Shape.of(out));
  }

  /**
   * Pads per axis ({@link #padsPerAxis}) from the node's inputs, or from the attribute before opset
   * 11 (the inputs are then ignored).
   *
   * @param axesInput {@code null} when the input is absent
   */
  public int[][] pads(Shape in, Tensor padsInput, Tensor axesInput) {
    if (legacy()) {
      return padsPerAxis(in, Axes.array(padsAttribute), null);
    }
    return padsPerAxis(in, Axes.vector(padsInput, "pads"),
        axesInput == null ? null : Axes.vector(axesInput, "axes"));
  }

  @Override
  public List<TensorType> inferTypes(InferenceContext ctx) {
    TensorType data = ctx.inputType(0);
    if (data.dtype() != DType.FLOAT32) {
      throw new OpException("expects a float32 input, got " + data.dtype());
    }
    if (ctx.hasInput(2)) {
      TensorType value = ctx.inputType(2);
      if (value.elementCount() != 1 || value.dtype() != data.dtype()) {
        throw new OpException("constant_value must be one " + data.dtype() + " value, got " + value);
      }
    }
    int[][] pads = legacy()
        ? pads(data.shape(), null, null)
        : pads(data.shape(), ctx.requireKnown(1, "pads"),
            ctx.hasInput(3) ? ctx.requireKnown(3, "axes") : null);
    return List.of(data.withShape(geometry(data.shape(), pads).output()));
  }

  @Override
  public Tensor[] evaluate(Tensor[] inputs, TensorType[] outputTypes) {
    Shape in = inputs[0].shape();
    int[][] pads = legacy()
        ? pads(in, null, null)
        : pads(in, inputs[1], inputs.length > 3 ? inputs[3] : null);
    Geometry g = geometry(in, pads);
    Shape out = g.output();
    float value = valueAttribute;
    if (inputs.length > 2 && inputs[2] != null) {
      value = inputs[2].floatAt(0);
    }
    float[] result = new float[out.elementCount()];
    ReferencePad.pad(mode, value, g.viewDims(), in.strides(), g.padsBefore(), out.dims(),
        out.strides(), inputs[0].toFloatArray(), g.viewOffset(), result, 0);
    return new Tensor[] {Tensor.adopt(out, result)};
  }
}
