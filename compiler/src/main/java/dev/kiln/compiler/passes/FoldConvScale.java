package dev.kiln.compiler.passes;

import static dev.kiln.compiler.passes.Patterns.label;
import static dev.kiln.compiler.passes.Patterns.origin;

import dev.kiln.compiler.ir.Graph;
import dev.kiln.compiler.ir.Node;
import dev.kiln.compiler.ir.Shape;
import dev.kiln.compiler.ir.Tensor;
import dev.kiln.compiler.ops.Add;
import dev.kiln.compiler.ops.Broadcast;
import dev.kiln.compiler.ops.Conv;
import dev.kiln.compiler.ops.Div;
import dev.kiln.compiler.ops.FusedConv;
import dev.kiln.compiler.ops.Mul;
import dev.kiln.compiler.ops.Sub;
import java.util.List;

/**
 * Folds a per-output-channel constant multiply, divide, add or subtract after a Conv into its
 * weights and bias (c[m] one value per output channel m, or one value for all):
 *
 * <pre>
 *   (W⊛x + b)·c = (W·c)⊛x + b·c        (W⊛x + b)/c = (W/c)⊛x + b/c
 *   (W⊛x + b)+c = W⊛x + (b + c)        (W⊛x + b)−c = W⊛x + (b − c)
 * </pre>
 *
 * <p>Legal when the conv's output feeds this node alone and is no graph output, the constant
 * broadcasts per channel without growing the output, the conv's weights and bias are constants,
 * and (for a divide) no divisor is zero. A constant − conv or constant / conv is not folded. A chain
 * (Conv → Mul → Add) folds one node per run, so the pass repeats until nothing changes.
 */
public final class FoldConvScale implements Pass {
  @Override
  public String summary() {
    return "Folds per-output-channel constant Mul/Div/Add/Sub after a Conv into its weights and bias.";
  }

  @Override
  public Graph run(Graph graph, PassContext ctx) {
    GraphEdit edit = new GraphEdit(graph);
    for (Node node : graph.nodes()) {
      String type = node.opType();
      if (!type.equals(Mul.TYPE) && !type.equals(Div.TYPE) && !type.equals(Add.TYPE)
          && !type.equals(Sub.TYPE)) {
        continue;
      }
      boolean firstConstant = graph.isConstant(node.input(0));
      boolean secondConstant = graph.isConstant(node.input(1));
      if (firstConstant == secondConstant) {
        continue;
      }
      String refusal = fold(graph, edit, node, firstConstant ? 1 : 0, ctx);
      if (refusal != null) {
        ctx.refused(this, node, "not folded: " + label(node) + " " + refusal);
      }
    }
    return edit.build();
  }

  private String fold(Graph graph, GraphEdit edit, Node node, int convSide, PassContext ctx) {
    String x = node.input(convSide);
    Tensor constant = graph.constant(node.input(1 - convSide));
    Node conv = graph.producer(x);
    if (conv == null) {
      return "reads " + origin(graph, x) + ", not a Conv output";
    }
    if (conv.op() instanceof FusedConv f) {
      return "follows " + label(conv) + ", whose epilogue " + f.describeEpilogue()
          + " is already fused";
    }
    if (!(conv.op() instanceof Conv)) {
      return "follows " + label(conv) + ", not a Conv";
    }
    if (convSide == 1 && (node.op() instanceof Sub || node.op() instanceof Div)) {
      return node.op() instanceof Sub
          ? "subtracts " + label(conv) + " from a constant, which does not fold"
          : "divides a constant by " + label(conv) + ", which does not fold";
    }
    String readers = Patterns.otherReaders(graph, x, node);
    if (readers != null) {
      return "follows " + label(conv) + ", " + readers;
    }
    Shape out = graph.type(x).shape();
    if (!Broadcast.isPerChannel(constant.shape(), out)
        || !Broadcast.shape(constant.shape(), out).equals(out)) {
      return "has the constant " + constant.type() + ", not one value per output channel of "
          + label(conv) + " " + out;
    }
    Tensor weights = graph.constant(conv.input(1));
    if (weights == null) {
      return "follows " + label(conv) + ", whose weights are computed at run time";
    }
    Tensor bias = conv.hasInput(2) ? graph.constant(conv.input(2)) : null;
    if (conv.hasInput(2) && bias == null) {
      return "follows " + label(conv) + ", whose bias is computed at run time";
    }
    float[] c = Patterns.perChannel(constant, out);
    boolean scales = node.op() instanceof Mul || node.op() instanceof Div;
    if (node.op() instanceof Div) {
      for (float v : c) {
        if (v == 0f) {
          return "divides by zero in some channel";
        }
      }
    }

    String wName = conv.input(1);
    String bName = conv.input(2);
    if (scales) {
      boolean divide = node.op() instanceof Div;
      float[] w = weights.toFloatArray();
      int perChannel = w.length / c.length;
      for (int i = 0; i < w.length; i++) {
        w[i] = divide ? w[i] / c[i / perChannel] : w[i] * c[i / perChannel];
      }
      wName = edit.addConstant(conv.input(1) + "_folded", Tensor.adopt(weights.shape(), w));
      if (bias != null) {
        float[] b = bias.toFloatArray();
        for (int m = 0; m < b.length; m++) {
          b[m] = divide ? b[m] / c[m] : b[m] * c[m];
        }
        bName = edit.addConstant(conv.input(2) + "_folded", Tensor.adopt(bias.shape(), b));
      }
    } else {
      boolean subtract = node.op() instanceof Sub;
      float[] b = bias == null ? new float[c.length] : bias.toFloatArray();
      for (int m = 0; m < b.length; m++) {
        b[m] = subtract ? b[m] - c[m] : b[m] + c[m];
      }
      bName = edit.addConstant(bias == null ? conv.name() + ".bias" : conv.input(2) + "_folded",
          Tensor.adopt(Shape.of(c.length), b));
    }
    List<String> inputs = bName.isEmpty() ? List.of(conv.input(0), wName)
        : List.of(conv.input(0), wName, bName);
    edit.fuse(List.of(conv, node), new Node(conv.name(), conv.op(), inputs, List.of(node.output(0))));
    ctx.fired(this, node, "folded " + label(node) + " into " + label(conv));
    return null;
  }
}
