package dev.kiln.compiler.passes;

import static dev.kiln.compiler.passes.Patterns.label;

import dev.kiln.compiler.ir.Graph;
import dev.kiln.compiler.ir.Node;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Removes nodes whose outputs no graph output depends on, and the constants only they read. ONNX
 * inference operators have no side effects, so a node nothing reads computes nothing anyone sees.
 */
public final class EliminateDeadNodes implements Pass {
  @Override
  public String summary() {
    return "Removes nodes no graph output depends on, and constants nothing reads.";
  }

  @Override
  public Graph run(Graph graph, PassContext ctx) {
    Set<String> live = new HashSet<>(graph.outputs());
    List<Node> nodes = graph.nodes();
    boolean[] dead = new boolean[nodes.size()];
    for (int i = nodes.size() - 1; i >= 0; i--) {
      Node node = nodes.get(i);
      boolean used = false;
      for (String out : node.outputs()) {
        used |= !out.isEmpty() && live.contains(out);
      }
      if (used) {
        live.addAll(node.inputs());
      } else {
        dead[i] = true;
      }
    }
    GraphEdit edit = new GraphEdit(graph);
    for (int i = 0; i < nodes.size(); i++) {
      if (dead[i]) {
        edit.remove(nodes.get(i));
        ctx.fired(this, nodes.get(i), "removed " + label(nodes.get(i)) + ": nothing reads its output");
      }
    }
    if (edit.changed()) {
      return edit.build();
    }
    boolean unusedConstants = graph.constants().keySet().stream().anyMatch(c -> !live.contains(c));
    return unusedConstants ? graph.toBuilder().pruneTypes().build() : graph;
  }
}
