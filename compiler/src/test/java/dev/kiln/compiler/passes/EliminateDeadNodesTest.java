package dev.kiln.compiler.passes;

import static dev.kiln.compiler.passes.PassTesting.assertSameOutputs;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import dev.kiln.compiler.ir.Graph;
import dev.kiln.compiler.testing.ModelBuilder;
import dev.kiln.compiler.testing.Tensors;
import java.util.List;
import org.junit.jupiter.api.Test;

class EliminateDeadNodesTest {
  private final EliminateDeadNodes pass = new EliminateDeadNodes();

  @Test
  void removesWhatNoOutputDependsOnAndTheConstantsOnlyItRead() {
    Graph g = new ModelBuilder(13).input("x", 1, 4)
        .initializer("unused", Tensors.random(1, 1, 4))
        .namedNode("relu", "Relu", List.of("x"), List.of("out"))
        .namedNode("dead1", "Mul", List.of("x", "unused"), List.of("d1"))
        .namedNode("dead2", "Sigmoid", List.of("d1"), List.of("d2"))
        .output("out").importGraph();
    PassTesting.Result r = PassTesting.run(pass, g);
    assertEquals(List.of("Relu"), r.opTypes());
    assertFalse(r.graph().isConstant("unused"));
    assertEquals(List.of("EliminateDeadNodes: removed Mul 'dead1': nothing reads its output",
        "EliminateDeadNodes: removed Sigmoid 'dead2': nothing reads its output"), r.trace());
    assertSameOutputs(g, r.graph());
  }

  @Test
  void keepsEveryNodeAnOutputDependsOn() {
    Graph g = new ModelBuilder(13).input("x", 1, 4)
        .namedNode("relu", "Relu", List.of("x"), List.of("r"))
        .namedNode("sig", "Sigmoid", List.of("r"), List.of("out"))
        .output("out").output("r").importGraph();
    assertEquals(List.of(), PassTesting.runUnchanged(pass, g).trace());
  }
}
