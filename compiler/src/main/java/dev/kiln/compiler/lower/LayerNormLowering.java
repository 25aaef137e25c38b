package dev.kiln.compiler.lower;

import dev.kiln.compiler.ir.Node;
import dev.kiln.compiler.ir.Shape;
import dev.kiln.compiler.ops.LayerNormalization;
import dev.kiln.runtime.kernels.reference.ReferenceNormalization;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * LayerNormalization: rows of the trailing dimensions from the axis on, with Scale and B read as one
 * value per row element.
 */
final class LayerNormLowering {
  private LayerNormLowering() {}

  static List<KernelCall> lower(Node node, LoweringContext ctx) {
    LayerNormalization ln = (LayerNormalization) node.op();
    String x = node.input(0);
    Shape s = ctx.type(x).shape();
    if (s.elementCount() == 0) {
      return List.of();
    }
    int axis = ln.normalizedAxis(s.rank());
    Shape normalized = Shape.of(Arrays.copyOfRange(s.dims(), axis, s.rank()));
    List<Arg> args = new ArrayList<>(List.of(new Arg.IntArg(s.product(0, axis), "rows"),
        new Arg.IntArg(normalized.elementCount(), "size"), new Arg.FloatArg(ln.epsilon(), "epsilon"),
        ctx.array(x), ctx.offset(x, "inOffset")));
    args.addAll(perElement(node, 1, "scale", normalized, ctx));
    if (node.hasInput(2)) {
      args.addAll(perElement(node, 2, "bias", normalized, ctx));
    } else {
      args.add(new Arg.NullArray());
      args.add(new Arg.IntArg(0, "biasOffset"));
    }
    args.add(new Arg.Arena());
    args.add(ctx.offset(node.output(0), "outOffset"));
    List<KernelCall> calls = new ArrayList<>();
    calls.add(new KernelCall(node.name(), node.opType(), "", ReferenceNormalization.class,
        "layerNorm", args));
    boolean mean = node.outputs().size() > 1 && !node.output(1).isEmpty();
    boolean invStdDev = node.outputs().size() > 2 && !node.output(2).isEmpty();
    if (mean || invStdDev) {
      calls.add(new KernelCall(node.name(), node.opType(), "Mean and InvStdDev outputs",
          ReferenceNormalization.class, "layerNormStatistics", List.of(
              new Arg.IntArg(s.product(0, axis), "rows"), new Arg.IntArg(normalized.elementCount(), "size"),
              new Arg.FloatArg(ln.epsilon(), "epsilon"), ctx.array(x), ctx.offset(x, "inOffset"),
              mean ? new Arg.Arena() : new Arg.NullArray(),
              new Arg.IntArg(mean ? ctx.arenaOffset(node.output(1)) : 0, "meanOffset"),
              invStdDev ? new Arg.Arena() : new Arg.NullArray(),
              new Arg.IntArg(invStdDev ? ctx.arenaOffset(node.output(2)) : 0, "invStdDevOffset"))));
    }
    return calls;
  }

  /**
   * Scale or B as the kernel reads it, one value per element of the normalized shape: a constant
   * that broadcasts is expanded into the weights, as the operator's evaluation expands it.
   */
  private static List<Arg> perElement(Node node, int i, String role, Shape normalized,
      LoweringContext ctx) {
    String v = node.input(i);
    if (ctx.type(v).elementCount() == normalized.elementCount()) {
      return List.of(ctx.array(v), ctx.offset(v, role + "Offset"));
    }
    if (!ctx.isConstant(v)) {
      throw ctx.error(node, role + " " + ctx.type(v).shape() + " computed at run time and broadcast"
          + " to " + normalized + " is not supported (it must be constant or of the normalized shape)");
    }
    int offset = ctx.addWeights("per element of " + normalized + ":" + v,
        LayerNormalization.perElement(ctx.constant(v), normalized));
    return List.of(new Arg.Weights(), new Arg.IntArg(offset, role + "Offset"));
  }
}
