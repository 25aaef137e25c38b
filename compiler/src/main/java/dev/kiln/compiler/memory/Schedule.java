package dev.kiln.compiler.memory;

import dev.kiln.compiler.ir.Graph;
import dev.kiln.compiler.ir.Node;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Execution orders. The graph's own order is topological; a memory-aware order can lower the peak
 * when a graph branches (inception blocks, dense blocks): among the nodes whose inputs are ready it
 * runs the one that grows the live set least, i.e. allocates the fewest bytes net of the inputs it
 * frees (ties: graph order).
 */
final class Schedule {
  private Schedule() {}

  static List<Node> graphOrder(Graph graph) {
    return graph.nodes();
  }

  static List<Node> memoryAware(Graph graph) {
    List<Node> nodes = graph.nodes();
    Map<Node, Integer> index = new HashMap<>();
    for (int i = 0; i < nodes.size(); i++) {
      index.put(nodes.get(i), i);
    }
    Map<String, Integer> remainingUses = new HashMap<>();
    for (Node n : nodes) {
      for (String in : new HashSet<>(n.inputs())) {
        if (!in.isEmpty()) {
          remainingUses.merge(in, 1, Integer::sum);
        }
      }
    }
    Set<String> available = new HashSet<>(graph.constants().keySet());
    graph.inputs().forEach(v -> available.add(v.name()));
    List<Node> order = new ArrayList<>(nodes.size());
    Set<Node> done = new HashSet<>();
    while (order.size() < nodes.size()) {
      Node best = null;
      long bestDelta = Long.MAX_VALUE;
      for (Node n : nodes) {
        if (done.contains(n) || !ready(n, available)) {
          continue;
        }
        long delta = 0;
        for (String out : n.outputs()) {
          if (!out.isEmpty()) {
            delta += graph.type(out).byteSize();
          }
        }
        for (String in : new HashSet<>(n.inputs())) {
          if (!in.isEmpty() && !graph.isConstant(in) && !graph.isGraphOutput(in)
              && !graph.isGraphInput(in) && remainingUses.getOrDefault(in, 0) == 1) {
            delta -= graph.type(in).byteSize();
          }
        }
        if (delta < bestDelta) {
          bestDelta = delta;
          best = n;
        }
      }
      if (best == null) {
        throw new IllegalStateException("graph '" + graph.name() + "' is not schedulable (a cycle?)");
      }
      order.add(best);
      done.add(best);
      for (String out : best.outputs()) {
        available.add(out);
      }
      for (String in : new HashSet<>(best.inputs())) {
        if (!in.isEmpty()) {
          remainingUses.merge(in, -1, Integer::sum);
        }
      }
    }
    return order;
  }

  private static boolean ready(Node n, Set<String> available) {
    for (String in : n.inputs()) {
      if (!in.isEmpty() && !available.contains(in)) {
        return false;
      }
    }
    return true;
  }
}
