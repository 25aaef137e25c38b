package dev.kiln.compiler.lower;

import dev.kiln.compiler.ir.Node;
import dev.kiln.compiler.ir.Shape;
import dev.kiln.compiler.ir.Tensor;
import dev.kiln.compiler.ops.Concat;
import dev.kiln.compiler.ops.Gather;
import dev.kiln.compiler.ops.Pad;
import dev.kiln.compiler.ops.Slice;
import dev.kiln.compiler.ops.Split;
import dev.kiln.compiler.ops.StridedCopy;
import dev.kiln.compiler.ops.Transpose;
import dev.kiln.runtime.kernels.reference.ReferenceLayout;
import dev.kiln.runtime.kernels.reference.ReferencePad;
import java.util.ArrayList;
import java.util.List;

/**
 * Data movement: Concat (one copy per input, when the memory plan did not write the inputs in
 * place), Split, Slice, Transpose, Gather and Pad. The copies are the ones the operators' own
 * evaluation runs, taken from the same helpers, with the values' arena or weights offsets added.
 */
final class LayoutLowering {
  private LayoutLowering() {}

  static List<KernelCall> concat(Node node, LoweringContext ctx) {
    List<Shape> shapes = new ArrayList<>();
    for (String in : node.inputs()) {
      shapes.add(ctx.type(in).shape());
    }
    List<StridedCopy> copies = ((Concat) node.op()).copies(shapes, ctx.type(node.output(0)).shape());
    List<KernelCall> calls = new ArrayList<>();
    for (int i = 0; i < copies.size(); i++) {
      if (ctx.type(node.input(i)).elementCount() > 0) {
        calls.add(stridedCopy(node, ctx, "input " + i, node.input(i), node.output(0), copies.get(i)));
      }
    }
    return calls;
  }

  static List<KernelCall> split(Node node, LoweringContext ctx) {
    String x = node.input(0);
    List<StridedCopy> copies = ((Split) node.op()).copies(ctx.type(x).shape(),
        ctx.constantInput(node, 1, "split"), node.outputs().size());
    List<KernelCall> calls = new ArrayList<>();
    for (int i = 0; i < copies.size(); i++) {
      String out = node.output(i);
      // An output nobody reads has an empty name and no memory.
      if (!out.isEmpty() && ctx.type(out).elementCount() > 0) {
        calls.add(stridedCopy(node, ctx, "output " + i, x, out, copies.get(i)));
      }
    }
    return calls;
  }

  static List<KernelCall> slice(Node node, LoweringContext ctx) {
    String x = node.input(0);
    Slice.Geometry g = ((Slice) node.op()).geometry(ctx.type(x).shape(),
        ctx.constantInput(node, 1, "starts"), ctx.constantInput(node, 2, "ends"),
        ctx.constantInput(node, 3, "axes"), ctx.constantInput(node, 4, "steps"));
    if (g.shape().elementCount() == 0) {
      return List.of();
    }
    StridedCopy copy = new StridedCopy(g.shape().dims(), g.offset(), g.strides(), 0,
        g.shape().strides());
    return List.of(stridedCopy(node, ctx, "", x, node.output(0), copy));
  }

  static List<KernelCall> transpose(Node node, LoweringContext ctx) {
    String x = node.input(0);
    Shape out = ctx.type(node.output(0)).shape();
    if (out.elementCount() == 0) {
      return List.of();
    }
    StridedCopy copy = new StridedCopy(out.dims(), 0,
        ((Transpose) node.op()).sourceStrides(ctx.type(x).shape()), 0, out.strides());
    return List.of(stridedCopy(node, ctx, "", x, node.output(0), copy));
  }

  /** Gather by indices known at compile time; ones computed at run time would be int64 data. */
  static List<KernelCall> gather(Node node, LoweringContext ctx) {
    String data = node.input(0);
    Tensor indices = ctx.constantInput(node, 1, "indices");
    // In range: type inference checked every known index against the axis.
    int[] rows = new int[indices.elementCount()];
    for (int i = 0; i < rows.length; i++) {
      rows[i] = (int) indices.longAt(i);
    }
    int[] view = ((Gather) node.op()).kernelView(ctx.type(data).shape());
    return List.of(new KernelCall(node.name(), node.opType(), "", ReferenceLayout.class, "gather",
        List.of(new Arg.IntArg(view[0], "outer"), new Arg.IntArg(view[1], "axisLength"),
            new Arg.IntArg(view[2], "inner"), ctx.array(data), ctx.offset(data, "dataOffset"),
            new Arg.IntArrayArg(rows, "indices"), new Arg.Arena(),
            ctx.offset(node.output(0), "outOffset"))));
  }

  /**
   * Pad: the view left after negative pads crop, padded. A {@code constant_value} computed at run
   * time is read from the arena as the kernel runs.
   */
  static List<KernelCall> pad(Node node, LoweringContext ctx) {
    Pad pad = (Pad) node.op();
    String x = node.input(0);
    Shape in = ctx.type(x).shape();
    int[][] pads = pad.pads(in, ctx.constantInput(node, 1, "pads"), ctx.constantInput(node, 3, "axes"));
    Pad.Geometry g = pad.geometry(in, pads);
    List<Arg> args = new ArrayList<>();
    args.add(new Arg.EnumArg(pad.mode()));
    if (!node.hasInput(2)) {
      args.add(new Arg.FloatArg(pad.valueAttribute(), "value"));
    } else if (ctx.isConstant(node.input(2))) {
      args.add(new Arg.FloatArg(ctx.constant(node.input(2)).floatAt(0), "value"));
    } else {
      args.add(ctx.array(node.input(2)));
      args.add(ctx.offset(node.input(2), "valueOffset"));
    }
    args.addAll(List.of(new Arg.IntArrayArg(g.viewDims(), "viewDims"),
        new Arg.IntArrayArg(in.strides(), "inStrides"),
        new Arg.IntArrayArg(g.padsBefore(), "padsBefore"),
        new Arg.IntArrayArg(g.output().dims(), "outDims"),
        new Arg.IntArrayArg(g.output().strides(), "outStrides"),
        ctx.array(x), new Arg.IntArg(ctx.floatOffset(x) + g.viewOffset(), "inOffset"),
        new Arg.Arena(), ctx.offset(node.output(0), "outOffset")));
    return List.of(new KernelCall(node.name(), node.opType(), "", ReferencePad.class, "pad", args));
  }

  /** A copy planned by an operator, from value {@code from} (arena or weights) into the arena. */
  private static KernelCall stridedCopy(Node node, LoweringContext ctx, String comment, String from,
      String to, StridedCopy c) {
    return new KernelCall(node.name(), node.opType(), comment, ReferenceLayout.class, "stridedCopy",
        List.of(new Arg.IntArrayArg(c.dims(), "dims"),
            ctx.array(from), new Arg.IntArg(ctx.floatOffset(from) + c.srcOffset(), "srcOffset"),
            new Arg.IntArrayArg(c.srcStrides(), "srcStrides"),
            new Arg.Arena(), new Arg.IntArg(ctx.arenaOffset(to) + c.dstOffset(), "dstOffset"),
            new Arg.IntArrayArg(c.dstStrides(), "dstStrides")));
  }
}
