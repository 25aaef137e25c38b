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
import dev.kiln.runtime.kernels.reference.ReferenceLayout;
import java.util.List;

/**
 * Gather (opsets 1, 11, 13): entries of {@code data} along {@code axis} (default 0) picked by int64 or
 * int32 {@code indices} of any rank q; the output is {@code data.shape[:axis] + indices.shape +
 * data.shape[axis+1:]}. Negative indices count from the end. Data may be float32 or an integer type:
 * exporters pick dimensions out of Shape's result with it.
 */
public record Gather(int axis) implements Op {
  public static final String TYPE = "Gather";

  public static Gather fromAttributes(Attributes a, int opset) {
    a.requireOnly("axis");
    return new Gather(a.getInt32("axis", 0));
  }

  @Override
  public String type() {
    return TYPE;
  }

  @Override
  public Arity arity() {
    return Arity.of(2, 1);
  }

  @Override
  public Attributes attributes() {
    return axis == 0 ? Attributes.EMPTY : Attributes.builder().putInt("axis", axis).build();
  }

  @Override
  public List<TensorType> inferTypes(InferenceContext ctx) {
    TensorType data = ctx.inputType(0);
    TensorType indices = ctx.inputType(1);
    if (indices.dtype() != DType.INT64 && indices.dtype() != DType.INT32) {
      throw new OpException("indices must be int64 or int32, got " + indices.dtype());
    }
    Shape s = data.shape();
    int a = Axes.normalize(axis, s.rank());
    Tensor known = ctx.knownValue(1);
    if (known != null) {
      for (int i = 0; i < known.elementCount(); i++) {
        checkIndex(known.longAt(i), s.dim(a), a);
      }
    }
    int[] dims = new int[s.rank() - 1 + indices.rank()];
    int k = 0;
    for (int i = 0; i < a; i++) {
      dims[k++] = s.dim(i);
    }
    for (int d : indices.shape().dims()) {
      dims[k++] = d;
    }
    for (int i = a + 1; i < s.rank(); i++) {
      dims[k++] = s.dim(i);
    }
    return List.of(data.withShape(Shape.of(dims)));
  }

  private static void checkIndex(long index, int length, int axis) {
    if (index < -length || index >= length) {
      throw new OpException("index " + index + " is out of range for axis " + axis + " of length "
          + length);
    }
  }

  /** The data viewed as {@code [outer, axisLength, inner]} around the gathered axis. */
  public int[] kernelView(Shape data) {
    int a = Axes.normalize(axis, data.rank());
    return new int[] {data.product(0, a), data.dim(a), data.product(a + 1, data.rank())};
  }

  @Override
  public Tensor[] evaluate(Tensor[] inputs, TensorType[] outputTypes) {
    Tensor data = inputs[0];
    Shape s = data.shape();
    int a = Axes.normalize(axis, s.rank());
    int[] view = kernelView(s);
    int outer = view[0];
    int inner = view[2];
    long[] indices = inputs[1].toLongArray();
    // Run-time indices get the same check as known ones, with the same message.
    for (long index : indices) {
      checkIndex(index, s.dim(a), a);
    }
    Shape out = outputTypes[0].shape();
    if (data.isFloat()) {
      float[] result = new float[out.elementCount()];
      ReferenceLayout.gather(outer, s.dim(a), inner, data.toFloatArray(), 0, indices, 0,
          indices.length, result, 0);
      return new Tensor[] {Tensor.adopt(out, result)};
    }
    long[] result = new long[out.elementCount()];
    ReferenceLayout.gather(outer, s.dim(a), inner, data.toLongArray(), 0, indices, 0,
        indices.length, result, 0);
    return new Tensor[] {Tensor.adopt(data.dtype(), out, result)};
  }

  /** Reads only the gathered rows, plus the indices. */
  @Override
  public Cost cost(CostContext ctx) {
    return new Cost(0, ctx.parameterBytes(), ctx.inputType(1).byteSize() + ctx.outputBytes(),
        ctx.outputBytes());
  }
}
