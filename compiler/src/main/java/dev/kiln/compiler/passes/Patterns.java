package dev.kiln.compiler.passes;

import dev.kiln.compiler.ir.Graph;
import dev.kiln.compiler.ir.Node;
import dev.kiln.compiler.ir.Shape;
import dev.kiln.compiler.ir.Tensor;
import dev.kiln.compiler.ops.Constant;
import dev.kiln.compiler.ops.Conv;
import dev.kiln.compiler.ops.FusedConv;
import java.util.List;

/** What the passes ask of a graph when they match patterns, and how their messages name things. */
final class Patterns {
  private Patterns() {}

  /** {@code BatchNormalization 'bn3'}: how trace messages name a node. */
  static String label(Node node) {
    return node.opType() + " '" + node.name() + "'";
  }

  /** {@code Sigmoid 's' and Mul 'm'}, {@code Add 'a', Clip 'c', Div 'd' and Mul 'm'}. */
  static String labels(List<Node> nodes) {
    StringBuilder sb = new StringBuilder();
    for (int i = 0; i < nodes.size(); i++) {
      if (i > 0) {
        sb.append(i == nodes.size() - 1 ? " and " : ", ");
      }
      sb.append(label(nodes.get(i)));
    }
    return sb.toString();
  }

  /** Where a value comes from: {@code Relu 'relu2'}, {@code graph input 'x'} or {@code constant 'w'}. */
  static String origin(Graph graph, String value) {
    Node producer = graph.producer(value);
    if (producer != null) {
      return label(producer);
    }
    return (graph.isGraphInput(value) ? "graph input '" : "constant '") + value + "'";
  }

  /**
   * Why {@code value} is not read by {@code reader} alone, so that the node producing it cannot be
   * changed to produce something else: "whose output is also read by Relu 'r'", or {@code null} when
   * it is.
   */
  static String otherReaders(Graph graph, String value, Node reader) {
    if (graph.isGraphOutput(value)) {
      return "whose output is also a graph output";
    }
    for (Node c : graph.consumers(value)) {
      if (c != reader) {
        return "whose output is also read by " + label(c);
      }
    }
    return null;
  }

  /** A plain or fused convolution. */
  static boolean isConv(Node node) {
    return node != null && (node.op() instanceof Conv || node.op() instanceof FusedConv);
  }

  /** The conv part of a plain or fused convolution. */
  static Conv convOf(Node node) {
    return node.op() instanceof FusedConv f ? f.conv() : (Conv) node.op();
  }

  /**
   * The value's content when it is fixed before run time: a graph constant, or the output of a
   * Constant node (FoldConstants turns those into constants, but a pass that runs before it may
   * still see them); else {@code null}.
   */
  static Tensor constantValue(Graph graph, String value) {
    if (value.isEmpty()) {
      return null;
    }
    Tensor t = graph.constant(value);
    if (t != null) {
      return t;
    }
    Node producer = graph.producer(value);
    return producer != null && producer.op() instanceof Constant c ? c.value() : null;
  }

  /**
   * One value per channel of {@code out} (axis 1) from a tensor that broadcasts that way ({@code [C]}
   * against a rank-2 output, {@code [C,1,1]}, {@code [1,C,1,1]}, or a single value).
   */
  static float[] perChannel(Tensor t, Shape out) {
    float[] values = new float[out.dim(1)];
    boolean single = t.elementCount() == 1;
    for (int c = 0; c < values.length; c++) {
      values[c] = t.floatAt(single ? 0 : c);
    }
    return values;
  }
}
