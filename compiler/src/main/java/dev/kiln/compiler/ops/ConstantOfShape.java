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
import java.util.Arrays;
import java.util.List;

/**
 * ConstantOfShape (opsets 9, 20, 21): a tensor of the shape given by its int64 input, which must be
 * known at compile time, filled with the one-element {@code value} attribute (default float32 0); the
 * output has the value's element type.
 */
public record ConstantOfShape(Tensor value) implements Op {
  public static final String TYPE = "ConstantOfShape";

  public static final Tensor DEFAULT_VALUE = Tensor.ofFloats(Shape.of(1), 0f);

  public ConstantOfShape {
    if (value.elementCount() != 1) {
      throw new OpException("value must hold one element, got " + value.type());
    }
  }

  public static ConstantOfShape fromAttributes(Attributes a, int opset) {
    a.requireOnly("value");
    Tensor value = a.getTensor("value");
    return new ConstantOfShape(value == null ? DEFAULT_VALUE : value);
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
    return Attributes.builder().putTensor("value", value).build();
  }

  @Override
  public List<TensorType> inferTypes(InferenceContext ctx) {
    long[] dims = Axes.vector(ctx.requireKnown(0, "shape"), "shape");
    for (long d : dims) {
      if (d < 0) {
        throw new OpException("shape " + Arrays.toString(dims) + " has a negative dimension");
      }
    }
    return List.of(new TensorType(value.dtype(), Shape.ofLongs(dims)));
  }

  @Override
  public Tensor[] evaluate(Tensor[] inputs, TensorType[] outputTypes) {
    TensorType t = outputTypes[0];
    if (value.isFloat()) {
      float[] out = new float[t.elementCount()];
      ReferenceLayout.fill(value.floatAt(0), out, 0, out.length);
      return new Tensor[] {Tensor.adopt(t.shape(), out)};
    }
    long[] out = new long[t.elementCount()];
    ReferenceLayout.fill(value.longAt(0), out, 0, out.length);
    return new Tensor[] {Tensor.adopt(t.dtype(), t.shape(), out)};
  }
}
