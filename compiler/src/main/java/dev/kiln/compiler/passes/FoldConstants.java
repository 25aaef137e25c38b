package dev.kiln.compiler.passes;

import static dev.kiln.compiler.passes.Patterns.label;

import dev.kiln.compiler.KilnException;
import dev.kiln.compiler.ir.Graph;
import dev.kiln.compiler.ir.InferenceContext;
import dev.kiln.compiler.ir.Node;
import dev.kiln.compiler.ir.Tensor;
import dev.kiln.compiler.ir.TensorType;
import dev.kiln.compiler.ir.TypeInference;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Evaluates at compile time every node whose inputs are all constant, and every node whose outputs
 * the input types alone determine (Shape), with the same runtime-min reference kernels the
 * interpreter uses; the outputs become constants of the same names. This is what turns the shape
 * subgraphs exporters leave (Shape → Gather → Unsqueeze → Concat), Constant → Cast into Clip's
 * bounds, ConstantOfShape and the like into plain constants that later passes can read.
 *
 * <p>Nodes are visited in order and their results feed the nodes after them, so a whole constant
 * subgraph folds in one run.
 */
public final class FoldConstants implements Pass {
  @Override
  public String summary() {
    return "Evaluates nodes whose inputs are all constant (and Shape) at compile time.";
  }

  @Override
  public Graph run(Graph graph, PassContext ctx) {
    GraphEdit edit = new GraphEdit(graph);
    Map<String, Tensor> known = new HashMap<>(graph.constants());
    for (Node node : graph.nodes()) {
      Tensor[] values = evaluate(graph, node, known);
      if (values == null) {
        continue;
      }
      List<String> shown = new ArrayList<>();
      for (int i = 0; i < node.outputs().size(); i++) {
        String out = node.output(i);
        if (out.isEmpty()) {
          continue;
        }
        if (values[i] == null || !values[i].type().equals(graph.type(out))) {
          throw new IllegalStateException(label(node) + " evaluated output '" + out + "' to "
              + (values[i] == null ? "nothing" : values[i].type()) + " but its type is "
              + graph.type(out));
        }
        known.put(out, values[i]);
        shown.add(values[i].toString());
      }
      edit.foldToConstants(node, values);
      ctx.fired(this, node, "folded " + label(node) + " to constant " + String.join(", ", shown));
    }
    return edit.build();
  }

  /** The node's outputs when they are known at compile time, else {@code null}. */
  private static Tensor[] evaluate(Graph graph, Node node, Map<String, Tensor> known) {
    int n = node.inputs().size();
    TensorType[] inTypes = new TensorType[n];
    Tensor[] inValues = new Tensor[n];
    boolean allKnown = true;
    for (int i = 0; i < n; i++) {
      String in = node.input(i);
      if (in.isEmpty()) {
        continue;
      }
      inTypes[i] = graph.type(in);
      inValues[i] = known.get(in);
      allKnown &= inValues[i] != null;
    }
    TensorType[] outTypes = new TensorType[node.outputs().size()];
    for (int i = 0; i < outTypes.length; i++) {
      outTypes[i] = node.output(i).isEmpty() ? null : graph.type(node.output(i));
    }
    try {
      Tensor[] values = node.op().knownOutputs(new InferenceContext(inTypes, inValues, outTypes.length));
      if (values == null && allKnown) {
        values = node.op().evaluate(inValues, outTypes);
      }
      return values;
    } catch (KilnException e) {
      throw new KilnException(TypeInference.where(graph.source(), node, graph.opset()) + ": "
          + e.getMessage(), e);
    }
  }
}
