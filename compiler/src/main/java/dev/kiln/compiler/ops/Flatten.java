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
 * Flatten: {@code [d0, ..., dn] → [d0·…·d(axis−1), d(axis)·…·dn]}; the data is unchanged (a view).
 */
public record Flatten(int axis) implements Op {
  public static final String TYPE = "Flatten";

  public static Flatten fromAttributes(Attributes a, int opset) {
    a.requireOnly("axis");
    return new Flatten(a.getInt32("axis", 1));
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
    return axis == 1 ? Attributes.EMPTY : Attributes.builder().putInt("axis", axis).build();
  }

  @Override
  public List<TensorType> inferTypes(InferenceContext ctx) {
    TensorType x = ctx.inputType(0);
    Shape s = x.shape();
    int a = axis < 0 ? axis + s.rank() : axis;
    if (a < 0 || a > s.rank()) {
      throw new OpException("axis " + axis + " is out of range for rank " + s.rank());
    }
    return List.of(x.withShape(Shape.of(s.product(0, a), s.product(a, s.rank()))));
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
