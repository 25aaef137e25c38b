package dev.kiln.compiler.passes;

import static dev.kiln.compiler.passes.Patterns.label;
import static dev.kiln.compiler.passes.Patterns.labels;
import static dev.kiln.compiler.passes.Patterns.origin;

import dev.kiln.compiler.ir.Graph;
import dev.kiln.compiler.ir.Node;
import dev.kiln.compiler.ops.Conv;
import dev.kiln.compiler.ops.FusedConv;
import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Set;

/**
 * Fuses the activation after a convolution into its epilogue: the conv becomes (or, when already
 * fused, stays) a {@code kiln.FusedConv} whose epilogue applies the activation to each output as it
 * is produced, saving a pass over the whole tensor. {@link Activations} lists the activations and
 * the exporter patterns recognized (x·Sigmoid(x), x·HardSigmoid(x), HardSwish spelled out).
 *
 * <p>Legal when the conv's output feeds the activation pattern alone and is no graph output (nothing
 * else may see the pre-activation values), and when the conv's bias is a constant (the epilogue
 * holds it). Activations after anything else are reported and left alone.
 */
public final class FuseConvActivation implements Pass {
  @Override
  public String summary() {
    return "Fuses Relu, Clip, LeakyRelu, Sigmoid, HardSigmoid, HardSwish, Tanh, SiLU and x·HardSigmoid(x)"
        + " after a conv into its epilogue.";
  }

  @Override
  public Graph run(Graph graph, PassContext ctx) {
    GraphEdit edit = new GraphEdit(graph);
    Set<Node> explained = Collections.newSetFromMap(new IdentityHashMap<>());
    for (Node node : graph.nodes()) {
      if (edit.isClaimed(node) || explained.contains(node)) {
        continue;
      }
      if (Patterns.isConv(node)) {
        fuse(graph, edit, node, explained, ctx);
      } else if (Activations.isActivation(node)) {
        ctx.refused(this, node, "not fused: " + label(node) + " " + refusal(graph, node));
      }
    }
    return edit.build();
  }

  private void fuse(Graph graph, GraphEdit edit, Node conv, Set<Node> explained, PassContext ctx) {
    List<Activations.Match> matches = Activations.matchChain(graph, conv.output(0));
    if (matches.isEmpty()) {
      return;
    }
    List<Node> activations = new ArrayList<>();
    FusedConv fused = conv.op() instanceof FusedConv f ? f
        : new FusedConv((Conv) conv.op(), conv.hasInput(2), List.of());
    for (Activations.Match m : matches) {
      activations.addAll(m.nodes());
      fused = fused.withStep(m.step());
    }
    String biasProblem = biasProblem(graph, conv);
    if (biasProblem != null) {
      ctx.refused(this, activations.get(0), "not fused: " + labels(activations) + " "
          + biasProblem);
      explained.addAll(activations);
      return;
    }
    List<Node> chain = new ArrayList<>();
    chain.add(conv);
    chain.addAll(activations);
    Node last = matches.get(matches.size() - 1).last();
    edit.fuse(chain, new Node(conv.name(), fused, fusedInputs(conv), List.of(last.output(0))));
    ctx.fired(this, last, "fused " + labels(activations) + " into " + label(conv)
        + ": epilogue " + fused.describeEpilogue());
  }

  /** A fused conv's inputs stay; a plain conv's are X, W and its bias if it has one. */
  static List<String> fusedInputs(Node conv) {
    return conv.op() instanceof FusedConv ? conv.inputs()
        : FusedConv.inputs(conv.input(0), conv.input(1), conv.input(2), "", List.of());
  }

  /** Why the epilogue cannot hold the conv's bias, or {@code null}. */
  static String biasProblem(Graph graph, Node conv) {
    if (conv.hasInput(2) && !graph.isConstant(conv.input(2))) {
      return "follows " + label(conv) + ", whose bias is computed at run time";
    }
    return null;
  }

  /** Why a single activation was not fused. */
  private static String refusal(Graph graph, Node activation) {
    String x = activation.input(0);
    Node producer = graph.producer(x);
    if (producer == null) {
      return "reads " + origin(graph, x) + ", not a Conv output";
    }
    if (!Patterns.isConv(producer)) {
      return "follows " + label(producer) + ", not a Conv";
    }
    if (Activations.stepOf(graph, activation) == null) {
      return "has bounds computed at run time";
    }
    String readers = Patterns.otherReaders(graph, x, activation);
    if (readers != null) {
      return "follows " + label(producer) + ", " + readers;
    }
    String biasProblem = biasProblem(graph, producer);
    return biasProblem != null ? biasProblem : "follows " + label(producer) + " but matches no pattern";
  }
}
