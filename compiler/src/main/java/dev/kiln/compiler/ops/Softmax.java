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
import dev.kiln.runtime.kernels.reference.ReferenceSoftmax;
import java.util.List;

/**
 * Softmax. From opset 13 it normalizes along {@code axis} (default −1). Before 13 the input is
 * coerced to 2-D at {@code axis} (default 1) and each row {@code [d(axis)·…·dn]} is normalized.
 *
 * @param coerced2d the pre-13 semantics
 */
public record Softmax(int axis, boolean coerced2d) implements Op {
  public static final String TYPE = "Softmax";

  public static Softmax fromAttributes(Attributes a, int opset) {
    a.requireOnly("axis");
    boolean legacy = opset < 13;
    return new Softmax(a.getInt32("axis", legacy ? 1 : -1), legacy);
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
    return Attributes.builder().putInt("axis", axis).build();
  }

  private int normalizedAxis(int rank) {
    int a = axis < 0 ? axis + rank : axis;
    if (a < 0 || a >= Math.max(rank, 1)) {
      throw new OpException("axis " + axis + " is out of range for rank " + rank);
    }
    return a;
  }

  @Override
  public List<TensorType> inferTypes(InferenceContext ctx) {
    TensorType x = ctx.inputType(0);
    if (x.dtype() != DType.FLOAT32) {
      throw new OpException("expects a float32 input, got " + x.dtype());
    }
    normalizedAxis(x.rank());
    return List.of(x);
  }

  /** {@code [outer, axisSize, inner]}: how the kernel sees the tensor. */
  public int[] kernelView(Shape s) {
    int a = normalizedAxis(s.rank());
    if (s.rank() == 0) {
      return new int[] {1, 1, 1};
    }
    if (coerced2d) {
      return new int[] {s.product(0, a), s.product(a, s.rank()), 1};
    }
    return new int[] {s.product(0, a), s.dim(a), s.product(a + 1, s.rank())};
  }

  @Override
  public Tensor[] evaluate(Tensor[] inputs, TensorType[] outputTypes) {
    int[] v = kernelView(inputs[0].shape());
    float[] out = new float[inputs[0].elementCount()];
    ReferenceSoftmax.softmax(v[0], v[1], v[2], inputs[0].toFloatArray(), 0, out, 0);
    return new Tensor[] {Tensor.adopt(outputTypes[0].shape(), out)};
  }

  /** Max, subtract, exp, add and divide per element: counted as 5 FLOPs. */
  @Override
  public Cost cost(CostContext ctx) {
    return ctx.movementCost(5 * ctx.outputElements(0));
  }
}
