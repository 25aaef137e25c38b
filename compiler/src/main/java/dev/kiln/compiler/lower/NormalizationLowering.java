package dev.kiln.compiler.lower;

import dev.kiln.compiler.ir.Node;
import dev.kiln.compiler.ir.Shape;
import dev.kiln.compiler.ops.BatchNormalization;
import dev.kiln.compiler.ops.Softmax;
import dev.kiln.runtime.kernels.reference.ReferenceNormalization;
import dev.kiln.runtime.kernels.reference.ReferenceSoftmax;
import java.util.ArrayList;
import java.util.List;

/** BatchNormalization that was not folded, and Softmax. */
final class NormalizationLowering implements OpLowering {
  @Override
  public List<KernelCall> lower(Node node, LoweringContext ctx) {
    String x = node.input(0);
    Shape s = ctx.type(x).shape();
    Arg.IntArg outOffset = new Arg.IntArg(ctx.arenaOffset(node.output(0)), "outOffset");
    if (node.op() instanceof Softmax softmax) {
      int[] view = softmax.kernelView(s);
      return List.of(new KernelCall(node.name(), node.opType(), "", ReferenceSoftmax.class, "softmax",
          List.of(new Arg.IntArg(view[0], "outer"), new Arg.IntArg(view[1], "axisSize"),
              new Arg.IntArg(view[2], "inner"), ctx.array(x), ctx.offset(x, "inOffset"),
              new Arg.Arena(), outOffset)));
    }
    BatchNormalization bn = (BatchNormalization) node.op();
    List<Arg> args = new ArrayList<>(List.of(
        new Arg.IntArg(s.dim(0), "batch"), new Arg.IntArg(s.dim(1), "channels"),
        new Arg.IntArg(s.product(2, s.rank()), "spatial"), new Arg.FloatArg(bn.epsilon(), "epsilon"),
        ctx.array(x), ctx.offset(x, "inOffset")));
    String[] roles = {"scale", "bias", "mean", "var"};
    for (int i = 1; i <= 4; i++) {
      if (!ctx.isConstant(node.input(i))) {
        throw ctx.error(node, roles[i - 1] + " computed at run time is not supported (it must be constant)");
      }
      args.add(new Arg.Weights());
      args.add(ctx.offset(node.input(i), roles[i - 1] + "Offset"));
    }
    args.add(new Arg.Arena());
    args.add(outOffset);
    return List.of(new KernelCall(node.name(), node.opType(), "", ReferenceNormalization.class,
        "batchNorm", args));
  }
}
