package dev.kiln.compiler.passes;

import dev.kiln.compiler.ir.Graph;
import dev.kiln.compiler.ir.Node;
import dev.kiln.compiler.ir.Tensor;
import dev.kiln.compiler.ir.TensorType;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The edits one pass makes to one graph, collected while it walks the (unchanged) graph and applied
 * together by {@link #build}. Each rewrite claims the nodes it touches, so rewrites found in one walk
 * never overlap; a pattern that overlaps a claimed node waits for the next walk (passes that need
 * that repeat to a fixed point).
 *
 * <p>A node that replaces a chain stands where the chain's last node stood: every input of the chain
 * is defined by then, and nothing between reads the chain's intermediate values (each pass checks
 * that they have no other reader), so topological order holds.
 */
final class GraphEdit {
  private final Graph graph;
  private final Map<Node, Integer> position = new IdentityHashMap<>();
  private final Map<Node, Node> replacements = new IdentityHashMap<>();
  private final Set<Node> claimed = Collections.newSetFromMap(new IdentityHashMap<>());
  private final Map<String, String> renames = new HashMap<>();
  private final Map<String, Tensor> newConstants = new LinkedHashMap<>();
  private final Set<String> names = new HashSet<>();

  GraphEdit(Graph graph) {
    this.graph = graph;
    List<Node> nodes = graph.nodes();
    for (int i = 0; i < nodes.size(); i++) {
      position.put(nodes.get(i), i);
    }
    names.addAll(graph.types().keySet());
  }

  boolean isClaimed(Node node) {
    return claimed.contains(node);
  }

  /** Replaces {@code old} by {@code replacement} at the same position. */
  void replace(Node old, Node replacement) {
    fuse(List.of(old), replacement);
  }

  /** Removes the chain's nodes and puts {@code replacement} where the last of them stood. */
  void fuse(List<Node> chain, Node replacement) {
    Node last = null;
    for (Node n : chain) {
      claim(n);
      if (last == null || position.get(n) > position.get(last)) {
        last = n;
      }
    }
    replacements.put(last, replacement);
  }

  /** Removes a node; its outputs must be renamed or unread. */
  void remove(Node node) {
    claim(node);
  }

  /** Removes the node; its outputs become constants under the same names. */
  void foldToConstants(Node node, Tensor[] values) {
    claim(node);
    for (int i = 0; i < node.outputs().size(); i++) {
      if (!node.output(i).isEmpty()) {
        newConstants.put(node.output(i), values[i]);
      }
    }
  }

  /**
   * Makes {@code from} and {@code to} one value named {@code to}: every definition and use of
   * {@code from} (node inputs and outputs, graph outputs, constants) takes the name {@code to}.
   */
  void rename(String from, String to) {
    renames.put(from, to);
  }

  /** The name {@code value} will have after the renames recorded so far. */
  String resolve(String value) {
    String v = value;
    for (int guard = 0; renames.containsKey(v); guard++) {
      if (guard > renames.size()) {
        throw new IllegalStateException("rename cycle through '" + value + "'");
      }
      v = renames.get(v);
    }
    return v;
  }

  /** Adds a constant under a fresh name derived from {@code base}; returns the name. */
  String addConstant(String base, Tensor value) {
    String name = base;
    for (int k = 2; names.contains(name); k++) {
      name = base + "_" + k;
    }
    names.add(name);
    newConstants.put(name, value);
    return name;
  }

  private void claim(Node node) {
    if (!position.containsKey(node)) {
      throw new IllegalArgumentException("node " + node.describe() + " is not in the graph");
    }
    if (!claimed.add(node)) {
      throw new IllegalStateException("node " + node.describe() + " is already rewritten");
    }
  }

  /** Whether anything was edited. */
  boolean changed() {
    return !claimed.isEmpty() || !renames.isEmpty() || !newConstants.isEmpty();
  }

  /** The edited graph, with types and constants no node or output refers to any more dropped. */
  Graph build() {
    if (!changed()) {
      return graph;
    }
    Graph.Builder b = graph.toBuilder();
    List<Node> nodes = new ArrayList<>();
    for (Node n : graph.nodes()) {
      Node kept = replacements.get(n);
      if (kept == null && claimed.contains(n)) {
        continue;
      }
      nodes.add(renamed(kept == null ? n : kept));
    }
    b.nodes(nodes);
    newConstants.forEach(b::putConstant);
    if (!renames.isEmpty()) {
      List<String> outputs = new ArrayList<>();
      for (String out : graph.outputs()) {
        outputs.add(resolve(out));
      }
      b.outputs(outputs);
      for (String from : renames.keySet()) {
        String to = resolve(from);
        TensorType type = b.type(from);
        if (type != null && b.type(to) == null) {
          b.setType(to, type);
        }
        if (b.hasConstant(from)) {
          Tensor value = b.constant(from);
          b.removeConstant(from);
          b.putConstant(to, value);
        }
      }
    }
    b.pruneTypes();
    Graph result = b.build();
    for (Node n : result.nodes()) {
      for (String out : n.outputs()) {
        if (!out.isEmpty() && !result.types().containsKey(out)) {
          throw new IllegalStateException("node " + n.describe() + " output '" + out + "' has no type");
        }
      }
    }
    return result;
  }

  private Node renamed(Node n) {
    if (renames.isEmpty()) {
      return n;
    }
    List<String> in = new ArrayList<>();
    for (String v : n.inputs()) {
      in.add(v.isEmpty() ? v : resolve(v));
    }
    List<String> out = new ArrayList<>();
    for (String v : n.outputs()) {
      out.add(v.isEmpty() ? v : resolve(v));
    }
    return in.equals(n.inputs()) && out.equals(n.outputs()) ? n : new Node(n.name(), n.op(), in, out);
  }
}
