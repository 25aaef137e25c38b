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
import dev.kiln.runtime.kernels.ConvShape;
import dev.kiln.runtime.kernels.reference.ReferenceConv;
import java.util.List;

/**
 * Conv (opsets 1, 11): {@code Y = X ⊛ W + B} over NCHW (1-D or 2-D spatial), with groups (depthwise
 * when group = channels), strides, dilations, explicit or automatic padding.
 *
 * <p>Inputs: X {@code [N, C, H, W]}, W {@code [M, C/group, kH, kW]}, optional B {@code [M]}.
 */
public record Conv(Window window, int group) implements Op {
  public static final String TYPE = "Conv";

  public Conv {
    if (group < 1) {
      throw new OpException("group must be positive, got " + group);
    }
  }

  public static Conv fromAttributes(Attributes a, int opset) {
    a.requireOnly("kernel_shape", "strides", "pads", "dilations", "auto_pad", "group");
    return new Conv(Window.fromAttributes(a, false), a.getInt32("group", 1));
  }

  @Override
  public String type() {
    return TYPE;
  }

  @Override
  public Arity arity() {
    return Arity.inputs(2, 3);
  }

  @Override
  public Attributes attributes() {
    Attributes.Builder b = Attributes.builder();
    window.writeTo(b, false);
    if (group != 1) {
      b.putInt("group", group);
    }
    return b.build();
  }

  /** The resolved window for these input types, after checking X, W and B agree. */
  public Window.Resolved resolve(TensorType x, TensorType w, TensorType bias) {
    Shape xs = x.shape();
    Shape ws = w.shape();
    if (x.dtype() != DType.FLOAT32 || w.dtype() != DType.FLOAT32) {
      throw new OpException("expects float32 input and weights, got " + x.dtype() + " and " + w.dtype());
    }
    if (xs.rank() == 5) {
      throw new OpException("3-D convolution is not supported (Kiln compiles 1-D and 2-D CNNs)");
    }
    if (xs.rank() != 3 && xs.rank() != 4) {
      throw new OpException("input must be [N,C,W] or [N,C,H,W], got " + xs);
    }
    if (ws.rank() != xs.rank()) {
      throw new OpException("weights " + ws + " do not match the rank of input " + xs);
    }
    int channels = xs.dim(1);
    if (channels % group != 0 || ws.dim(0) % group != 0) {
      throw new OpException("group " + group + " does not divide input channels " + channels
          + " and output channels " + ws.dim(0));
    }
    if (ws.dim(1) * group != channels) {
      throw new OpException("weights " + ws + " expect " + ws.dim(1) * group
          + " input channels (group " + group + ") but the input " + xs + " has " + channels);
    }
    if (bias != null && !bias.shape().equals(Shape.of(ws.dim(0)))) {
      throw new OpException("bias " + bias.shape() + " does not match " + ws.dim(0) + " output channels");
    }
    int spatial = xs.rank() - 2;
    int[] inDims = new int[spatial];
    int[] kernel = new int[spatial];
    for (int i = 0; i < spatial; i++) {
      inDims[i] = xs.dim(2 + i);
      kernel[i] = ws.dim(2 + i);
    }
    return window.resolve(inDims, kernel);
  }

  @Override
  public List<TensorType> inferTypes(InferenceContext ctx) {
    TensorType x = ctx.inputType(0);
    TensorType w = ctx.inputType(1);
    Window.Resolved r = resolve(x, w, ctx.hasInput(2) ? ctx.inputType(2) : null);
    int[] out = new int[2 + r.rank()];
    out[0] = x.shape().dim(0);
    out[1] = w.shape().dim(0);
    System.arraycopy(r.outDims(), 0, out, 2, r.rank());
    return List.of(new TensorType(DType.FLOAT32, Shape.of(out)));
  }

  /** The runtime-min geometry for these input types. */
  public ConvShape convShape(TensorType x, TensorType w, TensorType bias) {
    Window.Resolved r = resolve(x, w, bias);
    return r.toConvShape(x.shape().dim(0), x.shape().dim(1), w.shape().dim(0), group);
  }

  @Override
  public Tensor[] evaluate(Tensor[] inputs, TensorType[] outputTypes) {
    Tensor bias = inputs.length > 2 ? inputs[2] : null;
    ConvShape s = convShape(inputs[0].type(), inputs[1].type(), bias == null ? null : bias.type());
    float[] out = new float[outputTypes[0].elementCount()];
    ReferenceConv.conv2d(s, inputs[0].toFloatArray(), 0, inputs[1].toFloatArray(), 0,
        bias == null ? null : bias.toFloatArray(), 0, out, 0);
    return new Tensor[] {Tensor.adopt(outputTypes[0].shape(), out)};
  }

  /** 2 FLOPs per multiply-add, plus one add per output for the bias. */
  @Override
  public Cost cost(CostContext ctx) {
    Shape w = ctx.inputType(1).shape();
    long macsPerOutput = (long) w.product(1, w.rank());
    long outputs = ctx.outputElements(0);
    boolean hasBias = ctx.inputCount() > 2 && ctx.inputType(2) != null;
    return ctx.movementCost(2 * macsPerOutput * outputs + (hasBias ? outputs : 0));
  }
}
