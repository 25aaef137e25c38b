package dev.kiln.compiler.passes;

import dev.kiln.compiler.ir.Graph;
import dev.kiln.compiler.ir.Node;
import dev.kiln.compiler.ir.Tensor;
import dev.kiln.compiler.ops.Add;
import dev.kiln.compiler.ops.Clip;
import dev.kiln.compiler.ops.Div;
import dev.kiln.compiler.ops.EpilogueStep.ActivationStep;
import dev.kiln.compiler.ops.HardSigmoid;
import dev.kiln.compiler.ops.HardSwish;
import dev.kiln.compiler.ops.LeakyRelu;
import dev.kiln.compiler.ops.Mul;
import dev.kiln.compiler.ops.Relu;
import dev.kiln.compiler.ops.Sigmoid;
import dev.kiln.compiler.ops.Tanh;
import dev.kiln.runtime.kernels.Epilogue.Activation;
import java.util.ArrayList;
import java.util.List;

/**
 * Recognizes the activations an epilogue can apply, as single operators and as the subgraphs
 * exporters emit for them:
 *
 * <ul>
 *   <li>Relu, Clip (constant bounds; ReLU6 is Clip(0, 6)), LeakyRelu, Sigmoid, HardSigmoid,
 *       HardSwish, Tanh;
 *   <li>x·Sigmoid(x) (SiLU, Swish): x read by a Sigmoid and by the Mul of x and that Sigmoid;
 *   <li>x·HardSigmoid(x): likewise, with HardSigmoid's alpha and beta;
 *   <li>HardSwish spelled out: Add(x, 3) → Clip(0, 6) → Div(6) → Mul(x) (PaddleOCR), or
 *       Add(x, 3) → Clip(0, 6) → Mul(x) → Div(6); a Mul by 1/6 may stand for the Div.
 * </ul>
 *
 * Every intermediate value must be read by the pattern alone and be no graph output, so removing the
 * pattern's nodes removes nothing else reads.
 */
final class Activations {
  private Activations() {}

  /** An activation applied to a value: its epilogue step, the nodes computing it, the last one. */
  record Match(ActivationStep step, List<Node> nodes, Node last) {}

  private static final List<String> SINGLE = List.of(Relu.TYPE, Clip.TYPE, LeakyRelu.TYPE,
      Sigmoid.TYPE, HardSigmoid.TYPE, HardSwish.TYPE, Tanh.TYPE);

  /** Whether the node is one of the single-operator activations. */
  static boolean isActivation(Node node) {
    return SINGLE.contains(node.opType());
  }

  /**
   * The epilogue step a single activation node computes, or {@code null} when a Clip's bounds are
   * not constants.
   */
  static ActivationStep stepOf(Graph graph, Node node) {
    if (node.op() instanceof Clip clip) {
      Tensor lo = Patterns.constantValue(graph, node.input(1));
      Tensor hi = Patterns.constantValue(graph, node.input(2));
      if ((node.hasInput(1) && lo == null) || (node.hasInput(2) && hi == null)) {
        return null;
      }
      return new ActivationStep(Activation.CLIP, clip.lowerBound(lo), clip.upperBound(hi));
    }
    if (node.op() instanceof LeakyRelu leaky) {
      return new ActivationStep(Activation.LEAKY_RELU, leaky.alpha(), 0f);
    }
    if (node.op() instanceof HardSigmoid hard) {
      return new ActivationStep(Activation.HARD_SIGMOID, hard.alpha(), hard.beta());
    }
    switch (node.opType()) {
      case Relu.TYPE:
        return ActivationStep.of(Activation.RELU);
      case Sigmoid.TYPE:
        return ActivationStep.of(Activation.SIGMOID);
      case HardSwish.TYPE:
        return ActivationStep.of(Activation.HARD_SWISH);
      case Tanh.TYPE:
        return ActivationStep.of(Activation.TANH);
      default:
        throw new IllegalArgumentException(node.describe() + " is not an activation");
    }
  }

  /**
   * The activations applied one after another to {@code value} (Relu → Clip, say), each matched on
   * the previous one's result; empty when none is.
   */
  static List<Match> matchChain(Graph graph, String value) {
    List<Match> chain = new ArrayList<>();
    for (Match m = match(graph, value); m != null; m = match(graph, m.last().output(0))) {
      chain.add(m);
    }
    return chain;
  }

  /** The activation that every reader of {@code value} together applies to it, or {@code null}. */
  static Match match(Graph graph, String value) {
    Match m = find(graph, value);
    // A constant of higher rank (Add(x, [[[[[3]]]]])) would broadcast the result to another shape.
    return m != null && graph.type(m.last().output(0)).equals(graph.type(value)) ? m : null;
  }

  private static Match find(Graph graph, String value) {
    if (graph.isGraphOutput(value)) {
      return null;
    }
    List<Node> readers = graph.consumers(value);
    if (readers.size() == 1) {
      Node r = readers.get(0);
      if (!isActivation(r) || !r.input(0).equals(value)) {
        return null;
      }
      ActivationStep step = stepOf(graph, r);
      return step == null ? null : new Match(step, List.of(r), r);
    }
    if (readers.size() != 2) {
      return null;
    }
    for (Node r : readers) {
      Node other = readers.get(0) == r ? readers.get(1) : readers.get(0);
      Match m = gated(graph, value, r, other);
      if (m == null) {
        m = hardSwish(graph, value, r, other);
      }
      if (m != null) {
        return m;
      }
    }
    return null;
  }

  /** x·Sigmoid(x) and x·HardSigmoid(x). */
  private static Match gated(Graph graph, String x, Node gate, Node mul) {
    boolean sigmoid = gate.opType().equals(Sigmoid.TYPE);
    if (!sigmoid && !(gate.op() instanceof HardSigmoid)) {
      return null;
    }
    if (!isProductOf(mul, x, gate.output(0)) || soleReader(graph, gate.output(0)) != mul) {
      return null;
    }
    ActivationStep step;
    if (sigmoid) {
      step = ActivationStep.of(Activation.SILU);
    } else {
      HardSigmoid h = (HardSigmoid) gate.op();
      step = new ActivationStep(Activation.X_HARD_SIGMOID, h.alpha(), h.beta());
    }
    return new Match(step, List.of(gate, mul), mul);
  }

  /** Add(x, 3) → Clip(0, 6) → Div(6) → Mul(x), or Add(x, 3) → Clip(0, 6) → Mul(x) → Div(6). */
  private static Match hardSwish(Graph graph, String x, Node add, Node mulByX) {
    if (!(add.op() instanceof Add) || !(mulByX.op() instanceof Mul)
        || !isConstantOperand(graph, add, x, 3f)) {
      return null;
    }
    Node clip = soleReader(graph, add.output(0));
    if (clip == null || !(clip.op() instanceof Clip) || !clip.input(0).equals(add.output(0))) {
      return null;
    }
    ActivationStep bounds = stepOf(graph, clip);
    if (bounds == null || bounds.alpha() != 0f || bounds.beta() != 6f) {
      return null;
    }
    Node next = soleReader(graph, clip.output(0));
    if (next == null) {
      return null;
    }
    ActivationStep step = ActivationStep.of(Activation.HARD_SWISH);
    if (next == mulByX) {
      Node divide = soleReader(graph, mulByX.output(0));
      if (isProductOf(mulByX, x, clip.output(0)) && isSixth(graph, divide, mulByX.output(0))) {
        return new Match(step, List.of(add, clip, mulByX, divide), divide);
      }
      return null;
    }
    if (isSixth(graph, next, clip.output(0)) && soleReader(graph, next.output(0)) == mulByX
        && isProductOf(mulByX, x, next.output(0))) {
      return new Match(step, List.of(add, clip, next, mulByX), mulByX);
    }
    return null;
  }

  /** Whether {@code node} is Div(value, 6) or Mul(value, 1/6) (either operand order for Mul). */
  private static boolean isSixth(Graph graph, Node node, String value) {
    if (node == null) {
      return false;
    }
    if (node.op() instanceof Div) {
      Tensor c = Patterns.constantValue(graph, node.input(1));
      return node.input(0).equals(value) && c != null && c.elementCount() == 1 && c.floatAt(0) == 6f;
    }
    if (node.op() instanceof Mul) {
      String otherName = node.input(0).equals(value) ? node.input(1) : node.input(0);
      Tensor c = Patterns.constantValue(graph, otherName);
      return (node.input(0).equals(value) || node.input(1).equals(value)) && c != null
          && c.elementCount() == 1 && Math.abs(c.floatAt(0) - 1.0 / 6) < 1e-7;
    }
    return false;
  }

  /** Whether {@code add} adds the scalar constant {@code value} to {@code x}, either way round. */
  private static boolean isConstantOperand(Graph graph, Node add, String x, float value) {
    String other;
    if (add.input(0).equals(x)) {
      other = add.input(1);
    } else if (add.input(1).equals(x)) {
      other = add.input(0);
    } else {
      return false;
    }
    Tensor c = Patterns.constantValue(graph, other);
    return c != null && c.elementCount() == 1 && c.floatAt(0) == value;
  }

  private static boolean isProductOf(Node mul, String a, String b) {
    return mul.op() instanceof Mul
        && ((mul.input(0).equals(a) && mul.input(1).equals(b))
            || (mul.input(0).equals(b) && mul.input(1).equals(a)));
  }

  /** The one node reading {@code value} when it is no graph output, else {@code null}. */
  static Node soleReader(Graph graph, String value) {
    List<Node> readers = graph.consumers(value);
    return readers.size() == 1 && !graph.isGraphOutput(value) ? readers.get(0) : null;
  }
}
