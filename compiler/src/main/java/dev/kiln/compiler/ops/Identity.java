package dev.kiln.compiler.ops;

import dev.kiln.compiler.ir.Arity;
import dev.kiln.compiler.ir.Attributes;
import dev.kiln.compiler.ir.InferenceContext;
import dev.kiln.compiler.ir.Op;
import dev.kiln.compiler.ir.Tensor;
import dev.kiln.compiler.ir.TensorType;
import java.util.List;

/** Identity: the input, unchanged. */
public record Identity() implements Op {
  public static final String TYPE = "Identity";

  public static Identity fromAttributes(Attributes a, int opset) {
    a.requireOnly();
    return new Identity();
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
    return Attributes.EMPTY;
  }

  @Override
  public List<TensorType> inferTypes(InferenceContext ctx) {
    return List.of(ctx.inputType(0));
  }

  @Override
  public boolean isView() {
    return true;
  }

  @Override
  public Tensor[] evaluate(Tensor[] inputs, TensorType[] outputTypes) {
    return new Tensor[] {inputs[0]};
  }
}
