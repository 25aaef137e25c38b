package dev.kiln.compiler.ops;

import dev.kiln.compiler.ir.Arity;
import dev.kiln.compiler.ir.Attributes;
import dev.kiln.compiler.ir.DType;
import dev.kiln.compiler.ir.InferenceContext;
import dev.kiln.compiler.ir.Op;
import dev.kiln.compiler.ir.OpException;
import dev.kiln.compiler.ir.Shape;
import dev.kiln.compiler.ir.Tensor;
import dev.kiln.compiler.ir.TensorType;
import java.util.List;

/**
 * Constant: produces its {@code value}. The ONNX shorthands {@code value_float}, {@code
 * value_floats}, {@code value_int} and {@code value_ints} (opset 12) become the equivalent tensor.
 */
public record Constant(Tensor value) implements Op {
  public static final String TYPE = "Constant";

  public static Constant fromAttributes(Attributes a, int opset) {
    a.requireOnly("value", "value_float", "value_floats", "value_int", "value_ints",
        "sparse_value", "value_string", "value_strings");
    if (a.asMap().size() != 1) {
      throw new OpException("needs exactly one value attribute, got " + a.asMap().keySet());
    }
    if (a.has("value")) {
      return new Constant(a.getTensor("value"));
    }
    if (a.has("value_float")) {
      return new Constant(Tensor.scalarFloat(a.getFloat("value_float", 0f)));
    }
    if (a.has("value_floats")) {
      float[] v = a.getFloats("value_floats");
      return new Constant(Tensor.ofFloats(Shape.of(v.length), v));
    }
    if (a.has("value_int")) {
      return new Constant(Tensor.ofLongs(DType.INT64, Shape.SCALAR, a.getInt("value_int", 0)));
    }
    if (a.has("value_ints")) {
      long[] v = a.getLongs("value_ints");
      return new Constant(Tensor.int64Vector(v));
    }
    throw new OpException("sparse and string constants are not supported");
  }

  @Override
  public String type() {
    return TYPE;
  }

  @Override
  public Arity arity() {
    return Arity.of(0, 1);
  }

  @Override
  public Attributes attributes() {
    return Attributes.builder().putTensor("value", value).build();
  }

  @Override
  public List<TensorType> inferTypes(InferenceContext ctx) {
    return List.of(value.type());
  }

  @Override
  public Tensor[] knownOutputs(InferenceContext ctx) {
    return new Tensor[] {value};
  }

  @Override
  public Tensor[] evaluate(Tensor[] inputs, TensorType[] outputTypes) {
    return new Tensor[] {value};
  }
}
