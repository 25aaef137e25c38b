package dev.kiln.compiler.lower;

import dev.kiln.compiler.ir.Node;
import dev.kiln.compiler.ir.Shape;
import dev.kiln.compiler.ops.BatchNormalization;
import dev.kiln.compiler.ops.ScaleShift;
import dev.kiln.compiler.ops.Softmax;
import dev.kiln.runtime.kernels.reference.ReferenceNormalization;
import dev.kiln.runtime.kernels.reference.ReferenceSoftmax;
import java.util.ArrayList;
import java.util.List;

/** BatchNormalization that was not folded, the optimizer's ScaleShift, and Softmax. */
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
    if (node.op() instanceof ScaleShift) {
      List<Arg> args = new ArrayList<>(List.of(new Arg.IntArg(s.dim(0), "batch"),
          new Arg.IntArg(s.dim(1), "channels"), new Arg.IntArg(s.product(2, s.rank()), "spatial"),
          ctx.array(x), ctx.offset(x, "inOffset")));
      addConstants(node, ctx, args, 1, "scale", "shift");
      args.add(new Arg.Arena());
      args.add(outOffset);
      return List.of(new KernelCall(node.name(), node.opType(), "", ReferenceNormalization.class,
          "scaleShift", args));
    }
    BatchNormalization bn = (BatchNormalization) node.op();
    List<Arg> args = new ArrayList<>(List.of(
        new Arg.IntArg(s.dim(0), "batch"), new Arg.IntArg(s.dim(1), "channels"),
        new Arg.IntArg(s.product(2, s.rank()), "spatial"), new Arg.FloatArg(bn.epsilon(), "epsilon"),
        ctx.array(x), ctx.offset(x, "inOffset")));
    addConstants(node, ctx, args, 1, "scale", "bias", "mean", "var");
    args.add(new Arg.Arena());
    args.add(outOffset);
    return List.of(new KernelCall(node.name(), node.opType(), "", ReferenceNormalization.class,
        "batchNorm", args));
  }

  /** Per-channel vectors that must be constants: each becomes (weights, offset). */
  private static void addConstants(Node node, LoweringContext ctx, List<Arg> args, int first,
      String... roles) {
    for (int k = 0; k < roles.length; k++) {
      String v = node.input(first + k);
      if (!ctx.isConstant(v)) {
        throw ctx.error(node, roles[k] + " computed at run time is not supported (it must be constant)");
      }
      args.add(new Arg.Weights());
      args.add(ctx.offset(v, roles[k] + "Offset"));
    }
  }
}
