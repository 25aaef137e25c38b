package dev.kiln.compiler.ops;

import dev.kiln.compiler.ir.Arity;
import dev.kiln.compiler.ir.Attributes;
import dev.kiln.compiler.ir.InferenceContext;
import dev.kiln.compiler.ir.Op;
import dev.kiln.compiler.ir.Shape;
import dev.kiln.compiler.ir.Tensor;
import dev.kiln.compiler.ir.TensorType;
import dev.kiln.compiler.ir.DType;
import java.util.List;

/**
 * Shape: the input's dimensions as an int64 vector, optionally the slice {@code [start, end)}
 * (opset 15). Known at compile time from the input's static type, so it always folds.
 * (Named ShapeOf to keep {@link Shape} for the IR's shape value.)
 */
public record ShapeOf(Integer start, Integer end) implements Op {
  public static final String TYPE = "Shape";

  public static ShapeOf fromAttributes(Attributes a, int opset) {
    a.requireOnly("start", "end");
    return new ShapeOf(
        a.has("start") ? a.getInt32("start", 0) : null,
        a.has("end") ? a.getInt32("end", 0) : null);
  }

  @Override
  public String type() {
    return TYPE;
  }

  @Override
  public Arity arity() {
    return Arity.of(1, 1);
  }

  @Override
  public Attributes attributes() {
    Attributes.Builder b = Attributes.builder();
    if (start != null) {
      b.putInt("start", start);
    }
    if (end != null) {
      b.putInt("end", end);
    }
    return b.build();
  }

  private long[] dims(Shape s) {
    int rank = s.rank();
    int from = clamp(start == null ? 0 : start, rank);
    int to = clamp(end == null ? rank : end, rank);
    long[] all = s.longDims();
    return to <= from ? new long[0] : java.util.Arrays.copyOfRange(all, from, to);
  }

  /** Negative positions count from the end; both ends clamp to [0, rank]. */
  private static int clamp(int position, int rank) {
    int p = position < 0 ? position + rank : position;
    return Math.max(0, Math.min(rank, p));
  }

  @Override
  public List<TensorType> inferTypes(InferenceContext ctx) {
    return List.of(new TensorType(DType.INT64, Shape.of(dims(ctx.inputShape(0)).length)));
  }

  @Override
  public Tensor[] knownOutputs(InferenceContext ctx) {
    return new Tensor[] {Tensor.int64Vector(dims(ctx.inputShape(0)))};
  }

  @Override
  public Tensor[] evaluate(Tensor[] inputs, TensorType[] outputTypes) {
    return new Tensor[] {Tensor.int64Vector(dims(inputs[0].shape()))};
  }
}
