package dev.kiln.compiler.report;

import dev.kiln.compiler.ir.Cost;
import dev.kiln.compiler.ir.CostContext;
import dev.kiln.compiler.ir.Graph;
import dev.kiln.compiler.ir.Node;
import dev.kiln.compiler.ir.TensorType;
import java.util.ArrayList;
import java.util.List;

/**
 * One node's cost with what identifies it in a table: the numbers {@code kiln inspect} prints.
 *
 * @param parameters elements of the node's constant inputs
 */
public record LayerCost(String name, String op, List<TensorType> outputTypes, long parameters, Cost cost) {

  /** Costs of every node, in graph order. */
  public static List<LayerCost> of(Graph graph) {
    List<LayerCost> layers = new ArrayList<>();
    for (Node node : graph.nodes()) {
      int n = node.inputs().size();
      TensorType[] in = new TensorType[n];
      boolean[] constant = new boolean[n];
      long parameters = 0;
      for (int i = 0; i < n; i++) {
        String v = node.input(i);
        if (!v.isEmpty()) {
          in[i] = graph.type(v);
          constant[i] = graph.isConstant(v);
          if (constant[i]) {
            parameters += in[i].elementCount();
          }
        }
      }
      List<TensorType> outs = new ArrayList<>();
      for (String v : node.outputs()) {
        outs.add(v.isEmpty() ? null : graph.type(v));
      }
      Cost cost = node.op().cost(new CostContext(in, constant, outs.toArray(new TensorType[0])));
      layers.add(new LayerCost(node.name(), node.opType(), outs, parameters, cost));
    }
    return layers;
  }

  /** The sum over layers. */
  public static Cost total(List<LayerCost> layers) {
    Cost sum = Cost.ZERO;
    for (LayerCost l : layers) {
      sum = sum.plus(l.cost());
    }
    return sum;
  }
}
