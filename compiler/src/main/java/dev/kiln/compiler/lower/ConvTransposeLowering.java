package dev.kiln.compiler.lower;

import dev.kiln.compiler.ir.Node;
import dev.kiln.compiler.ops.ConvTranspose;
import dev.kiln.runtime.kernels.ConvShape;
import dev.kiln.runtime.kernels.reference.ReferenceConv;
import java.util.List;

/**
 * ConvTranspose, 1-D and 2-D, on the reference kernel: weights and bias are read where they are
 * (the weights array, or the arena when computed at run time), unpacked.
 */
final class ConvTransposeLowering {
  private ConvTransposeLowering() {}

  static List<KernelCall> lower(Node node, LoweringContext ctx) {
    String x = node.input(0);
    String w = node.input(1);
    String bias = node.input(2);
    ConvShape shape = ((ConvTranspose) node.op()).convShape(ctx.type(x), ctx.type(w),
        bias.isEmpty() ? null : ctx.type(bias));
    return List.of(new KernelCall(node.name(), node.opType(), "", ReferenceConv.class,
        "convTranspose2d", List.of(new Arg.ConvShapeArg(shape, "shape"),
            ctx.array(x), ctx.offset(x, "inOffset"), ctx.array(w), ctx.offset(w, "weightOffset"),
            bias.isEmpty() ? new Arg.NullArray() : ctx.array(bias),
            bias.isEmpty() ? new Arg.IntArg(0, "biasOffset") : ctx.offset(bias, "biasOffset"),
            new Arg.Arena(), ctx.offset(node.output(0), "outOffset"))));
  }
}
