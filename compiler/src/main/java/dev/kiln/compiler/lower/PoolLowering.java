package dev.kiln.compiler.lower;

import dev.kiln.compiler.ir.Node;
import dev.kiln.compiler.ir.Shape;
import dev.kiln.compiler.ir.TensorType;
import dev.kiln.compiler.ops.AveragePool;
import dev.kiln.compiler.ops.MaxPool;
import dev.kiln.compiler.ops.Window;
import dev.kiln.runtime.kernels.ConvShape;
import dev.kiln.runtime.kernels.reference.ReferencePool;
import java.util.List;

/** MaxPool, AveragePool and the global pools. */
final class PoolLowering implements OpLowering {
  @Override
  public List<KernelCall> lower(Node node, LoweringContext ctx) {
    String x = node.input(0);
    TensorType in = ctx.type(x);
    Arg.IntArg inOffset = ctx.offset(x, "inOffset");
    Arg.IntArg outOffset = new Arg.IntArg(ctx.arenaOffset(node.output(0)), "outOffset");
    if (node.op() instanceof MaxPool p) {
      return List.of(new KernelCall(node.name(), node.opType(), "", ReferencePool.class, "maxPool2d",
          List.of(new Arg.ConvShapeArg(poolShape(p.window(), in), "shape"), ctx.array(x), inOffset,
              new Arg.Arena(), outOffset)));
    }
    if (node.op() instanceof AveragePool p) {
      return List.of(new KernelCall(node.name(), node.opType(), "", ReferencePool.class,
          "averagePool2d", List.of(new Arg.ConvShapeArg(poolShape(p.window(), in), "shape"),
              new Arg.BoolArg(p.countIncludePad(), "countIncludePad"), ctx.array(x), inOffset,
              new Arg.Arena(), outOffset)));
    }
    Shape s = in.shape();
    String method = node.opType().equals("GlobalMaxPool") ? "globalMaxPool" : "globalAveragePool";
    return List.of(new KernelCall(node.name(), node.opType(), "", ReferencePool.class, method,
        List.of(new Arg.IntArg(s.dim(0) * s.dim(1), "planes"),
            new Arg.IntArg(s.product(2, s.rank()), "planeSize"), ctx.array(x), inOffset,
            new Arg.Arena(), outOffset)));
  }

  private static ConvShape poolShape(Window window, TensorType x) {
    int c = x.shape().dim(1);
    int[] inDims = new int[x.rank() - 2];
    for (int i = 0; i < inDims.length; i++) {
      inDims[i] = x.shape().dim(2 + i);
    }
    return window.resolve(inDims, null).toConvShape(x.shape().dim(0), c, c, c);
  }
}
