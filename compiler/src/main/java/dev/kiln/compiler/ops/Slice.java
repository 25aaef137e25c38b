package dev.kiln.compiler.ops;

import dev.kiln.compiler.ir.Arity;
import dev.kiln.compiler.ir.Attributes;
import dev.kiln.compiler.ir.Cost;
import dev.kiln.compiler.ir.CostContext;
import dev.kiln.compiler.ir.InferenceContext;
import dev.kiln.compiler.ir.Op;
import dev.kiln.compiler.ir.OpException;
import dev.kiln.compiler.ir.Shape;
import dev.kiln.compiler.ir.Tensor;
import dev.kiln.compiler.ir.TensorType;
import java.util.Arrays;
import java.util.List;

/**
 * Slice (opsets 1, 10, 11, 13): {@code data[start:end:step]} on chosen axes, as in NumPy. Before
 * opset 10 {@code starts}, {@code ends} and optional {@code axes} are attributes and the step is 1;
 * from 10 they are inputs, with optional {@code axes} and {@code steps}, and must be known at compile
 * time (they decide the output shape).
 *
 * <p>Per axis of length d: negative starts and ends get d added; then for a positive step start and
 * end are clamped to [0, d], for a negative step start to [0, d−1] and end to [−1, d−1]; the axis
 * keeps max(0, ⌈(end − start)/step⌉) elements. The result is a strided view: offset Σ start·stride,
 * strides stride·step (negative for a negative step).
 *
 * @param startsAttribute the {@code starts} attribute (opset &lt; 10), else {@code null}; likewise
 *     ends and axes
 */
public record Slice(List<Long> startsAttribute, List<Long> endsAttribute, List<Long> axesAttribute)
    implements Op {
  public static final String TYPE = "Slice";

  public Slice {
    startsAttribute = startsAttribute == null ? null : List.copyOf(startsAttribute);
    endsAttribute = endsAttribute == null ? null : List.copyOf(endsAttribute);
    axesAttribute = axesAttribute == null ? null : List.copyOf(axesAttribute);
    if ((startsAttribute == null) != (endsAttribute == null)) {
      throw new IllegalArgumentException("starts and ends attributes go together");
    }
  }

  public static Slice fromAttributes(Attributes a, int opset) {
    if (opset >= 10) {
      a.requireOnly();
      return new Slice(null, null, null);
    }
    a.requireOnly("starts", "ends", "axes");
    if (!a.has("starts") || !a.has("ends")) {
      throw new OpException("attributes 'starts' and 'ends' are required");
    }
    return new Slice(Axes.list(a.getLongs("starts")), Axes.list(a.getLongs("ends")),
        Axes.list(a.getLongs("axes")));
  }

  private boolean legacy() {
    return startsAttribute != null;
  }

  @Override
  public String type() {
    return TYPE;
  }

  @Override
  public Arity arity() {
    return legacy() ? Arity.of(1, 1) : Arity.inputs(3, 5);
  }

  @Override
  public Attributes attributes() {
    return Attributes.builder()
        .putLongs("starts", Axes.array(startsAttribute))
        .putLongs("ends", Axes.array(endsAttribute))
        .putLongs("axes", Axes.array(axesAttribute))
        .build();
  }

  /** Where the slice lies in the contiguous input. */
  public record Geometry(int offset, int[] strides, Shape shape) {}

  /**
   * Resolves the slice against the input shape.
   *
   * @param axes {@code null} for all axes in order
   * @param steps {@code null} for steps of 1
   */
  public static Geometry resolve(Shape in, long[] starts, long[] ends, long[] axes, long[] steps) {
    if (starts.length != ends.length) {
      throw new OpException("starts " + Arrays.toString(starts) + " and ends "
          + Arrays.toString(ends) + " differ in length");
    }
    if (axes != null && axes.length != starts.length) {
      throw new OpException("axes " + Arrays.toString(axes) + " and starts "
          + Arrays.toString(starts) + " differ in length");
    }
    if (steps != null && steps.length != starts.length) {
      throw new OpException("steps " + Arrays.toString(steps) + " and starts "
          + Arrays.toString(starts) + " differ in length");
    }
    if (axes == null && starts.length > in.rank()) {
      throw new OpException("starts " + Arrays.toString(starts) + " has more entries than the rank "
          + in.rank() + " of the input " + in);
    }
    int[] axisOf = axes == null ? null : Axes.normalize(axes, in.rank());
    int[] dims = in.dims();
    int[] inStrides = in.strides();
    int[] strides = in.strides();
    long offset = 0;
    for (int i = 0; i < starts.length; i++) {
      int axis = axisOf == null ? i : axisOf[i];
      long step = steps == null ? 1 : steps[i];
      if (step == 0) {
        throw new OpException("steps " + Arrays.toString(steps) + " has a zero step");
      }
      long d = dims[axis];
      long start = starts[i] < 0 ? starts[i] + d : starts[i];
      long end = ends[i] < 0 ? ends[i] + d : ends[i];
      long count;
      if (d == 0) {
        start = 0;
        count = 0;
      } else if (step > 0) {
        start = clamp(start, 0, d);
        end = clamp(end, 0, d);
        count = end > start ? (end - start - 1) / step + 1 : 0;
      } else {
        start = clamp(start, 0, d - 1);
        end = clamp(end, -1, d - 1);
        // −step overflows for Long.MIN_VALUE; any step that large takes one element.
        long back = step == Long.MIN_VALUE ? Long.MAX_VALUE : -step;
        count = start > end ? (start - end - 1) / back + 1 : 0;
      }
      dims[axis] = (int) count;
      // With fewer than two elements the stride is never used (and step·stride may overflow).
      strides[axis] = count > 1 ? Math.toIntExact(step * inStrides[axis]) : inStrides[axis];
      offset += count > 0 ? start * inStrides[axis] : 0;
    }
    return new Geometry((int) offset, strides, Shape.of(dims));
  }

  private static long clamp(long v, long lo, long hi) {
    return Math.max(lo, Math.min(hi, v));
  }

  /**
   * The slice of an input of shape {@code in}, from the values of the node's inputs (ignored before
   * opset 10, where they are attributes).
   *
   * @param axes {@code null} when the input is absent; likewise steps
   */
  public Geometry geometry(Shape in, Tensor starts, Tensor ends, Tensor axes, Tensor steps) {
    if (legacy()) {
      return resolve(in, Axes.array(startsAttribute), Axes.array(endsAttribute),
          Axes.array(axesAttribute), null);
    }
    return resolve(in, Axes.vector(starts, "starts"), Axes.vector(ends, "ends"),
        axes == null ? null : Axes.vector(axes, "axes"),
        steps == null ? null : Axes.vector(steps, "steps"));
  }

  @Override
  public List<TensorType> inferTypes(InferenceContext ctx) {
    TensorType data = ctx.inputType(0);
    Geometry g = legacy()
        ? geometry(data.shape(), null, null, null, null)
        : geometry(data.shape(), ctx.requireKnown(1, "starts"), ctx.requireKnown(2, "ends"),
            ctx.hasInput(3) ? ctx.requireKnown(3, "axes") : null,
            ctx.hasInput(4) ? ctx.requireKnown(4, "steps") : null);
    return List.of(data.withShape(g.shape()));
  }

  @Override
  public Tensor[] evaluate(Tensor[] inputs, TensorType[] outputTypes) {
    Geometry g = legacy()
        ? geometry(inputs[0].shape(), null, null, null, null)
        : geometry(inputs[0].shape(), inputs[1], inputs[2], input(inputs, 3), input(inputs, 4));
    return new Tensor[] {Strided.copy(inputs[0], g.offset(), g.strides(), outputTypes[0])};
  }

  private static Tensor input(Tensor[] inputs, int i) {
    return i < inputs.length ? inputs[i] : null;
  }

  /** Reads only the elements it keeps, plus the small index inputs. */
  @Override
  public Cost cost(CostContext ctx) {
    long indexBytes = ctx.inputBytes() - ctx.inputType(0).byteSize();
    return new Cost(0, ctx.parameterBytes(), indexBytes + ctx.outputBytes(), ctx.outputBytes());
  }
}
