package dev.kiln.compiler.ir;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.kiln.compiler.KilnException;
import dev.kiln.compiler.ops.Add;
import dev.kiln.compiler.ops.Relu;
import dev.kiln.compiler.testing.ModelBuilder;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The verifier reports every problem of a graph at once, in graph order, in one line. */
class GraphVerifierTest {
  private static Node node(String name, Op op, List<String> inputs, String output) {
    return new Node(name, op, inputs, List.of(output));
  }

  @Test
  void aValidGraphHasNoProblems() {
    Graph g = new ModelBuilder(13)
        .input("x", 1, 3)
        .node("Relu", List.of("x"), List.of("y"))
        .output("y")
        .importGraph();
    assertEquals(List.of(), GraphVerifier.check(g));
    GraphVerifier.verify(g);
  }

  @Test
  void reportsEveryProblemAtOnce() {
    TensorType t13 = TensorType.float32(1, 3);
    Graph g = Graph.builder().name("bad").source("bad.onnx").opset(13)
        .addInput("x", t13)
        .putConstant("x", Tensor.zeros(t13))
        // Reads 'late' before the node that defines it.
        .addNode(node("early", new Add(), List.of("x", "late"), "sum"), List.of(t13))
        .addNode(node("late", new Relu(), List.of("x"), "late"), List.of(t13))
        // Recorded type differs from what inference gives.
        .addNode(node("typed", new Relu(), List.of("x"), "r"), List.of(TensorType.float32(1, 4)))
        // Same name again, too many inputs, and defines 'late' a second time.
        .addNode(node("late", new Relu(), List.of("x", "x"), "late"), List.of(t13))
        // Never typed.
        .addNode(node("", new Relu(), List.of("sum"), "untyped"))
        .addOutput("sum")
        .addOutput("missing")
        .build();
    KilnException e = assertThrows(KilnException.class, () -> GraphVerifier.verify(g));
    assertEquals("bad.onnx: invalid graph 'bad': "
        + "graph input 'x' is also a constant; "
        + "node 'early' (Add) reads 'late' before it is defined (nodes out of topological order); "
        + "value 'r' of node 'typed' (Relu) is recorded as float32[1,4] but infers as"
        + " float32[1,3]; "
        + "node name 'late' is used twice; "
        + "node 'late' (Relu, opset 13): expects 1 input, got 2; "
        + "value 'late' is defined twice (again by node 'late' (Relu)); "
        + "a Relu node has an empty name; "
        + "value 'untyped' of node '' (Relu) has no type; "
        + "graph output 'missing' is never defined", e.getMessage());
  }
}
