package dev.kiln.compiler.passes;

import static dev.kiln.compiler.passes.Patterns.label;

import dev.kiln.compiler.ir.Attributes;
import dev.kiln.compiler.ir.Graph;
import dev.kiln.compiler.ir.Node;
import dev.kiln.compiler.ir.Tensor;
import dev.kiln.compiler.ir.TensorType;

/**
 * Removes nodes that pass their input through unchanged: Identity, Dropout at inference, and
 * Reshape, Flatten, Squeeze, Unsqueeze, Transpose, Pad and Cast where they change nothing (same
 * type out as in; an identity permutation; all-zero pads). Their readers read the input instead, so
 * the patterns later passes look for become adjacent (Conv → Identity → BatchNormalization).
 *
 * <p>When the removed node's output is a graph output, the input takes the output's name instead
 * (the model's interface keeps its names); that is impossible when the input is itself a graph
 * input or output, and the node stays.
 */
public final class EliminateIdentity implements Pass {
  @Override
  public String summary() {
    return "Removes Identity, inference Dropout, and Reshape/Transpose/Pad/Cast that change nothing.";
  }

  @Override
  public Graph run(Graph graph, PassContext ctx) {
    GraphEdit edit = new GraphEdit(graph);
    for (Node node : graph.nodes()) {
      String note = passThrough(graph, node);
      if (note == null) {
        continue;
      }
      String refusal = refusal(graph, edit, node);
      if (refusal != null) {
        ctx.refused(this, node, "not removed: " + label(node) + " " + refusal);
        continue;
      }
      String in = edit.resolve(node.input(0));
      String out = node.output(0);
      if (graph.isGraphOutput(out)) {
        edit.rename(in, out);
      } else {
        edit.rename(out, in);
      }
      edit.remove(node);
      ctx.fired(this, node, "removed " + label(node) + note);
    }
    return edit.build();
  }

  /**
   * A note for the trace when the node passes input 0 through unchanged ("" when obvious), else
   * {@code null}.
   */
  private static String passThrough(Graph graph, Node node) {
    if (node.inputs().isEmpty() || !node.hasInput(0) || node.outputs().isEmpty()) {
      return null;
    }
    TensorType in = graph.type(node.input(0));
    TensorType out = graph.type(node.output(0));
    switch (node.opType()) {
      case "Identity":
        return "";
      case "Dropout":
        return " (inference mode)";
      case "Reshape":
      case "Flatten":
      case "Squeeze":
      case "Unsqueeze":
        return in.equals(out) ? ": it keeps the shape " + in.shape() : null;
      case "Cast":
        return in.equals(out) ? ": it casts " + in.dtype() + " to itself" : null;
      case "Transpose":
        return in.equals(out) && isIdentityPermutation(node.op().attributes(), in.rank())
            ? ": its permutation is the identity" : null;
      case "Pad":
        return in.equals(out) && padsAreZero(graph, node) ? ": its pads are all zero" : null;
      default:
        return null;
    }
  }

  /** Why a pass-through node must stay, or {@code null}. */
  private static String refusal(Graph graph, GraphEdit edit, Node node) {
    // The Dropout operator accepts only inference mode (training_mode known and false), where the
    // output is the input; its mask, though, is a tensor of its own.
    if (node.opType().equals("Dropout") && node.outputs().size() > 1 && !node.output(1).isEmpty()
        && (graph.isGraphOutput(node.output(1)) || !graph.consumers(node.output(1)).isEmpty())) {
      return "has its mask output '" + node.output(1) + "' read";
    }
    String out = node.output(0);
    String in = edit.resolve(node.input(0));
    if (graph.isGraphOutput(out) && (graph.isGraphInput(in) || graph.isGraphOutput(in))) {
      return "copies " + (graph.isGraphInput(in) ? "graph input '" : "'") + in
          + "' to graph output '" + out + "'";
    }
    return null;
  }

  private static boolean isIdentityPermutation(Attributes attributes, int rank) {
    int[] perm = attributes.getInts("perm");
    if (perm == null) {
      return rank <= 1;
    }
    for (int i = 0; i < perm.length; i++) {
      if (perm[i] != i) {
        return false;
      }
    }
    return true;
  }

  /** Pads from the attribute (opset &lt; 11) or the constant input; {@code false} when unknown. */
  private static boolean padsAreZero(Graph graph, Node node) {
    long[] pads;
    if (node.op().attributes().has("pads")) {
      pads = node.op().attributes().getLongs("pads");
    } else {
      Tensor t = Patterns.constantValue(graph, node.input(1));
      if (t == null) {
        return false;
      }
      pads = t.toLongArray();
    }
    for (long p : pads) {
      if (p != 0) {
        return false;
      }
    }
    return true;
  }
}
