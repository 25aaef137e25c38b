package dev.kiln.compiler.lower;

import dev.kiln.compiler.ir.Graph;
import dev.kiln.compiler.ir.Node;
import dev.kiln.compiler.ir.Shape;
import dev.kiln.compiler.ops.Broadcast;
import dev.kiln.compiler.ops.Gemm;
import dev.kiln.compiler.ops.MatMul;
import dev.kiln.runtime.kernels.reference.ReferenceGemm;
import java.util.ArrayList;
import java.util.List;

/**
 * Gemm. A fully connected layer (constant B, alpha = 1, C absent or one bias per output column with
 * beta = 1) runs on the packed GEMM, B packed at compile time and C fused as the epilogue's bias;
 * anything else, and every Gemm under reference kernels, is the product (alpha·op(A)·op(B)) then
 * beta·C added with broadcasting. MatMul: NumPy's batched, broadcasting product ({@link #matmul}).
 */
final class GemmLowering implements OpLowering {
  @Override
  public long workspaceFloats(Node node, Graph graph, int threads, boolean referenceKernels) {
    if (!(node.op() instanceof Gemm gemm) || !packable(node, gemm, graph, referenceKernels)) {
      return 0;
    }
    Shape out = graph.type(node.output(0)).shape();
    Shape a = graph.type(node.input(0)).shape();
    return dev.kiln.runtime.kernels.gemm.Gemm.packedBWorkspaceFloats(out.dim(0), gemm.transA() ? a.dim(0) : a.dim(1));
  }

  /** Whether this Gemm is a fully connected layer the packed GEMM runs. */
  private static boolean packable(Node node, Gemm gemm, Graph graph, boolean referenceKernels) {
    if (referenceKernels || gemm.alpha() != 1f || !graph.isConstant(node.input(1))) {
      return false;
    }
    if (!node.hasInput(2) || gemm.beta() == 0f) {
      return true;
    }
    int n = graph.type(node.output(0)).shape().dim(1);
    Shape c = graph.type(node.input(2)).shape();
    boolean perColumn = c.elementCount() == n && (c.rank() == 1 || c.rank() == 2 && c.dim(0) == 1);
    return gemm.beta() == 1f && graph.isConstant(node.input(2)) && perColumn;
  }

  @Override
  public List<KernelCall> lower(Node node, LoweringContext ctx) {
    Gemm gemm = (Gemm) node.op();
    if (packable(node, gemm, ctx.graph(), ctx.referenceKernels())) {
      return List.of(packed(node, gemm, ctx));
    }
    return reference(node, gemm, ctx);
  }

  private static KernelCall packed(Node node, Gemm gemm, LoweringContext ctx) {
    String a = node.input(0);
    String b = node.input(1);
    Shape as = ctx.type(a).shape();
    Shape bs = ctx.type(b).shape();
    Shape out = ctx.type(node.output(0)).shape();
    int m = out.dim(0);
    int n = out.dim(1);
    int k = gemm.transA() ? as.dim(0) : as.dim(1);
    float[] packedB = new float[dev.kiln.runtime.kernels.gemm.Gemm.packedBFloats(k, n)];
    dev.kiln.runtime.kernels.gemm.Gemm.packB(k, n, ctx.constant(b).toFloatArray(), 0, bs.dim(1), gemm.transB(), packedB, 0);
    int weightOffset = ctx.addWeights("packed-b:" + b, packedB);
    int biasOffset = node.hasInput(2) && gemm.beta() != 0f ? ctx.constantOffset(node.input(2)) : -1;
    return new KernelCall(node.name(), node.opType(), "packed GEMM, bias fused", dev.kiln.runtime.kernels.gemm.Gemm.class,
        "multiplyPackedB", List.of(
            new Arg.IntArg(m, "m"), new Arg.IntArg(n, "n"), new Arg.IntArg(k, "k"),
            ctx.array(a), ctx.offset(a, "aOffset"), new Arg.IntArg(as.dim(1), "lda"),
            new Arg.BoolArg(gemm.transA(), "transA"),
            new Arg.Weights(), new Arg.IntArg(weightOffset, "packedBOffset"),
            new Arg.Arena(), new Arg.IntArg(ctx.arenaOffset(node.output(0)), "outOffset"),
            new Arg.IntArg(n, "ldc"),
            new Arg.EpilogueArg(EpilogueSpec.biasOnly(n, biasOffset), "epilogue"),
            new Arg.NullArray(), new Arg.IntArg(0, "residualOffset"),
            new Arg.Arena(), new Arg.IntArg(ctx.scratchOffset(node), "workspaceOffset"),
            new Arg.IntArg(0, "taskFrom"), new Arg.IntArg(dev.kiln.runtime.kernels.gemm.Gemm.packedBTasks(m, n), "taskTo")));
  }

  private static List<KernelCall> reference(Node node, Gemm gemm, LoweringContext ctx) {
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
