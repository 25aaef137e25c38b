package dev.kiln.compiler.lower;

import dev.kiln.compiler.ir.Node;
import dev.kiln.compiler.ir.Tensor;
import dev.kiln.compiler.ops.Constant;
import dev.kiln.compiler.ops.ConstantOfShape;
import dev.kiln.runtime.kernels.reference.ReferenceLayout;
import java.util.ArrayList;
import java.util.List;

/**
 * Nodes whose output is a copy or a fill: views the memory plan could not eliminate (a view of a
 * constant must bring the constant into the arena), Dropout with its mask, Cast to float32, and
 * float32 Constant and ConstantOfShape nodes that were not folded.
 */
final class CopyLowering {
  private CopyLowering() {}

  /** Reshape, Flatten, Squeeze, Unsqueeze, Identity: the data is unchanged, only its shape. */
  static List<KernelCall> view(Node node, LoweringContext ctx) {
    return copy(node, ctx, node.input(0), node.output(0), "a view the memory plan did not eliminate");
  }

  /**
   * Dropout at inference: the input, and a mask that keeps everything. A float32 mask (before opset
   * 10) is filled with 1; a bool mask has no place in a float arena and is only allowed when nothing
   * reads it.
   */
  static List<KernelCall> dropout(Node node, LoweringContext ctx) {
    List<KernelCall> calls = new ArrayList<>(view(node, ctx));
    String mask = node.outputs().size() > 1 ? node.output(1) : "";
    if (mask.isEmpty()) {
      return calls;
    }
    if (ctx.type(mask).dtype().isFloat()) {
      calls.addAll(fill(node, ctx, 1f, mask, "mask: every element kept"));
    } else if (!ctx.graph().consumers(mask).isEmpty() || ctx.graph().isGraphOutput(mask)) {
      throw ctx.error(node, "mask '" + mask + "' is " + ctx.type(mask).dtype()
          + ": compiled code only computes float32 tensors");
    }
    return calls;
  }

  /**
   * Cast to float32 (the output check rejected other targets) from float32, or from a constant of
   * any type, whose values the weights hold converted to float.
   */
  static List<KernelCall> cast(Node node, LoweringContext ctx) {
    String x = node.input(0);
    if (!ctx.isConstant(x) && !ctx.type(x).dtype().isFloat()) {
      throw ctx.error(node, "input '" + x + "' is " + ctx.type(x).dtype()
          + " computed at run time: compiled code only computes float32 tensors");
    }
    return copy(node, ctx, x, node.output(0), "a cast from float32 to float32 copies");
  }

  /** A Constant node that was not folded: its value, copied from the weights. */
  static List<KernelCall> constant(Node node, LoweringContext ctx) {
    Tensor value = ((Constant) node.op()).value();
    if (value.elementCount() == 0) {
      return List.of();
    }
    int offset = ctx.addWeights("constant node:" + node.output(0), value.toFloatArray());
    return List.of(new KernelCall(node.name(), node.opType(), "", ReferenceLayout.class, "copy",
        List.of(new Arg.Weights(), new Arg.IntArg(offset, "srcOffset"), new Arg.Arena(),
            ctx.offset(node.output(0), "dstOffset"), new Arg.IntArg(value.elementCount(), "count"))));
  }

  /** A float32 ConstantOfShape that was not folded: a fill. */
  static List<KernelCall> constantOfShape(Node node, LoweringContext ctx) {
    float value = ((ConstantOfShape) node.op()).value().floatAt(0);
    return fill(node, ctx, value, node.output(0), "");
  }

  private static List<KernelCall> copy(Node node, LoweringContext ctx, String from, String to,
      String comment) {
    int count = ctx.type(to).elementCount();
    if (count == 0) {
      return List.of();
    }
    return List.of(new KernelCall(node.name(), node.opType(), comment, ReferenceLayout.class, "copy",
        List.of(ctx.array(from), ctx.offset(from, "srcOffset"), new Arg.Arena(),
            ctx.offset(to, "dstOffset"), new Arg.IntArg(count, "count"))));
  }

  private static List<KernelCall> fill(Node node, LoweringContext ctx, float value, String to,
      String comment) {
    int count = ctx.type(to).elementCount();
    if (count == 0) {
      return List.of();
    }
    return List.of(new KernelCall(node.name(), node.opType(), comment, ReferenceLayout.class, "fill",
        List.of(new Arg.FloatArg(value, "value"), new Arg.Arena(), ctx.offset(to, "outOffset"),
            new Arg.IntArg(count, "count"))));
  }
}
