package dev.kiln.compiler.ops;

import dev.kiln.compiler.ir.Arity;
import dev.kiln.compiler.ir.Attributes;
import dev.kiln.compiler.ir.Cost;
import dev.kiln.compiler.ir.CostContext;
import dev.kiln.compiler.ir.InferenceContext;
import dev.kiln.compiler.ir.Op;
import dev.kiln.compiler.ir.OpException;
import dev.kiln.compiler.ir.Tensor;
import dev.kiln.compiler.ir.TensorType;
import dev.kiln.runtime.kernels.ConvShape;
import dev.kiln.runtime.kernels.reference.ReferencePool;
import java.util.List;

/**
 * MaxPool: the maximum over each window (padding never wins). The optional Indices output is not
 * supported.
 */
public record MaxPool(Window window) implements Op {
  public static final String TYPE = "MaxPool";

  public static MaxPool fromAttributes(Attributes a, int opset) {
    a.requireOnly("kernel_shape", "strides", "pads", "dilations", "auto_pad", "ceil_mode",
        "storage_order");
    return new MaxPool(Window.fromAttributes(a, true));
  }

  @Override
  public String type() {
    return TYPE;
  }

  @Override
  public Arity arity() {
    // The Indices output is accepted here so that inferTypes can say it is not supported.
    return new Arity(1, 1, 1, 2);
  }

  @Override
  public Attributes attributes() {
    Attributes.Builder b = Attributes.builder();
    window.writeTo(b, true);
    return b.build();
  }

  @Override
  public List<TensorType> inferTypes(InferenceContext ctx) {
    if (ctx.outputCount() > 1) {
      throw new OpException("the Indices output is not supported");
    }
    return List.of(Pooling.outputType(window, ctx.inputType(0)));
  }

  @Override
  public Tensor[] evaluate(Tensor[] inputs, TensorType[] outputTypes) {
    ConvShape s = Pooling.convShape(window, inputs[0].type());
    float[] out = new float[outputTypes[0].elementCount()];
    ReferencePool.maxPool2d(s, inputs[0].toFloatArray(), 0, out, 0);
    return new Tensor[] {Tensor.adopt(outputTypes[0].shape(), out)};
  }

  /** One comparison per window element. */
  @Override
  public Cost cost(CostContext ctx) {
    long window = 1;
    for (int k : window().kernelShape()) {
      window *= k;
    }
    return ctx.movementCost(window * ctx.outputElements(0));
  }
}
