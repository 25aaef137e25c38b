package dev.kiln.compiler.lower;

import dev.kiln.compiler.ir.Node;
import dev.kiln.compiler.ops.ReduceMean;
import dev.kiln.runtime.kernels.reference.ReferenceReduce;
import java.util.List;

/**
 * ReduceMean over axes known at compile time, with the operator's own split of the input's
 * dimensions into kept and reduced ones.
 */
final class ReduceLowering {
  private ReduceLowering() {}

  static List<KernelCall> mean(Node node, LoweringContext ctx) {
    String x = node.input(0);
    ReduceMean.Reduction r = ((ReduceMean) node.op()).reduction(ctx.type(x).shape(),
        ctx.constantInput(node, 1, "axes"));
    if (ctx.type(node.output(0)).elementCount() == 0) {
      return List.of();
    }
    return List.of(new KernelCall(node.name(), node.opType(), "", ReferenceReduce.class, "mean",
        List.of(new Arg.IntArrayArg(r.keptDims(), "keptDims"),
            new Arg.IntArrayArg(r.keptStrides(), "keptStrides"),
            new Arg.IntArrayArg(r.reducedDims(), "reducedDims"),
            new Arg.IntArrayArg(r.reducedStrides(), "reducedStrides"),
            ctx.array(x), ctx.offset(x, "inOffset"), new Arg.Arena(),
            ctx.offset(node.output(0), "outOffset"))));
  }
}
