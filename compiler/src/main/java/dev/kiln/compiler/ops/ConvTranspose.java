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
import java.util.Arrays;
import java.util.List;

/**
 * ConvTranspose (opsets 1, 11), 1-D and 2-D: the gradient of Conv with respect to its input, as
 * decoders and segmentation heads upsample. Inputs X {@code [N, C, (H,) W]}, W {@code [C, M/group,
 * (kH,) kW]}, optional B {@code [M]}.
 *
 * <p>Per spatial axis, with the full output {@code F = s·(in − 1) + output_padding + d·(k − 1) + 1}:
 * <ul>
 *   <li>explicit pads: {@code out = F − pad_begin − pad_end};
 *   <li>{@code output_shape} given: {@code out} is that, and the total pad {@code max(0, F − out)} is
 *       split with the odd one at the end for SAME_UPPER and at the beginning otherwise (explicit pads
 *       are then ignored); an output larger than F holds only the bias past F, and may exceed it by
 *       less than {@code s − output_padding};
 *   <li>SAME_UPPER/SAME_LOWER: the same split of {@code max(0, F − in·s)}, so {@code out = in·s} unless
 *       the kernel is shorter than the stride;
 *   <li>VALID: no padding, {@code out = F}.
 * </ul>
 * This is the ONNX spec's text and what ONNX Runtime computes. Output padding, and any excess of
 * {@code output_shape} over F, must stay below the stride, so that a Conv with the same parameters
 * maps the output back to the input's size; ONNX Runtime enforces that, although the spec also
 * allows output padding below the dilation.
 */
public record ConvTranspose(Window window, int group, List<Integer> outputPadding,
    List<Integer> outputShape) implements Op {
  public static final String TYPE = "ConvTranspose";

  public ConvTranspose {
    if (group < 1) {
      throw new OpException("group must be positive, got " + group);
    }
    if (window.ceilMode()) {
      throw new IllegalArgumentException("ConvTranspose has no ceil_mode");
    }
    outputPadding = List.copyOf(outputPadding);
    outputShape = List.copyOf(outputShape);
  }

  public static ConvTranspose fromAttributes(Attributes a, int opset) {
    a.requireOnly("kernel_shape", "strides", "pads", "dilations", "auto_pad", "group",
        "output_padding", "output_shape");
    return new ConvTranspose(Window.fromAttributes(a, false), a.getInt32("group", 1),
        Window.list(a.getInts("output_padding")), Window.list(a.getInts("output_shape")));
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
    if (!outputPadding.isEmpty()) {
      b.putInts("output_padding", Window.ints(outputPadding));
    }
    if (!outputShape.isEmpty()) {
      b.putInts("output_shape", Window.ints(outputShape));
    }
    return b.build();
  }

  /** The runtime-min geometry for these input types, after checking X, W and B agree. */
  public ConvShape convShape(TensorType x, TensorType w, TensorType bias) {
    Shape xs = x.shape();
    Shape ws = w.shape();
    if (x.dtype() != DType.FLOAT32 || w.dtype() != DType.FLOAT32) {
      throw new OpException("expects float32 input and weights, got " + x.dtype() + " and " + w.dtype());
    }
    if (xs.rank() == 5) {
      throw new OpException("3-D transposed convolution is not supported (Kiln compiles 1-D and 2-D CNNs)");
    }
    if (xs.rank() != 3 && xs.rank() != 4) {
      throw new OpException("input must be [N,C,W] or [N,C,H,W], got " + xs);
    }
    if (ws.rank() != xs.rank()) {
      throw new OpException("weights " + ws + " do not match the rank of input " + xs);
    }
    int channels = xs.dim(1);
    if (ws.dim(0) != channels) {
      throw new OpException("weights " + ws + " expect " + ws.dim(0) + " input channels but the input "
          + xs + " has " + channels);
    }
    if (channels % group != 0) {
      throw new OpException("group " + group + " does not divide input channels " + channels);
    }
    int outChannels = ws.dim(1) * group;
    if (outChannels == 0) {
      throw new OpException("weights " + ws + " give no output channels");
    }
    if (bias != null && !bias.shape().equals(Shape.of(outChannels))) {
      throw new OpException("bias " + bias.shape() + " does not match " + outChannels
          + " output channels");
    }
    int rank = xs.rank() - 2;
    int[] in = Arrays.copyOfRange(xs.dims(), 2, xs.rank());
    int[] kernel = Arrays.copyOfRange(ws.dims(), 2, ws.rank());
    if (!window.kernelShape().isEmpty() && !Arrays.equals(Window.ints(window.kernelShape()), kernel)) {
      throw new OpException("kernel_shape " + window.kernelShape()
          + " does not match the weights' spatial shape " + Arrays.toString(kernel));
    }
    int[] s = perAxis(window.strides(), rank, 1, "strides");
    int[] d = perAxis(window.dilations(), rank, 1, "dilations");
    int[] adj = perAxis(outputPadding, rank, 0, "output_padding");
    int[] requested = requestedOutput(rank);
    if (!window.pads().isEmpty() && window.pads().size() != 2 * rank) {
      throw new OpException("pads has " + window.pads().size() + " values, expected " + 2 * rank);
    }
    int[] padBegin = new int[rank];
    int[] padEnd = new int[rank];
    int[] out = new int[rank];
    for (int i = 0; i < rank; i++) {
      if (kernel[i] < 1 || s[i] < 1 || d[i] < 1) {
        throw new OpException("kernel, strides and dilations must be positive, got kernel="
            + Arrays.toString(kernel) + " strides=" + Arrays.toString(s) + " dilations="
            + Arrays.toString(d));
      }
      if (adj[i] < 0 || adj[i] >= s[i]) {
        throw new OpException("output_padding " + outputPadding
            + " must be non-negative and smaller than the strides " + Arrays.toString(s));
      }
      long full = (long) s[i] * (in[i] - 1) + adj[i] + (long) d[i] * (kernel[i] - 1) + 1;
      if (requested != null && requested[i] >= full - adj[i] + s[i]) {
        throw new OpException("output_shape " + outputShape + " asks for " + requested[i]
            + " on spatial axis " + i + " but the input " + xs + " gives at most "
            + (full - adj[i] + s[i] - 1) + " with these weights and strides");
      }
      long size;
      if (requested != null || autoPadIsSame()) {
        long target = requested != null ? requested[i] : (long) in[i] * s[i];
        long total = Math.max(0, full - target);
        long small = total / 2;
        padBegin[i] = (int) (window.autoPad() == AutoPad.SAME_UPPER ? small : total - small);
        padEnd[i] = (int) (total - padBegin[i]);
        size = requested != null ? requested[i] : full - total;
      } else if (window.autoPad() == AutoPad.VALID) {
        size = full;
      } else {
        padBegin[i] = window.pads().isEmpty() ? 0 : window.pads().get(i);
        padEnd[i] = window.pads().isEmpty() ? 0 : window.pads().get(i + rank);
        if (padBegin[i] < 0 || padEnd[i] < 0) {
          throw new OpException("negative pads " + window.pads() + " are not supported");
        }
        size = full - padBegin[i] - padEnd[i];
      }
      if (size < 1 || size > Shape.MAX_ELEMENTS) {
        throw new OpException("output size " + size + " on spatial axis " + i
            + " is out of range (input " + xs + ", weights " + ws + ")");
      }
      out[i] = (int) size;
    }
    int batch = xs.dim(0);
    if (rank == 1) {
      return new ConvShape(batch, channels, 1, in[0], outChannels, 1, out[0], 1, kernel[0],
          1, s[0], 0, padBegin[0], 0, padEnd[0], 1, d[0], group);
    }
    return new ConvShape(batch, channels, in[0], in[1], outChannels, out[0], out[1],
        kernel[0], kernel[1], s[0], s[1], padBegin[0], padBegin[1], padEnd[0], padEnd[1],
        d[0], d[1], group);
  }

  private boolean autoPadIsSame() {
    return window.autoPad() == AutoPad.SAME_UPPER || window.autoPad() == AutoPad.SAME_LOWER;
  }

  /** The {@code output_shape} attribute, one value per spatial axis, or {@code null}. */
  private int[] requestedOutput(int rank) {
    if (outputShape.isEmpty()) {
      return null;
    }
    if (outputShape.size() != rank) {
      throw new OpException("output_shape has " + outputShape.size() + " values, expected " + rank
          + " (one per spatial axis)");
    }
    return Window.ints(outputShape);
  }

  private static int[] perAxis(List<Integer> values, int rank, int fill, String name) {
    if (values.isEmpty()) {
      int[] out = new int[rank];
      Arrays.fill(out, fill);
      return out;
    }
    if (values.size() != rank) {
      throw new OpException(name + " has " + values.size() + " values, expected " + rank);
    }
    return Window.ints(values);
  }

  @Override
  public List<TensorType> inferTypes(InferenceContext ctx) {
    TensorType x = ctx.inputType(0);
    ConvShape s = convShape(x, ctx.inputType(1), ctx.hasInput(2) ? ctx.inputType(2) : null);
    Shape out = x.rank() == 3
        ? Shape.of(s.batch, s.outChannels, s.outW)
        : Shape.of(s.batch, s.outChannels, s.outH, s.outW);
    return List.of(new TensorType(DType.FLOAT32, out));
  }

  @Override
  public Tensor[] evaluate(Tensor[] inputs, TensorType[] outputTypes) {
    Tensor bias = inputs.length > 2 ? inputs[2] : null;
    ConvShape s = convShape(inputs[0].type(), inputs[1].type(), bias == null ? null : bias.type());
    float[] out = new float[outputTypes[0].elementCount()];
    ReferenceConv.convTranspose2d(s, inputs[0].toFloatArray(), 0, inputs[1].toFloatArray(), 0,
        bias == null ? null : bias.toFloatArray(), 0, out, 0);
    return new Tensor[] {Tensor.adopt(outputTypes[0].shape(), out)};
  }

  /**
   * Each input position of each channel meets the M/group kernels of its group, kH·kW taps each, so
   * the multiply-adds are N·H·W times W's element count (those landing in cropped pads included), at
   * 2 FLOPs each; plus one add per output for the bias.
   */
  @Override
  public Cost cost(CostContext ctx) {
    TensorType x = ctx.inputType(0);
    TensorType w = ctx.inputType(1);
    long perChannelInputs = x.elementCount() / Math.max(1, x.shape().dim(1));
    long macs = perChannelInputs * w.elementCount();
    long outputs = ctx.outputElements(0);
    boolean hasBias = ctx.inputCount() > 2 && ctx.inputType(2) != null;
    return ctx.movementCost(2 * macs + (hasBias ? outputs : 0));
  }
}
