package dev.kiln.compiler.lower;

import dev.kiln.compiler.ir.Node;
import dev.kiln.compiler.ir.Shape;
import dev.kiln.compiler.ops.Interpolation;
import dev.kiln.compiler.ops.Resize;
import dev.kiln.compiler.ops.Upsample;
import dev.kiln.runtime.kernels.reference.ReferenceResize;
import java.util.List;

/**
 * Resize and Upsample: the operator computes its sampling tables at compile time, exactly as its
 * evaluation does; the offset tables become int[] constants and the linear taps' weights go to the
 * weights array.
 */
final class ResizeLowering {
  private ResizeLowering() {}

  static List<KernelCall> lower(Node node, LoweringContext ctx) {
    String x = node.input(0);
    Shape in = ctx.type(x).shape();
    Interpolation.Tables tables;
    if (node.op() instanceof Resize resize) {
      tables = resize.tables(in, ctx.constantInput(node, resize.scalesIndex(), "scales"),
          resize.sizesIndex() < 0 ? null : ctx.constantInput(node, resize.sizesIndex(), "sizes"));
    } else {
      tables = ((Upsample) node.op()).tables(in, ctx.constantInput(node, 1, "scales"));
    }
    if (ctx.type(node.output(0)).elementCount() == 0) {
      return List.of();
    }
    Arg.IntArrayArg outDims = new Arg.IntArrayArg(tables.outDims(), "outDims");
    if (tables.nearest()) {
      return List.of(new KernelCall(node.name(), node.opType(), "nearest", ReferenceResize.class,
          "nearest", List.of(outDims, new Arg.IntArrayArg(tables.low(), "sourceOffsets"),
              ctx.array(x), ctx.offset(x, "inOffset"), new Arg.Arena(),
              ctx.offset(node.output(0), "outOffset"))));
    }
    int weightsOffset = ctx.addWeights("resize taps:" + node.name(), tables.weights());
    return List.of(new KernelCall(node.name(), node.opType(), "linear", ReferenceResize.class,
        "linear", List.of(outDims, new Arg.IntArrayArg(tables.low(), "lowOffsets"),
            new Arg.IntArrayArg(tables.high(), "highOffsets"), new Arg.Weights(),
            new Arg.IntArg(weightsOffset, "tapWeightsOffset"), ctx.array(x),
            ctx.offset(x, "inOffset"), new Arg.Arena(), ctx.offset(node.output(0), "outOffset"))));
  }
}
