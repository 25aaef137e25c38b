package dev.kiln.compiler.ops;

import dev.kiln.compiler.ir.Arity;
import dev.kiln.compiler.ir.Attributes;
import dev.kiln.compiler.ir.InferenceContext;
import dev.kiln.compiler.ir.Op;
import dev.kiln.compiler.ir.OpException;
import dev.kiln.compiler.ir.Shape;
import dev.kiln.compiler.ir.Tensor;
import dev.kiln.compiler.ir.TensorType;
import java.util.List;

/**
 * Unsqueeze (opsets 1, 11, 13, 21): inserts axes of length 1; the data is unchanged (a view). The
 * axes index the <em>output</em> (negative ones count from its end) and are an attribute before
 * opset 13, a required input from 13 that must be known at compile time.
 *
 * @param axesAttribute the {@code axes} attribute (opset &lt; 13), or {@code null}
 */
public record Unsqueeze(List<Long> axesAttribute) implements Op {
  public static final String TYPE = "Unsqueeze";

  public Unsqueeze {
    axesAttribute = axesAttribute == null ? null : List.copyOf(axesAttribute);
  }

  public static Unsqueeze fromAttributes(Attributes a, int opset) {
    if (opset >= 13) {
      a.requireOnly();
      return new Unsqueeze(null);
    }
    a.requireOnly("axes");
    if (!a.has("axes")) {
      throw new OpException("attribute 'axes' is required");
    }
    return new Unsqueeze(Axes.list(a.getLongs("axes")));
  }

  @Override
  public String type() {
    return TYPE;
  }

  @Override
  public Arity arity() {
    return axesAttribute != null ? Arity.of(1, 1) : Arity.of(2, 1);
  }

  @Override
  public Attributes attributes() {
    return Attributes.builder().putLongs("axes", Axes.array(axesAttribute)).build();
  }

  public static Shape unsqueeze(Shape in, long[] axes) {
    int rank = in.rank() + axes.length;
    boolean[] inserted = new boolean[rank];
    for (int axis : Axes.normalize(axes, rank)) {
      inserted[axis] = true;
    }
    int[] dims = new int[rank];
    int next = 0;
    for (int i = 0; i < rank; i++) {
      dims[i] = inserted[i] ? 1 : in.dim(next++);
    }
    return Shape.of(dims);
  }

  @Override
  public List<TensorType> inferTypes(InferenceContext ctx) {
    TensorType x = ctx.inputType(0);
    long[] axes = axesAttribute != null
        ? Axes.array(axesAttribute)
        : Axes.vector(ctx.requireKnown(1, "axes"), "axes");
    return List.of(x.withShape(unsqueeze(x.shape(), axes)));
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
