package dev.kiln.compiler.ops;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.kiln.compiler.ir.Cost;
import dev.kiln.compiler.ir.Graph;
import dev.kiln.compiler.ir.Node;
import dev.kiln.compiler.report.LayerCost;
import dev.kiln.compiler.testing.ModelBuilder;

/** Checks shared by the operator tests. */
final class OpAssertions {
  private OpAssertions() {}

  /**
   * Imports the model and checks {@link dev.kiln.compiler.ir.Op#attributes()}'s contract on every
   * node: the factory re-creates an equal operator from them at the graph's opset.
   */
  static Graph assertAttributesRoundTrip(ModelBuilder model) {
    Graph g = model.importGraph();
    for (Node node : g.nodes()) {
      assertEquals(node.op(), OpRegistry.create(node.opType(), node.op().attributes(), g.opset()),
          "node " + node.describe() + " re-created from " + node.op().attributes());
    }
    return g;
  }

  /** The cost of the graph's only node. */
  static Cost onlyNodeCost(ModelBuilder model) {
    Graph g = model.importGraph();
    assertEquals(1, g.nodes().size(), "nodes");
    return LayerCost.of(g).get(0).cost();
  }
}
