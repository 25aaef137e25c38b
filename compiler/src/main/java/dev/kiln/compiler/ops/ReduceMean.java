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
import dev.kiln.runtime.kernels.reference.ReferenceReduce;
import java.util.Arrays;
import java.util.List;

/**
 * ReduceMean: the mean over {@code axes}, which keep size 1 with {@code keepdims} (the default) or are
 * removed. Before opset 18 the axes are an attribute; from 18 an optional int64 input, which must be
 * known at compile time. No axes means every axis, or with {@code noop_with_empty_axes} (opset 18)
 * none: the input unchanged.
 *
 * @param axes the {@code axes} attribute (opset &lt; 18); empty when absent or in the input form
 * @param axesInput the opset-18 form, axes as the second input
 */
public record ReduceMean(List<Integer> axes, boolean keepDims, boolean noopWithEmptyAxes,
    boolean axesInput) implements Op {
  public static final String TYPE = "ReduceMean";

  /** The opset from which the axes are an input. */
  public static final int AXES_INPUT_OPSET = 18;

  public ReduceMean {
    axes = List.copyOf(axes);
    if (axesInput && !axes.isEmpty()) {
      throw new IllegalArgumentException("axes come either from the attribute or from the input");
    }
  }

  public static ReduceMean fromAttributes(Attributes a, int opset) {
    boolean keepDims = a.getInt("keepdims", 1) != 0;
    if (opset >= AXES_INPUT_OPSET) {
      if (a.has("axes")) {
        throw new OpException("attribute 'axes' is an input from opset " + AXES_INPUT_OPSET);
      }
      a.requireOnly("keepdims", "noop_with_empty_axes");
      return new ReduceMean(List.of(), keepDims, a.getInt("noop_with_empty_axes", 0) != 0, true);
    }
    a.requireOnly("axes", "keepdims");
    return new ReduceMean(Window.list(a.getInts("axes")), keepDims, false, false);
  }

  @Override
  public String type() {
    return TYPE;
  }

  @Override
  public Arity arity() {
    return axesInput ? Arity.inputs(1, 2) : Arity.of(1, 1);
  }

  @Override
  public Attributes attributes() {
    Attributes.Builder b = Attributes.builder();
    if (!axes.isEmpty()) {
      b.putInts("axes", Window.ints(axes));
    }
    if (!keepDims) {
      b.putInt("keepdims", 0);
    }
    if (noopWithEmptyAxes) {
      b.putInt("noop_with_empty_axes", 1);
    }
    return b.build();
  }

  /** Which axes of a rank-{@code rank} input are reduced, from the given axes (attribute or input). */
  public boolean[] reducedAxes(int rank, long[] requested) {
    boolean[] reduced = new boolean[rank];
    if (requested.length == 0) {
      Arrays.fill(reduced, !noopWithEmptyAxes);
      return reduced;
    }
    for (long axis : requested) {
      long normalized = axis < 0 ? axis + rank : axis;
      if (normalized < 0 || normalized >= rank) {
        throw new OpException("axis " + axis + " is out of range for rank " + rank);
      }
      if (reduced[(int) normalized]) {
        throw new OpException("axes " + Arrays.toString(requested) + " name axis "
            + normalized + " twice");
      }
      reduced[(int) normalized] = true;
    }
    return reduced;
  }

  private long[] requestedAxes(Tensor axesValue) {
    if (!axesInput) {
      return axes.stream().mapToLong(Integer::longValue).toArray();
    }
    return axesValue == null ? new long[0] : axesValue.toLongArray();
  }

  private static Shape outputShape(Shape in, boolean[] reduced, boolean keepDims) {
    int[] dims = new int[in.rank()];
    int rank = 0;
    for (int i = 0; i < in.rank(); i++) {
      if (!reduced[i]) {
        dims[rank++] = in.dim(i);
      } else if (keepDims) {
        dims[rank++] = 1;
      }
    }
    return Shape.of(Arrays.copyOf(dims, rank));
  }

  @Override
  public List<TensorType> inferTypes(InferenceContext ctx) {
    TensorType x = ctx.inputType(0);
    if (x.dtype() != DType.FLOAT32) {
      throw new OpException("expects a float32 input, got " + x.dtype());
    }
    Tensor axesValue = null;
    if (ctx.hasInput(1)) {
      TensorType t = ctx.inputType(1);
      if (t.dtype() != DType.INT64 || t.rank() != 1) {
        throw new OpException("axes must be a 1-D int64 tensor, got " + t);
      }
      axesValue = ctx.requireKnown(1, "axes");
    }
    boolean[] reduced = reducedAxes(x.rank(), requestedAxes(axesValue));
    return List.of(x.withShape(outputShape(x.shape(), reduced, keepDims)));
  }

  /**
   * The kernel's view of the reduction: the input's dimensions split into kept and reduced ones, each
   * with its stride in the contiguous input.
   */
  public record Reduction(int[] keptDims, int[] keptStrides, int[] reducedDims,
      int[] reducedStrides) {}

  /**
   * @param axesValue the {@code axes} input's value (opset 18), or {@code null} when it is absent or
   *     the axes are an attribute
   */
  public Reduction reduction(Shape in, Tensor axesValue) {
    boolean[] reduced = reducedAxes(in.rank(), requestedAxes(axesValue));
    int[] dims = in.dims();
    int[] strides = in.strides();
    int reducedCount = 0;
    for (boolean r : reduced) {
      reducedCount += r ? 1 : 0;
    }
    int[] keptDims = new int[dims.length - reducedCount];
    int[] keptStrides = new int[keptDims.length];
    int[] reducedDims = new int[reducedCount];
    int[] reducedStrides = new int[reducedCount];
    for (int i = 0, kept = 0, red = 0; i < dims.length; i++) {
      if (reduced[i]) {
        reducedDims[red] = dims[i];
        reducedStrides[red++] = strides[i];
      } else {
        keptDims[kept] = dims[i];
        keptStrides[kept++] = strides[i];
      }
    }
    return new Reduction(keptDims, keptStrides, reducedDims, reducedStrides);
  }

  @Override
  public Tensor[] evaluate(Tensor[] inputs, TensorType[] outputTypes) {
    Reduction r = reduction(inputs[0].shape(), inputs.length > 1 ? inputs[1] : null);
    float[] out = new float[outputTypes[0].elementCount()];
    ReferenceReduce.mean(r.keptDims(), r.keptStrides(), r.reducedDims(), r.reducedStrides(),
        inputs[0].toFloatArray(), 0, out, 0);
    return new Tensor[] {Tensor.adopt(outputTypes[0].shape(), out)};
  }

  /** One add per input element and one divide per output. */
  @Override
  public Cost cost(CostContext ctx) {
    return ctx.movementCost(ctx.inputType(0).elementCount() + ctx.outputElements(0));
  }
}
