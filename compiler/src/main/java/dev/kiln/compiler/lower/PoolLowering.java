package dev.kiln.compiler.lower;

import dev.kiln.compiler.ir.Node;
import dev.kiln.compiler.ir.Shape;
import dev.kiln.compiler.ir.TensorType;
import dev.kiln.compiler.ops.AveragePool;
import dev.kiln.compiler.ops.MaxPool;
import dev.kiln.compiler.ops.Window;
import dev.kiln.runtime.kernels.ConvShape;
import dev.kiln.runtime.kernels.fast.Pooling;
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
    // The fast pools give the reference's results bit for bit (global average pooling over planes
    // of 256+ floats sums in another order); the reference ones stay for bit-exact testing.
    Class<?> pools = ctx.referenceKernels() ? ReferencePool.class : Pooling.class;
    if (node.op() instanceof MaxPool p) {
      return List.of(new KernelCall(node.name(), node.opType(), "", pools, "maxPool2d",
          List.of(new Arg.ConvShapeArg(poolShape(p.window(), in), "shape"), ctx.array(x), inOffset,
              new Arg.Arena(), outOffset)));
    }
    if (node.op() instanceof AveragePool p) {
      return List.of(new KernelCall(node.name(), node.opType(), "", pools,
          "averagePool2d", List.of(new Arg.ConvShapeArg(poolShape(p.window(), in), "shape"),
              new Arg.BoolArg(p.countIncludePad(), "countIncludePad"), ctx.array(x), inOffset,
              new Arg.Arena(), outOffset)));
    }
    Shape s = in.shape();
    boolean max = node.opType().equals("GlobalMaxPool");
    return List.of(new KernelCall(node.name(), node.opType(), "", max ? ReferencePool.class : pools,
        max ? "globalMaxPool" : "globalAveragePool",
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
