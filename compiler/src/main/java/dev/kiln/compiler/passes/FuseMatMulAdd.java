package dev.kiln.compiler.passes;

import static dev.kiln.compiler.passes.Patterns.label;

import dev.kiln.compiler.ir.Graph;
import dev.kiln.compiler.ir.Node;
import dev.kiln.compiler.ir.Shape;
import dev.kiln.compiler.ops.Add;
import dev.kiln.compiler.ops.Broadcast;
import dev.kiln.compiler.ops.Gemm;
import dev.kiln.compiler.ops.MatMul;
import java.util.List;

/**
 * Turns MatMul(A, B) → Add(·, C) into Gemm(A, B, C), {@code Y = A·B + C}: one kernel with the bias
 * in its epilogue, and a form FoldConvBatchNorm folds a following BatchNormalization into. Exact:
 * Gemm computes {@code 1·(A·B) + 1·C}.
 *
 * <p>Legal when A and B are matrices (Gemm has no batch dimensions), the MatMul's output feeds the
 * Add alone and is no graph output, and C broadcasts to the product's shape without growing it.
 */
public final class FuseMatMulAdd implements Pass {
  @Override
  public String summary() {
    return "Turns a 2-D MatMul followed by an Add into a Gemm.";
  }

  @Override
  public Graph run(Graph graph, PassContext ctx) {
    GraphEdit edit = new GraphEdit(graph);
    for (Node add : graph.nodes()) {
      if (!(add.op() instanceof Add)) {
        continue;
      }
      String refusal = null;
      for (int side = 0; side < 2; side++) {
        Node matmul = graph.producer(add.input(side));
        if (matmul == null || !(matmul.op() instanceof MatMul)) {
          continue;
        }
        String why = fuse(graph, edit, add, side, matmul, ctx);
        if (why == null) {
          refusal = null;
          break;
        }
        refusal = refusal == null ? why : refusal;
      }
      if (refusal != null) {
        ctx.refused(this, add, "not fused: " + label(add) + " " + refusal);
      }
    }
    return edit.build();
  }

  private String fuse(Graph graph, GraphEdit edit, Node add, int side, Node matmul, PassContext ctx) {
    Shape a = graph.type(matmul.input(0)).shape();
    Shape b = graph.type(matmul.input(1)).shape();
    if (a.rank() != 2 || b.rank() != 2) {
      return "follows " + label(matmul) + " of " + a + " and " + b + ", not two matrices";
    }
    String readers = Patterns.otherReaders(graph, add.input(side), add);
    if (readers != null) {
      return "follows " + label(matmul) + ", " + readers;
    }
    String c = add.input(1 - side);
    if (c.equals(add.input(side))) {
      return "adds " + label(matmul) + "'s output to itself";
    }
    Shape product = graph.type(add.input(side)).shape();
    Shape cShape = graph.type(c).shape();
    if (cShape.rank() > 2 || !Broadcast.shape(cShape, product).equals(product)) {
      return "adds '" + c + "' of " + cShape + ", which does not broadcast to " + label(matmul)
          + "'s " + product;
    }
    Node gemm = new Node(matmul.name(), new Gemm(1f, 1f, false, false),
        List.of(matmul.input(0), matmul.input(1), c), add.outputs());
    edit.fuse(List.of(matmul, add), gemm);
    ctx.fired(this, add, "fused " + label(matmul) + " and " + label(add) + " into a Gemm");
    return null;
  }
}
