package dev.kiln.compiler.ir;

import dev.kiln.compiler.KilnException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Checks a graph's invariants and reports every problem at once: each value defined exactly once,
 * nodes in topological order, unique node names, every value typed, graph outputs produced, operator
 * arities respected, and every recorded type equal to what shape inference gives now.
 */
public final class GraphVerifier {
  private GraphVerifier() {}

  /** All problems found, in graph order; empty when the graph is valid. */
  public static List<String> check(Graph graph) {
    List<String> problems = new ArrayList<>();
    Set<String> defined = new HashSet<>();
    TypeInference inference = new TypeInference(graph.source(), graph.opset());

    for (Value in : graph.inputs()) {
      if (!defined.add(in.name())) {
        problems.add("graph input '" + in.name() + "' is defined twice");
      }
      inference.declare(in.name(), in.type());
      if (graph.isConstant(in.name())) {
        problems.add("graph input '" + in.name() + "' is also a constant");
      }
    }
    for (Map.Entry<String, Tensor> c : graph.constants().entrySet()) {
      if (!defined.add(c.getKey())) {
        if (!graph.isGraphInput(c.getKey())) {
          problems.add("constant '" + c.getKey() + "' is defined twice");
        }
      }
      inference.declareConstant(c.getKey(), c.getValue());
      TensorType recorded = graph.types().get(c.getKey());
      if (!c.getValue().type().equals(recorded)) {
        problems.add("constant '" + c.getKey() + "' is recorded as " + recorded + " but holds "
            + c.getValue().type());
      }
    }

    Set<String> nodeNames = new HashSet<>();
    for (Node node : graph.nodes()) {
      if (node.name().isEmpty()) {
        problems.add("a " + node.opType() + " node has an empty name");
      } else if (!nodeNames.add(node.name())) {
        problems.add("node name '" + node.name() + "' is used twice");
      }
      boolean inputsOk = true;
      for (String in : node.inputs()) {
        if (!in.isEmpty() && !defined.contains(in)) {
          inputsOk = false;
          problems.add("node " + node.describe() + " reads '" + in + "' before it is defined"
              + (graph.producer(in) != null ? " (nodes out of topological order)" : ""));
        }
      }
      List<TensorType> inferred = null;
      if (inputsOk) {
        try {
          inferred = inference.infer(node);
        } catch (KilnException e) {
          // Inference names the file; verify() already starts the whole line with it.
          String message = e.getMessage();
          String file = graph.source() + ": ";
          problems.add(message.startsWith(file) ? message.substring(file.length()) : message);
        }
      }
      for (int i = 0; i < node.outputs().size(); i++) {
        String out = node.output(i);
        if (out.isEmpty()) {
          continue;
        }
        if (!defined.add(out)) {
          problems.add("value '" + out + "' is defined twice (again by node " + node.describe() + ")");
        }
        TensorType recorded = graph.types().get(out);
        if (recorded == null) {
          problems.add("value '" + out + "' of node " + node.describe() + " has no type");
        } else if (inferred != null && !recorded.equals(inferred.get(i))) {
          problems.add("value '" + out + "' of node " + node.describe() + " is recorded as "
              + recorded + " but infers as " + inferred.get(i));
        }
        if (inferred == null && recorded != null) {
          inference.declare(out, recorded);
        }
      }
    }

    if (graph.outputs().isEmpty()) {
      problems.add("the graph has no outputs");
    }
    for (String out : graph.outputs()) {
      if (!defined.contains(out)) {
        problems.add("graph output '" + out + "' is never defined");
      }
    }
    return problems;
  }

  /** Throws a one-line {@link KilnException} listing every problem, if there are any. */
  public static void verify(Graph graph) {
    List<String> problems = check(graph);
    if (!problems.isEmpty()) {
      throw new KilnException(graph.source() + ": invalid graph '" + graph.name() + "': "
          + String.join("; ", problems));
    }
  }
}
