package dev.kiln.compiler.ops;

import dev.kiln.compiler.ir.Arity;
import dev.kiln.compiler.ir.Attributes;
import dev.kiln.compiler.ir.InferenceContext;
import dev.kiln.compiler.ir.Op;
import dev.kiln.compiler.ir.OpException;
import dev.kiln.compiler.ir.Shape;
import dev.kiln.compiler.ir.Tensor;
import dev.kiln.compiler.ir.TensorType;
import java.util.Arrays;
import java.util.List;

/**
 * Squeeze (opsets 1, 11, 13, 21): removes axes of length 1; the data is unchanged (a view). The axes
 * are an attribute before opset 13 and an optional input from 13 that must be known at compile time;
 * without them, or with none listed, every axis of length 1 goes (as in ONNX Runtime). Negative axes
 * count from the end.
 *
 * @param axesAttribute the {@code axes} attribute (opset &lt; 13), or {@code null}
 */
public record Squeeze(List<Long> axesAttribute) implements Op {
  public static final String TYPE = "Squeeze";

  public Squeeze {
    axesAttribute = axesAttribute == null ? null : List.copyOf(axesAttribute);
  }

  public static Squeeze fromAttributes(Attributes a, int opset) {
    if (opset >= 13) {
      a.requireOnly();
      return new Squeeze(null);
    }
    a.requireOnly("axes");
    return new Squeeze(Axes.list(a.getLongs("axes")));
  }

  @Override
  public String type() {
    return TYPE;
  }

  @Override
  public Arity arity() {
    return axesAttribute != null ? Arity.of(1, 1) : Arity.inputs(1, 2);
  }

  @Override
  public Attributes attributes() {
    return Attributes.builder().putLongs("axes", Axes.array(axesAttribute)).build();
  }

  /** @param axes {@code null} or empty to drop every axis of length 1 */
  public static Shape squeeze(Shape in, long[] axes) {
    boolean[] drop = new boolean[in.rank()];
    if (axes == null || axes.length == 0) {
      for (int i = 0; i < in.rank(); i++) {
        drop[i] = in.dim(i) == 1;
      }
    } else {
      for (int axis : Axes.normalize(axes, in.rank())) {
        if (in.dim(axis) != 1) {
          throw new OpException("cannot squeeze axis " + axis + " of " + in + ": its length is "
              + in.dim(axis) + ", not 1");
        }
        drop[axis] = true;
      }
    }
    int[] dims = new int[in.rank()];
    int rank = 0;
    for (int i = 0; i < in.rank(); i++) {
      if (!drop[i]) {
        dims[rank++] = in.dim(i);
      }
    }
    return Shape.of(Arrays.copyOf(dims, rank));
  }

  @Override
  public List<TensorType> inferTypes(InferenceContext ctx) {
    TensorType x = ctx.inputType(0);
    long[] axes = Axes.array(axesAttribute);
    if (ctx.hasInput(1)) {
      axes = Axes.vector(ctx.requireKnown(1, "axes"), "axes");
    }
    return List.of(x.withShape(squeeze(x.shape(), axes)));
  }

  @Override
  public boolean isView() {
    return true;
  }

  @Override
  public Tensor[] evaluate(Tensor[] inputs, TensorType[] outputTypes) {
    return new Tensor[] {Reshapes.view(inputs[0], outputTypes[0].shape())};
  }
}
