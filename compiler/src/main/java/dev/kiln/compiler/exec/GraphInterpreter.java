package dev.kiln.compiler.exec;

import dev.kiln.compiler.KilnException;
import dev.kiln.compiler.ir.Graph;
import dev.kiln.compiler.ir.Node;
import dev.kiln.compiler.ir.Tensor;
import dev.kiln.compiler.ir.TensorType;
import dev.kiln.compiler.ir.TypeInference;
import dev.kiln.compiler.ir.Value;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Runs a graph node by node with the operators' reference evaluation, freeing each value after its
 * last use. The oracle for compiled programs, and what constant folding shares its kernels with.
 */
public final class GraphInterpreter {
  private GraphInterpreter() {}

  /**
   * @param inputs one tensor per graph input, by name, of exactly the input's type
   * @return the graph outputs by name, in graph order
   */
  public static Map<String, Tensor> run(Graph graph, Map<String, Tensor> inputs) {
    Map<String, Tensor> values = new HashMap<>(graph.constants());
    for (Value in : graph.inputs()) {
      Tensor t = inputs.get(in.name());
      if (t == null) {
        throw new KilnException(graph.source() + ": no data given for input '" + in.name() + "' ("
            + in.type() + ")");
      }
      if (!t.type().equals(in.type())) {
        throw new KilnException(graph.source() + ": input '" + in.name() + "' is " + t.type()
            + " but the model expects " + in.type());
      }
      values.put(in.name(), t);
    }
    for (String name : inputs.keySet()) {
      if (!graph.isGraphInput(name)) {
        throw new KilnException(graph.source() + ": the model has no input named '" + name + "'");
      }
    }

    Map<String, Integer> lastUse = lastUses(graph);
    List<Node> nodes = graph.nodes();
    for (int step = 0; step < nodes.size(); step++) {
      Node node = nodes.get(step);
      Tensor[] in = new Tensor[node.inputs().size()];
      for (int i = 0; i < in.length; i++) {
        String name = node.input(i);
        in[i] = name.isEmpty() ? null : values.get(name);
      }
      TensorType[] outTypes = new TensorType[node.outputs().size()];
      for (int i = 0; i < outTypes.length; i++) {
        String name = node.output(i);
        outTypes[i] = name.isEmpty() ? null : graph.type(name);
      }
      Tensor[] out;
      try {
        out = node.op().evaluate(in, outTypes);
      } catch (KilnException e) {
        throw new KilnException(TypeInference.where(graph.source(), node, graph.opset()) + ": "
            + e.getMessage(), e);
      }
      for (int i = 0; i < outTypes.length; i++) {
        if (outTypes[i] != null) {
          values.put(node.output(i), out[i]);
        }
      }
      for (String name : node.inputs()) {
        Integer last = lastUse.get(name);
        if (last != null && last == step && !graph.isGraphOutput(name) && !graph.isConstant(name)) {
          values.remove(name);
        }
      }
    }
    Map<String, Tensor> outputs = new LinkedHashMap<>();
    for (String name : graph.outputs()) {
      outputs.put(name, values.get(name));
    }
    return outputs;
  }

  private static Map<String, Integer> lastUses(Graph graph) {
    Map<String, Integer> last = new HashMap<>();
    List<Node> nodes = graph.nodes();
    for (int step = 0; step < nodes.size(); step++) {
      for (String in : nodes.get(step).inputs()) {
        if (!in.isEmpty()) {
          last.put(in, step);
        }
      }
    }
    return last;
  }
}
