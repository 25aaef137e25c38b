package dev.kiln.compiler.ops;

import dev.kiln.compiler.ir.Arity;
import dev.kiln.compiler.ir.Attributes;
import dev.kiln.compiler.ir.InferenceContext;
import dev.kiln.compiler.ir.Op;
import dev.kiln.compiler.ir.OpException;
import dev.kiln.compiler.ir.Shape;
import dev.kiln.compiler.ir.Tensor;
import dev.kiln.compiler.ir.TensorType;
import dev.kiln.runtime.kernels.reference.ReferenceLayout;
import java.util.ArrayList;
import java.util.List;

/**
 * Concat (opsets 4, 11, 13): the inputs joined along {@code axis} (required; negative counts from
 * the end). All inputs share the element type and every other dimension; empty inputs are allowed.
 * Float32 for activations, int64/int32 for the shape vectors exporters assemble.
 *
 * <p>Viewing each input as {@code [outer, d_i·inner]} and the output as {@code [outer, Σd_i·inner]},
 * input i is a strided copy into columns starting at {@code (Σ_{j<i} d_j)·inner}.
 */
public record Concat(int axis) implements Op {
  public static final String TYPE = "Concat";

  public static Concat fromAttributes(Attributes a, int opset) {
    a.requireOnly("axis");
    if (!a.has("axis")) {
      throw new OpException("attribute 'axis' is required");
    }
    return new Concat(a.getInt32("axis", 0));
  }

  @Override
  public String type() {
    return TYPE;
  }

  @Override
  public Arity arity() {
    return new Arity(1, Arity.VARIADIC, 1, 1);
  }

  @Override
  public Attributes attributes() {
    return Attributes.builder().putInt("axis", axis).build();
  }

  @Override
  public List<TensorType> inferTypes(InferenceContext ctx) {
    TensorType first = ctx.inputType(0);
    int rank = first.rank();
    int a = Axes.normalize(axis, rank);
    int total = 0;
    for (int i = 0; i < ctx.inputCount(); i++) {
      TensorType t = ctx.inputType(i);
      if (t.dtype() != first.dtype()) {
        throw new OpException("input " + i + " is " + t.dtype() + " but input 0 is " + first.dtype());
      }
      if (t.rank() != rank || !t.shape().withDim(a, 0).equals(first.shape().withDim(a, 0))) {
        throw new OpException("input " + i + " " + t.shape() + " does not match input 0 "
            + first.shape() + " outside axis " + a);
      }
      total += t.shape().dim(a);
    }
    return List.of(first.withShape(first.shape().withDim(a, total)));
  }

  /** The copy of each input into the output, in input order. */
  public List<StridedCopy> copies(List<Shape> inputs, Shape out) {
    int a = Axes.normalize(axis, out.rank());
    int outer = out.product(0, a);
    int inner = out.product(a + 1, out.rank());
    int outRow = out.dim(a) * inner;
    List<StridedCopy> copies = new ArrayList<>();
    int column = 0;
    for (Shape in : inputs) {
      int row = in.dim(a) * inner;
      copies.add(new StridedCopy(new int[] {outer, row}, 0, new int[] {row, 1}, column,
          new int[] {outRow, 1}));
      column += row;
    }
    return copies;
  }

  @Override
  public Tensor[] evaluate(Tensor[] inputs, TensorType[] outputTypes) {
    Shape out = outputTypes[0].shape();
    List<Shape> shapes = new ArrayList<>();
    for (Tensor in : inputs) {
      shapes.add(in.shape());
    }
    List<StridedCopy> copies = copies(shapes, out);
    boolean isFloat = outputTypes[0].dtype().isFloat();
    float[] floats = isFloat ? new float[out.elementCount()] : null;
    long[] longs = isFloat ? null : new long[out.elementCount()];
    for (int i = 0; i < inputs.length; i++) {
      StridedCopy c = copies.get(i);
      if (isFloat) {
        ReferenceLayout.stridedCopy(c.dims(), inputs[i].toFloatArray(), c.srcOffset(),
            c.srcStrides(), floats, c.dstOffset(), c.dstStrides());
      } else {
        ReferenceLayout.stridedCopy(c.dims(), inputs[i].toLongArray(), c.srcOffset(),
            c.srcStrides(), longs, c.dstOffset(), c.dstStrides());
      }
    }
    return new Tensor[] {isFloat
        ? Tensor.adopt(out, floats)
        : Tensor.adopt(outputTypes[0].dtype(), out, longs)};
  }
}
