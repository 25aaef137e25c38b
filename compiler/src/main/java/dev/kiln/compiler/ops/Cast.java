package dev.kiln.compiler.ops;

import dev.kiln.compiler.ir.Arity;
import dev.kiln.compiler.ir.Attributes;
import dev.kiln.compiler.ir.DType;
import dev.kiln.compiler.ir.InferenceContext;
import dev.kiln.compiler.ir.Op;
import dev.kiln.compiler.ir.Tensor;
import dev.kiln.compiler.ir.TensorType;
import java.util.List;

/**
 * Cast between float32, int64, int32 and bool. Float to integer truncates toward zero; anything to
 * bool is {@code x != 0}; int32 wraps like a C cast.
 */
public record Cast(DType to) implements Op {
  public static final String TYPE = "Cast";

  public static Cast fromAttributes(Attributes a, int opset) {
    a.requireOnly("to", "saturate");
    return new Cast(DType.fromOnnx(a.getInt32("to", 0)));
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
    return Attributes.builder().putInt("to", to.onnxCode()).build();
  }

  @Override
  public List<TensorType> inferTypes(InferenceContext ctx) {
    return List.of(new TensorType(to, ctx.inputShape(0)));
  }

  @Override
  public Tensor[] evaluate(Tensor[] inputs, TensorType[] outputTypes) {
    Tensor x = inputs[0];
    if (to == DType.FLOAT32) {
      return new Tensor[] {Tensor.adopt(x.shape(), x.toFloatArray())};
    }
    long[] out = new long[x.elementCount()];
    for (int i = 0; i < out.length; i++) {
      long v = x.isFloat() ? (long) x.floatAt(i) : x.longAt(i);
      if (to == DType.BOOL) {
        v = (x.isFloat() ? x.floatAt(i) != 0f : v != 0) ? 1 : 0;
      } else if (to == DType.INT32) {
        v = (int) v;
      }
      out[i] = v;
    }
    return new Tensor[] {Tensor.adopt(to, x.shape(), out)};
  }
}
