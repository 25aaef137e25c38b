package dev.kiln.compiler.memory;

import dev.kiln.compiler.ir.Graph;
import dev.kiln.compiler.ir.Node;
import dev.kiln.compiler.ir.Shape;
import dev.kiln.compiler.ops.BatchNormalization;
import dev.kiln.compiler.ops.BinaryElementwise;
import dev.kiln.compiler.ops.Clip;
import dev.kiln.compiler.ops.ScaleShift;
import dev.kiln.compiler.ops.UnaryElementwise;

/** Which nodes may share memory between an input and an output. */
final class AliasRules {
  private AliasRules() {}

  /**
   * A view ({@link dev.kiln.compiler.ir.Op#isView()}) produces its first input's bytes unchanged
   * under another shape (NCHW is contiguous, so Reshape, Flatten, Squeeze and Unsqueeze never move
   * data): its output is its input's buffer.
   */
  static boolean isView(Node node) {
    return node.op().isView() && node.outputs().size() == 1;
  }

  /**
   * Whether the node's kernel may write its output over input {@code i}: elementwise operators read
   * each element before writing the same position, so in-place is safe when the input has the
   * output's full shape (a broadcast operand is read repeatedly, and may not be overwritten).
   */
  static boolean canWriteOver(Node node, int i, Graph graph) {
    String out = node.output(0);
    Shape outShape = graph.type(out).shape();
    Shape inShape = graph.type(node.input(i)).shape();
    if (!inShape.equals(outShape) || graph.type(out).dtype() != graph.type(node.input(i)).dtype()) {
      return false;
    }
    var op = node.op();
    if (op instanceof UnaryElementwise) {
      return i == 0;
    }
    if (op instanceof Clip || op instanceof BatchNormalization || op instanceof ScaleShift) {
      return i == 0;
    }
    return op instanceof BinaryElementwise && i < 2;
  }

  /**
   * Whether each input of this Concat occupies one contiguous slice of its output: true when every
   * dimension before the axis is 1 (batch 1, channel concat: SqueezeNet, GoogLeNet, DenseNet).
   */
  static boolean concatIsContiguous(Node node, Graph graph) {
    if (!node.opType().equals("Concat") || node.outputs().size() != 1) {
      return false;
    }
    Shape out = graph.type(node.output(0)).shape();
    int axis = (int) node.op().attributes().getInt("axis", 0);
    if (axis < 0) {
      axis += out.rank();
    }
    return axis >= 0 && axis < out.rank() && out.product(0, axis) == 1;
  }
}
