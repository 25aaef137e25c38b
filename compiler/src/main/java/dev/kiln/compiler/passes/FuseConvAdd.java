package dev.kiln.compiler.passes;

import static dev.kiln.compiler.passes.Patterns.label;
import static dev.kiln.compiler.passes.Patterns.labels;
import static dev.kiln.compiler.passes.Patterns.origin;

import dev.kiln.compiler.ir.Graph;
import dev.kiln.compiler.ir.Node;
import dev.kiln.compiler.ir.TensorType;
import dev.kiln.compiler.ops.Add;
import dev.kiln.compiler.ops.Conv;
import dev.kiln.compiler.ops.EpilogueStep.ResidualAddStep;
import dev.kiln.compiler.ops.FusedConv;
import java.util.ArrayList;
import java.util.List;

/**
 * Fuses a residual Add (and the activation after it, if any) into the convolution producing one of
 * its operands: {@code y = act(conv(x) + r)} becomes one {@code kiln.FusedConv} whose epilogue adds
 * r, the other operand, then applies the activation: a ResNet block's tail.
 *
 * <p>Legal when the conv's output feeds the Add alone and is no graph output, the Add does not
 * broadcast (its output, the conv's output and r have one type), the conv does not already add a
 * residual, and its bias is a constant. r is computed before the Add by definition; the fused conv
 * takes the Add's place in the node order, so r is computed before it too. When both operands come
 * from convs, the one computed later absorbs the Add (the other one's output is then already
 * there); if it cannot, the other is tried. Adds of a constant are FoldConvScale's.
 */
public final class FuseConvAdd implements Pass {
  @Override
  public String summary() {
    return "Fuses a residual Add after a conv, and the activation after it, into the conv's epilogue.";
  }

  @Override
  public Graph run(Graph graph, PassContext ctx) {
    GraphEdit edit = new GraphEdit(graph);
    List<Node> nodes = graph.nodes();
    for (Node add : nodes) {
      if (!(add.op() instanceof Add) || graph.isConstant(add.input(0))
          || graph.isConstant(add.input(1))) {
        continue;
      }
      Node first = graph.producer(add.input(0));
      Node second = graph.producer(add.input(1));
      boolean secondIsLater = second != null
          && (first == null || nodes.indexOf(second) > nodes.indexOf(first));
      int[] order = secondIsLater ? new int[] {1, 0} : new int[] {0, 1};
      String refusal = null;
      for (int side : order) {
        Node conv = graph.producer(add.input(side));
        if (!Patterns.isConv(conv)) {
          continue;
        }
        String why = fuse(graph, edit, add, side, ctx);
        if (why == null) {
          refusal = null;
          break;
        }
        refusal = refusal == null ? why : refusal;
      }
      if (refusal == null && !Patterns.isConv(first) && !Patterns.isConv(second)) {
        refusal = "adds " + origin(graph, add.input(0)) + " and " + origin(graph, add.input(1))
            + ", neither a Conv";
      }
      if (refusal != null) {
        ctx.refused(this, add, "not fused: " + label(add) + " " + refusal);
      }
    }
    return edit.build();
  }

  /** Fuses {@code add} into the conv producing its operand {@code side}; or says why not. */
  private String fuse(Graph graph, GraphEdit edit, Node add, int side, PassContext ctx) {
    String convOut = add.input(side);
    String residual = add.input(1 - side);
    Node conv = graph.producer(convOut);
    if (convOut.equals(residual)) {
      return "adds " + label(conv) + "'s output to itself";
    }
    if (conv.op() instanceof FusedConv f && f.hasResidual()) {
      return "follows " + label(conv) + ", which already adds a residual";
    }
    String readers = Patterns.otherReaders(graph, convOut, add);
    if (readers != null) {
      return "follows " + label(conv) + ", " + readers;
    }
    TensorType convType = graph.type(convOut);
    TensorType sum = graph.type(add.output(0));
    if (!sum.equals(convType) || !graph.type(residual).equals(convType)) {
      return "broadcasts: " + label(conv) + " gives " + convType + ", '" + residual + "' is "
          + graph.type(residual) + " and the sum " + sum;
    }
    String biasProblem = FuseConvActivation.biasProblem(graph, conv);
    if (biasProblem != null) {
      return biasProblem;
    }

    FusedConv fused;
    List<String> scaleShifts = List.of();
    if (conv.op() instanceof FusedConv f) {
      fused = f.withStep(new ResidualAddStep());
      scaleShifts = conv.inputs().subList(Math.min(3, conv.inputs().size()), conv.inputs().size());
    } else {
      fused = new FusedConv((Conv) conv.op(), conv.hasInput(2), List.of(new ResidualAddStep()));
    }
    List<Node> chain = new ArrayList<>(List.of(conv, add));
    for (Activations.Match activation : Activations.matchChain(graph, add.output(0))) {
      fused = fused.withStep(activation.step());
      chain.addAll(activation.nodes());
    }
    List<String> inputs = FusedConv.inputs(conv.input(0), conv.input(1), conv.input(2), residual,
        scaleShifts);
    Node last = chain.get(chain.size() - 1);
    edit.fuse(chain, new Node(conv.name(), fused, inputs, List.of(last.output(0))));
    ctx.fired(this, add, "fused " + labels(chain.subList(1, chain.size())) + " into "
        + label(conv) + " with residual '" + residual + "': epilogue " + fused.describeEpilogue());
    return null;
  }
}
