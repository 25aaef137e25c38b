package dev.kiln.compiler.lower;

import dev.kiln.compiler.ir.Graph;
import dev.kiln.compiler.ir.Node;
import dev.kiln.compiler.ir.TensorType;
import dev.kiln.compiler.ops.Conv;
import dev.kiln.compiler.ops.EpilogueStep;
import dev.kiln.compiler.ops.FusedConv;
import dev.kiln.runtime.kernels.ConvShape;
import dev.kiln.runtime.kernels.conv.ConvRunner;
import java.util.ArrayList;
import java.util.List;

/**
 * Conv and the optimizer's FusedConv: the chosen algorithm's packed weights, the epilogue (bias, then
 * the fused steps with their vectors in the weights), one {@link ConvRunner} call.
 */
final class ConvLowering implements OpLowering {
  /** The geometry of a Conv or FusedConv node. */
  static ConvShape shapeOf(Node node, Graph graph) {
    Conv conv = node.op() instanceof FusedConv f ? f.conv() : (Conv) node.op();
    TensorType bias = node.hasInput(2) ? graph.type(node.input(2)) : null;
    return conv.convShape(graph.type(node.input(0)), graph.type(node.input(1)), bias);
  }

  @Override
  public List<KernelCall> lower(Node node, LoweringContext ctx) {
    ConvShape shape = shapeOf(node, ctx.graph());
    ConvChoice choice = ctx.convChoice(node, shape);
    if (!ctx.isConstant(node.input(1))) {
      throw ctx.error(node, "weights computed at run time are not supported (they must be constant)");
    }
    float[] packed = new float[choice.kernel().packedWeightFloats(shape)];
    choice.kernel().packWeights(shape, ctx.constant(node.input(1)).toFloatArray(), 0, packed, 0);
    int weightOffset = ctx.addWeights(Lowering.packedWeightsKey(choice.kernel().name(), node.input(1)),
        packed);
    int biasOffset = -1;
    if (node.hasInput(2)) {
      if (!ctx.isConstant(node.input(2))) {
        throw ctx.error(node, "a bias computed at run time is not supported (it must be constant)");
      }
      biasOffset = ctx.constantOffset(node.input(2));
    }
    if (!(node.op() instanceof FusedConv fused)) {
      EpilogueSpec epilogue = EpilogueSpec.biasOnly(shape.outChannels, biasOffset);
      return List.of(call(node, ctx, choice, shape, epilogue, weightOffset, null));
    }
    List<EpilogueSpec.Step> steps = new ArrayList<>();
    int scaleShift = 0;
    for (EpilogueStep step : fused.steps()) {
      if (step instanceof EpilogueStep.ActivationStep a) {
        steps.add(new EpilogueSpec.Activation(a.activation(), a.alpha(), a.beta()));
      } else if (step instanceof EpilogueStep.ResidualAddStep) {
        steps.add(new EpilogueSpec.ResidualAdd());
      } else {
        int at = fused.scaleInput(scaleShift++);
        for (int i = at; i <= at + 1; i++) {
          if (!ctx.isConstant(node.input(i))) {
            throw ctx.error(node, "a scale-shift computed at run time is not supported (it must be constant)");
          }
        }
        steps.add(new EpilogueSpec.ScaleShift(ctx.constantOffset(node.input(at)),
            ctx.constantOffset(node.input(at + 1))));
      }
    }
    EpilogueSpec epilogue = new EpilogueSpec(shape.outChannels, biasOffset, steps);
    String residual = fused.hasResidual() ? node.input(FusedConv.RESIDUAL_INPUT) : null;
    return List.of(call(node, ctx, choice, shape, epilogue, weightOffset, residual));
  }

  /** The ConvRunner call, shared with the fused convolution's lowering. */
  static KernelCall call(Node node, LoweringContext ctx, ConvChoice choice, ConvShape shape,
      EpilogueSpec epilogue, int weightOffset, String residual) {
    String x = node.input(0);
    return new KernelCall(node.name(), node.opType(),
        choice.kernel().name() + ": " + choice.reason(), ConvRunner.class, "run", List.of(
            new Arg.Team(),
            new Arg.StaticFieldArg(choice.kernelOwner(), choice.kernelField(),
                dev.kiln.runtime.kernels.conv.ConvKernel.class),
            new Arg.ConvShapeArg(shape, "shape"),
            new Arg.EpilogueArg(epilogue, "epilogue"),
            ctx.array(x), ctx.offset(x, "inOffset"),
            new Arg.Weights(), new Arg.IntArg(weightOffset, "weightOffset"),
            new Arg.Arena(), new Arg.IntArg(ctx.arenaOffset(node.output(0)), "outOffset"),
            residual == null ? new Arg.NullArray() : ctx.array(residual),
            residual == null ? new Arg.IntArg(0, "residualOffset") : ctx.offset(residual, "residualOffset"),
            new Arg.Arena(), new Arg.IntArg(ctx.scratchOffset(node), "workspaceOffset")));
  }
}
