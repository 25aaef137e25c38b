package dev.kiln.compiler.ir;

import java.util.Map;

/**
 * A stable, line-per-value text form of a graph for debugging, {@code --dump-after} and golden
 * tests:
 *
 * <pre>
 * graph tiny (opset 13)
 *   input  %input: float32[1,3,32,32]
 *   const  %w: float32[16,3,3,3]
 *   %y: float32[1,16,32,32] = Conv 'conv1' (%input, %w) {kernel_shape=[3,3], pads=[1,1,1,1]}
 *   output %y
 * </pre>
 */
public final class GraphPrinter {
  private GraphPrinter() {}

  public static String print(Graph graph) {
    StringBuilder sb = new StringBuilder();
    sb.append("graph ").append(graph.name()).append(" (opset ").append(graph.opset()).append(")\n");
    for (Value in : graph.inputs()) {
      sb.append("  input  %").append(in.name()).append(": ").append(in.type()).append('\n');
    }
    for (Map.Entry<String, Tensor> c : graph.constants().entrySet()) {
      sb.append("  const  %").append(c.getKey()).append(": ").append(c.getValue()).append('\n');
    }
    for (Node node : graph.nodes()) {
      sb.append("  ");
      for (int i = 0; i < node.outputs().size(); i++) {
        if (i > 0) {
          sb.append(", ");
        }
        String out = node.output(i);
        if (out.isEmpty()) {
          sb.append('_');
        } else {
          sb.append('%').append(out).append(": ").append(graph.types().get(out));
        }
      }
      sb.append(" = ").append(node.opType()).append(" '").append(node.name()).append("' (");
      for (int i = 0; i < node.inputs().size(); i++) {
        if (i > 0) {
          sb.append(", ");
        }
        String in = node.input(i);
        sb.append(in.isEmpty() ? "_" : "%" + in);
      }
      sb.append(')');
      Attributes attrs = node.op().attributes();
      if (!attrs.isEmpty()) {
        sb.append(' ').append(attrs);
      }
      sb.append('\n');
    }
    for (String out : graph.outputs()) {
      sb.append("  output %").append(out).append('\n');
    }
    return sb.toString();
  }
}
