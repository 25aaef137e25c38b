package dev.kiln.compiler.ops;

import dev.kiln.compiler.ir.Arity;
import dev.kiln.compiler.ir.Attributes;
import dev.kiln.compiler.ir.InferenceContext;
import dev.kiln.compiler.ir.Op;
import dev.kiln.compiler.ir.OpException;
import dev.kiln.compiler.ir.Shape;
import dev.kiln.compiler.ir.Tensor;
import dev.kiln.compiler.ir.TensorType;
import java.util.Arrays;
import java.util.List;

/**
 * Reshape (opset 5+): the same data under the shape given by the second input, which must be known
 * at compile time. In that shape 0 copies the input's dimension (unless {@code allowzero=1}) and one
 * −1 is inferred from the element count.
 */
public record Reshape(boolean allowZero) implements Op {
  public static final String TYPE = "Reshape";

  public static Reshape fromAttributes(Attributes a, int opset) {
    if (opset < 5) {
      throw new OpException("Reshape with a 'shape' attribute (opset < 5) is not supported");
    }
    a.requireOnly("allowzero");
    return new Reshape(a.getInt("allowzero", 0) != 0);
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
    return allowZero ? Attributes.builder().putInt("allowzero", 1).build() : Attributes.EMPTY;
  }

  @Override
  public List<TensorType> inferTypes(InferenceContext ctx) {
    TensorType x = ctx.inputType(0);
    Tensor shape = ctx.requireKnown(1, "shape");
    return List.of(x.withShape(resolve(x.shape(), shape.toLongArray())));
  }

  /** Applies the 0 and −1 rules of the spec to a requested shape. */
  public Shape resolve(Shape in, long[] requested) {
    long[] dims = requested.clone();
    int inferred = -1;
    long known = 1;
    for (int i = 0; i < dims.length; i++) {
      if (dims[i] == 0 && !allowZero) {
        if (i >= in.rank()) {
          throw new OpException("shape " + Arrays.toString(requested) + " copies dimension " + i
              + " but the input " + in + " has rank " + in.rank());
        }
        dims[i] = in.dim(i);
      }
      if (dims[i] == -1) {
        if (inferred >= 0) {
          throw new OpException("shape " + Arrays.toString(requested) + " has more than one -1");
        }
        inferred = i;
      } else if (dims[i] < 0) {
        throw new OpException("shape " + Arrays.toString(requested) + " has a negative dimension");
      } else {
        known *= dims[i];
      }
    }
    long count = in.elementCount();
    if (inferred >= 0) {
      if (known == 0 || count % known != 0) {
        throw new OpException("cannot reshape " + in + " to " + Arrays.toString(requested));
      }
      dims[inferred] = count / known;
    } else if (known != count) {
      throw new OpException("cannot reshape " + in + " (" + count + " elements) to "
          + Arrays.toString(requested) + " (" + known + " elements)");
    }
    return Shape.ofLongs(dims);
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
