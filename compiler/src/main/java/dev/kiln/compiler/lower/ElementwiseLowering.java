package dev.kiln.compiler.lower;

import dev.kiln.compiler.ir.Node;
import dev.kiln.compiler.ir.Op;
import dev.kiln.compiler.ir.Shape;
import dev.kiln.compiler.ops.Add;
import dev.kiln.compiler.ops.BinaryElementwise;
import dev.kiln.compiler.ops.Broadcast;
import dev.kiln.compiler.ops.Clip;
import dev.kiln.compiler.ops.HardSigmoid;
import dev.kiln.compiler.ops.LeakyRelu;
import dev.kiln.runtime.kernels.fast.Elementwise;
import dev.kiln.runtime.kernels.reference.ReferenceBinary;
import dev.kiln.runtime.kernels.reference.ReferenceUnary;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** Unary activations and math functions, Clip, and broadcasting binary operators. */
final class ElementwiseLowering implements OpLowering {
  /** The ReferenceUnary method of each parameterless unary operator. */
  private static final Map<String, String> UNARY = Map.of(
      "Relu", "relu", "Sigmoid", "sigmoid", "Tanh", "tanh", "Exp", "exp", "Sqrt", "sqrt",
      "Reciprocal", "reciprocal", "Erf", "erf", "HardSwish", "hardSwish");

  @Override
  public List<KernelCall> lower(Node node, LoweringContext ctx) {
    Op op = node.op();
    if (op instanceof BinaryElementwise b) {
      return List.of(binary(node, b, ctx));
    }
    String x = node.input(0);
    List<Arg> args = new ArrayList<>();
    String method;
    if (op instanceof Clip clip) {
      method = "clip";
      args.add(new Arg.FloatArg(clip.lowerBound(bound(node, 1, ctx)), "lo"));
      args.add(new Arg.FloatArg(clip.upperBound(bound(node, 2, ctx)), "hi"));
    } else if (op instanceof LeakyRelu l) {
      method = "leakyRelu";
      args.add(new Arg.FloatArg(l.alpha(), "alpha"));
    } else if (op instanceof HardSigmoid h) {
      method = "hardSigmoid";
      args.add(new Arg.FloatArg(h.alpha(), "alpha"));
      args.add(new Arg.FloatArg(h.beta(), "beta"));
    } else {
      method = UNARY.get(node.opType());
      if (method == null) {
        throw ctx.error(node, "no kernel for this operator in generated code");
      }
    }
    args.add(ctx.array(x));
    args.add(ctx.offset(x, "inOffset"));
    args.add(new Arg.Arena());
    args.add(new Arg.IntArg(ctx.arenaOffset(node.output(0)), "outOffset"));
    args.add(new Arg.IntArg(ctx.type(x).elementCount(), "count"));
    return List.of(new KernelCall(node.name(), node.opType(), "", ReferenceUnary.class, method, args));
  }

  private static dev.kiln.compiler.ir.Tensor bound(Node node, int i, LoweringContext ctx) {
    if (!node.hasInput(i)) {
      return null;
    }
    if (!ctx.isConstant(node.input(i))) {
      throw ctx.error(node, "bounds computed at run time are not supported (they must be constant)");
    }
    return ctx.constant(node.input(i));
  }

  private static KernelCall binary(Node node, BinaryElementwise op, LoweringContext ctx) {
    String a = node.input(0);
    String b = node.input(1);
    Shape out = ctx.type(node.output(0)).shape();
    if (!ctx.referenceKernels() && node.op() instanceof Add && ctx.type(node.output(0)).dtype().isFloat()
        && ctx.type(a).shape().equals(out) && ctx.type(b).shape().equals(out)) {
      // A residual add the optimizer could not fuse: one contiguous vectorized pass.
      return new KernelCall(node.name(), node.opType(), "", Elementwise.class, "add", List.of(
          ctx.array(a), ctx.offset(a, "aOffset"), ctx.array(b), ctx.offset(b, "bOffset"),
          new Arg.Arena(), new Arg.IntArg(ctx.arenaOffset(node.output(0)), "outOffset"),
          new Arg.IntArg(out.elementCount(), "count")));
    }
    if (!ctx.type(node.output(0)).dtype().isFloat()) {
      throw ctx.error(node, "integer arithmetic at run time is not supported (only in folded shape computations)");
    }
    return new KernelCall(node.name(), node.opType(), "", ReferenceBinary.class, "apply", List.of(
        new Arg.EnumArg(op.kernelOp()),
        new Arg.IntArrayArg(out.dims(), "dims"),
        ctx.array(a), ctx.offset(a, "aOffset"),
        new Arg.IntArrayArg(Broadcast.strides(ctx.type(a).shape(), out), "aStrides"),
        ctx.array(b), ctx.offset(b, "bOffset"),
        new Arg.IntArrayArg(Broadcast.strides(ctx.type(b).shape(), out), "bStrides"),
        new Arg.Arena(), new Arg.IntArg(ctx.arenaOffset(node.output(0)), "outOffset")));
  }
}
