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
import dev.kiln.compiler.ops.EpilogueStep.ResidualAddStep;
import dev.kiln.compiler.ops.EpilogueStep.ScaleShiftStep;
import dev.kiln.runtime.kernels.ConvShape;
import dev.kiln.runtime.kernels.Epilogue;
import dev.kiln.runtime.kernels.reference.ReferenceConv;
import java.util.ArrayList;
import java.util.List;

/**
 * {@code kiln.FusedConv}: a convolution whose epilogue (bias, then activations, a residual add and
 * scale-shifts, in order) runs on each output as it is produced, as runtime-min's {@link Epilogue}
 * defines. Only the optimizer creates it (it is not an ONNX operator and the importers do not know
 * it).
 *
 * <p>Inputs, in this order: X, W, B (the empty name when there is no bias), the residual when a step
 * adds one, then a scale and a shift (each {@code [M]}) per scale-shift step, in step order. Trailing
 * empty inputs are left out.
 *
 * @param conv the convolution's geometry and groups
 * @param hasBias whether input 2 is a bias
 * @param steps what follows the bias, in order; at most one residual add
 */
public record FusedConv(Conv conv, boolean hasBias, List<EpilogueStep> steps) implements Op {
  public static final String TYPE = "kiln.FusedConv";

  /** Where the residual input sits, when there is one. */
  public static final int RESIDUAL_INPUT = 3;

  public FusedConv {
    steps = List.copyOf(steps);
    long residuals = steps.stream().filter(s -> s instanceof ResidualAddStep).count();
    if (residuals > 1) {
      throw new OpException("an epilogue adds at most one residual, got " + EpilogueStep.describe(hasBias, steps));
    }
  }

  /** The attributes {@link #attributes()} writes: the Conv's and {@code epilogue}. */
  public static FusedConv fromAttributes(Attributes a, int opset) {
    a.requireOnly("kernel_shape", "strides", "pads", "dilations", "auto_pad", "group", "epilogue");
    String epilogue = a.getString("epilogue", "NONE");
    return new FusedConv(new Conv(Window.fromAttributes(a, false), a.getInt32("group", 1)),
        EpilogueStep.describesBias(epilogue), EpilogueStep.parse(epilogue));
  }

  /** A copy with one more step at the end. */
  public FusedConv withStep(EpilogueStep step) {
    List<EpilogueStep> more = new ArrayList<>(steps);
    more.add(step);
    return new FusedConv(conv, hasBias, more);
  }

  public boolean hasResidual() {
    return steps.stream().anyMatch(s -> s instanceof ResidualAddStep);
  }

  public int scaleShiftCount() {
    return (int) steps.stream().filter(s -> s instanceof ScaleShiftStep).count();
  }

  /** The input index of scale-shift step {@code k}'s scale; its shift follows it. */
  public int scaleInput(int k) {
    return RESIDUAL_INPUT + (hasResidual() ? 1 : 0) + 2 * k;
  }

  /** How many inputs a node of this operator has. */
  public int inputCount() {
    int extras = (hasResidual() ? 1 : 0) + 2 * scaleShiftCount();
    return extras == 0 && !hasBias ? 2 : 3 + extras;
  }

  /** {@code BIAS -> ADD_RESIDUAL -> RELU}: the runtime {@link Epilogue#toString()} form. */
  public String describeEpilogue() {
    return EpilogueStep.describe(hasBias, steps);
  }

  /**
   * The node's inputs in this operator's order.
   *
   * @param bias the bias value, or "" for none
   * @param residual the residual value, or "" for none
   * @param scaleShifts scale, shift, scale, shift... in step order
   */
  public static List<String> inputs(String x, String w, String bias, String residual,
      List<String> scaleShifts) {
    List<String> in = new ArrayList<>(List.of(x, w, bias));
    if (!residual.isEmpty()) {
      in.add(residual);
    }
    in.addAll(scaleShifts);
    while (in.size() > 2 && in.get(in.size() - 1).isEmpty()) {
      in.remove(in.size() - 1);
    }
    return in;
  }

  @Override
  public String type() {
    return TYPE;
  }

  @Override
  public Arity arity() {
    return new Arity(2, Arity.VARIADIC, 1, 1);
  }

  @Override
  public Attributes attributes() {
    Attributes.Builder b = Attributes.builder();
    conv.window().writeTo(b, false);
    if (conv.group() != 1) {
      b.putInt("group", conv.group());
    }
    return b.putString("epilogue", describeEpilogue()).build();
  }

  @Override
  public List<TensorType> inferTypes(InferenceContext ctx) {
    if (ctx.inputCount() != inputCount()) {
      throw new OpException("epilogue " + describeEpilogue() + " needs " + inputCount()
          + " inputs, got " + ctx.inputCount());
    }
    if (hasBias != ctx.hasInput(2)) {
      throw new OpException("epilogue " + describeEpilogue() + (hasBias ? " needs" : " has no")
          + " bias input");
    }
    TensorType x = ctx.inputType(0);
    TensorType w = ctx.inputType(1);
    TensorType out = conv.inferTypes(new InferenceContext(
        new TensorType[] {x, w, hasBias ? ctx.inputType(2) : null},
        new Tensor[] {null, null, null}, 1)).get(0);
    if (hasResidual() && !ctx.inputType(RESIDUAL_INPUT).equals(out)) {
      throw new OpException("residual " + ctx.inputType(RESIDUAL_INPUT) + " differs from the output "
          + out);
    }
    Shape perChannel = Shape.of(out.shape().dim(1));
    for (int k = 0; k < scaleShiftCount(); k++) {
      for (int i = scaleInput(k); i <= scaleInput(k) + 1; i++) {
        TensorType t = ctx.inputType(i);
        if (t.dtype() != DType.FLOAT32 || !t.shape().equals(perChannel)) {
          throw new OpException("scale-shift input " + i + " is " + t + ", expected float32"
              + perChannel + " (one per output channel)");
        }
      }
    }
    return List.of(out);
  }

  /**
   * The runtime epilogue for this node, from the values of its inputs (the residual and X/W are not
   * read; bias and scale-shift inputs must be given).
   */
  public Epilogue epilogue(Tensor[] inputs) {
    Epilogue.Builder b = Epilogue.builder();
    if (hasBias) {
      b.bias(inputs[2].toFloatArray());
    }
    int scaleShift = 0;
    for (EpilogueStep s : steps) {
      if (s instanceof EpilogueStep.ActivationStep a) {
        b.activation(a.activation(), a.alpha(), a.beta());
      } else if (s instanceof ResidualAddStep) {
        b.residualAdd();
      } else {
        int at = scaleInput(scaleShift++);
        b.scaleShift(inputs[at].toFloatArray(), inputs[at + 1].toFloatArray());
      }
    }
    return b.build();
  }

  /** The plain convolution, then the runtime's own epilogue, so the numbers are the runtime's. */
  @Override
  public Tensor[] evaluate(Tensor[] inputs, TensorType[] outputTypes) {
    ConvShape s = conv.convShape(inputs[0].type(), inputs[1].type(),
        hasBias ? inputs[2].type() : null);
    float[] out = new float[outputTypes[0].elementCount()];
    ReferenceConv.conv2d(s, inputs[0].toFloatArray(), 0, inputs[1].toFloatArray(), 0, null, 0, out, 0);
    Epilogue epilogue = epilogue(inputs);
    float[] residual = hasResidual() ? inputs[RESIDUAL_INPUT].toFloatArray() : null;
    int plane = s.outH * s.outW;
    for (int n = 0; n < s.batch; n++) {
      for (int m = 0; m < s.outChannels; m++) {
        int base = (n * s.outChannels + m) * plane;
        epilogue.apply(m, out, base, plane, residual, base);
      }
    }
    return new Tensor[] {Tensor.adopt(outputTypes[0].shape(), out)};
  }

  /** The convolution's cost plus each epilogue step's arithmetic on every output. */
  @Override
  public Cost cost(CostContext ctx) {
    Cost c = conv.cost(ctx);
    long perElement = 0;
    for (EpilogueStep s : steps) {
      perElement += s.flopsPerElement();
    }
    return new Cost(c.flops() + perElement * ctx.outputElements(0), c.parameterBytes(),
        c.bytesRead(), c.bytesWritten());
  }
}
