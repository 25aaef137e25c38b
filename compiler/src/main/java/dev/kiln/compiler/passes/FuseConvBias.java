package dev.kiln.compiler.passes;

import static dev.kiln.compiler.passes.Patterns.label;

import dev.kiln.compiler.ir.Graph;
import dev.kiln.compiler.ir.Node;
import dev.kiln.compiler.ops.Conv;
import dev.kiln.compiler.ops.FusedConv;
import java.util.List;

/**
 * Makes every remaining Conv a {@code kiln.FusedConv} whose epilogue is just its bias (or nothing),
 * so that algorithm selection and code generation see one convolution operator, always with an
 * epilogue. The bias is the epilogue's first part anyway: {@code y = W⊛x + b} either way, added once
 * per output.
 *
 * <p>A conv whose bias is computed at run time stays a Conv (an epilogue holds constant numbers).
 */
public final class FuseConvBias implements Pass {
  @Override
  public String summary() {
    return "Turns each remaining Conv into a kiln.FusedConv whose epilogue is its bias.";
  }

  @Override
  public Graph run(Graph graph, PassContext ctx) {
    GraphEdit edit = new GraphEdit(graph);
    for (Node node : graph.nodes()) {
      if (!(node.op() instanceof Conv conv)) {
        continue;
      }
      if (node.hasInput(2) && !graph.isConstant(node.input(2))) {
        ctx.refused(this, node, "not fused: " + label(node) + " has its bias computed at run time");
        continue;
      }
      FusedConv fused = new FusedConv(conv, node.hasInput(2), List.of());
      edit.replace(node, new Node(node.name(), fused, FuseConvActivation.fusedInputs(node),
          node.outputs()));
      ctx.fired(this, node, "made " + label(node) + " a " + FusedConv.TYPE + ": epilogue "
          + fused.describeEpilogue());
    }
    return edit.build();
  }
}
