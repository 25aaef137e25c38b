package dev.kiln.compiler.ops;

import dev.kiln.compiler.ir.Arity;
import dev.kiln.compiler.ir.Attributes;
import dev.kiln.compiler.ir.Cost;
import dev.kiln.compiler.ir.CostContext;
import dev.kiln.compiler.ir.InferenceContext;
import dev.kiln.compiler.ir.Op;
import dev.kiln.compiler.ir.Tensor;
import dev.kiln.compiler.ir.TensorType;
import dev.kiln.runtime.kernels.ConvShape;
import dev.kiln.runtime.kernels.reference.ReferencePool;
import java.util.List;

/**
 * AveragePool: the mean over each window, dividing by the positions inside the input, or inside the
 * padded input with {@code count_include_pad=1}.
 */
public record AveragePool(Window window, boolean countIncludePad) implements Op {
  public static final String TYPE = "AveragePool";

  public static AveragePool fromAttributes(Attributes a, int opset) {
    a.requireOnly("kernel_shape", "strides", "pads", "dilations", "auto_pad", "ceil_mode",
        "count_include_pad");
    return new AveragePool(Window.fromAttributes(a, true), a.getInt("count_include_pad", 0) != 0);
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
    Attributes.Builder b = Attributes.builder();
    window.writeTo(b, true);
    if (countIncludePad) {
      b.putInt("count_include_pad", 1);
    }
    return b.build();
  }

  @Override
  public List<TensorType> inferTypes(InferenceContext ctx) {
    return List.of(Pooling.outputType(window, ctx.inputType(0)));
  }

  @Override
  public Tensor[] evaluate(Tensor[] inputs, TensorType[] outputTypes) {
    ConvShape s = Pooling.convShape(window, inputs[0].type());
    float[] out = new float[outputTypes[0].elementCount()];
    ReferencePool.averagePool2d(s, countIncludePad, inputs[0].toFloatArray(), 0, out, 0);
    return new Tensor[] {Tensor.adopt(outputTypes[0].shape(), out)};
  }

  /** One add per window element and a divide per output. */
  @Override
  public Cost cost(CostContext ctx) {
    long window = 1;
    for (int k : window().kernelShape()) {
      window *= k;
    }
    return ctx.movementCost((window + 1) * ctx.outputElements(0));
  }
}
