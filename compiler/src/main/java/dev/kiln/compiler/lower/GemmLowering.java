package dev.kiln.compiler.lower;

import dev.kiln.compiler.ir.Node;
import dev.kiln.compiler.ir.Shape;
import dev.kiln.compiler.ops.Broadcast;
import dev.kiln.compiler.ops.Gemm;
import dev.kiln.compiler.ops.MatMul;
import dev.kiln.runtime.kernels.reference.ReferenceGemm;
import java.util.ArrayList;
import java.util.List;

/**
 * Gemm: the product (alpha·op(A)·op(B)), then beta·C added with broadcasting. MatMul: NumPy's
 * batched, broadcasting product ({@link #matmul}).
 */
final class GemmLowering implements OpLowering {
  @Override
  public List<KernelCall> lower(Node node, LoweringContext ctx) {
    Gemm gemm = (Gemm) node.op();
    String a = node.input(0);
    String b = node.input(1);
    Shape as = ctx.type(a).shape();
    Shape bs = ctx.type(b).shape();
    Shape out = ctx.type(node.output(0)).shape();
    int m = out.dim(0);
    int n = out.dim(1);
    int k = gemm.transA() ? as.dim(0) : as.dim(1);
    int outOffset = ctx.arenaOffset(node.output(0));
    List<KernelCall> calls = new ArrayList<>();
    calls.add(new KernelCall(node.name(), node.opType(), "", ReferenceGemm.class, "gemm", List.of(
        new Arg.BoolArg(gemm.transA(), "transA"), new Arg.BoolArg(gemm.transB(), "transB"),
        new Arg.IntArg(m, "m"), new Arg.IntArg(n, "n"), new Arg.IntArg(k, "k"),
        new Arg.FloatArg(gemm.alpha(), "alpha"),
        ctx.array(a), ctx.offset(a, "aOffset"), new Arg.IntArg(as.dim(1), "lda"),
        ctx.array(b), ctx.offset(b, "bOffset"), new Arg.IntArg(bs.dim(1), "ldb"),
        new Arg.FloatArg(0f, "beta"),
        new Arg.Arena(), new Arg.IntArg(outOffset, "outOffset"), new Arg.IntArg(n, "ldc"))));
    if (node.hasInput(2) && gemm.beta() != 0f) {
      String c = node.input(2);
      int[] strides = Broadcast.strides(ctx.type(c).shape(), out);
      calls.add(new KernelCall(node.name(), node.opType(), "C term", ReferenceGemm.class, "addScaled",
          List.of(new Arg.IntArg(m, "m"), new Arg.IntArg(n, "n"), new Arg.FloatArg(gemm.beta(), "beta"),
              ctx.array(c), ctx.offset(c, "cOffset"), new Arg.IntArg(strides[0], "cRowStride"),
              new Arg.IntArg(strides[1], "cColStride"), new Arg.Arena(),
              new Arg.IntArg(outOffset, "outOffset"))));
    }
    return calls;
  }

  /** MatMul with the operator's geometry: 1-D operands as a row or a column, batches broadcast. */
  static List<KernelCall> matmul(Node node, LoweringContext ctx) {
    String a = node.input(0);
    String b = node.input(1);
    MatMul.Geometry g = MatMul.geometry(ctx.type(a).shape(), ctx.type(b).shape());
    if (g.out().elementCount() == 0) {
      return List.of();
    }
    return List.of(new KernelCall(node.name(), node.opType(), "", ReferenceGemm.class, "matmul",
        List.of(new Arg.IntArrayArg(g.batchDims(), "batchDims"),
            new Arg.IntArrayArg(g.aBatchStrides(), "aBatchStrides"),
            new Arg.IntArrayArg(g.bBatchStrides(), "bBatchStrides"),
            new Arg.IntArg(g.m(), "m"), new Arg.IntArg(g.n(), "n"), new Arg.IntArg(g.k(), "k"),
            ctx.array(a), ctx.offset(a, "aOffset"), ctx.array(b), ctx.offset(b, "bOffset"),
            new Arg.Arena(), ctx.offset(node.output(0), "outOffset"))));
  }
}
