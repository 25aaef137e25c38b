package dev.kiln.compiler.ops;

import dev.kiln.compiler.ir.Arity;
import dev.kiln.compiler.ir.Attributes;
import dev.kiln.compiler.ir.Cost;
import dev.kiln.compiler.ir.CostContext;
import dev.kiln.compiler.ir.DType;
import dev.kiln.compiler.ir.InferenceContext;
import dev.kiln.compiler.ir.Op;
import dev.kiln.compiler.ir.OpException;
import dev.kiln.compiler.ir.Tensor;
import dev.kiln.compiler.ir.TensorType;
import dev.kiln.runtime.kernels.reference.ReferenceUnary;
import java.util.List;

/**
 * Clip: {@code min(max(x, lo), hi)}. Before opset 11 the bounds are attributes ({@code min}, {@code
 * max}); from 11 they are optional scalar inputs, usually constants (ReLU6 is Clip(0, 6)).
 *
 * @param attrMin the {@code min} attribute (opset &lt; 11), or {@code null}
 * @param attrMax the {@code max} attribute (opset &lt; 11), or {@code null}
 */
public record Clip(Float attrMin, Float attrMax) implements Op {
  public static final String TYPE = "Clip";

  public static Clip fromAttributes(Attributes a, int opset) {
    if (opset >= 11) {
      a.requireOnly();
      return new Clip(null, null);
    }
    a.requireOnly("min", "max");
    return new Clip(
        a.has("min") ? a.getFloat("min", 0f) : null,
        a.has("max") ? a.getFloat("max", 0f) : null);
  }

  @Override
  public String type() {
    return TYPE;
  }

  @Override
  public Arity arity() {
    return Arity.inputs(1, 3);
  }

  @Override
  public Attributes attributes() {
    Attributes.Builder b = Attributes.builder();
    if (attrMin != null) {
      b.putFloat("min", attrMin);
    }
    if (attrMax != null) {
      b.putFloat("max", attrMax);
    }
    return b.build();
  }

  @Override
  public List<TensorType> inferTypes(InferenceContext ctx) {
    TensorType x = ctx.inputType(0);
    if (x.dtype() != DType.FLOAT32) {
      throw new OpException("expects a float32 input, got " + x.dtype());
    }
    for (int i = 1; i < 3; i++) {
      if (ctx.hasInput(i) && ctx.inputType(i).elementCount() != 1) {
        throw new OpException("bound input " + i + " must be a scalar, got " + ctx.inputType(i));
      }
    }
    return List.of(x);
  }

  /** The lower bound: attribute, input, or -∞. */
  public float lowerBound(Tensor minInput) {
    if (minInput != null) {
      return minInput.floatAt(0);
    }
    return attrMin != null ? attrMin : Float.NEGATIVE_INFINITY;
  }

  /** The upper bound: attribute, input, or +∞. */
  public float upperBound(Tensor maxInput) {
    if (maxInput != null) {
      return maxInput.floatAt(0);
    }
    return attrMax != null ? attrMax : Float.POSITIVE_INFINITY;
  }

  @Override
  public Tensor[] evaluate(Tensor[] inputs, TensorType[] outputTypes) {
    float lo = lowerBound(inputs.length > 1 ? inputs[1] : null);
    float hi = upperBound(inputs.length > 2 ? inputs[2] : null);
    float[] data = inputs[0].toFloatArray();
    ReferenceUnary.clip(lo, hi, data, 0, data, 0, data.length);
    return new Tensor[] {Tensor.adopt(outputTypes[0].shape(), data)};
  }

  @Override
  public Cost cost(CostContext ctx) {
    return ctx.movementCost(2 * ctx.outputElements(0));
  }
}
