package dev.kiln.compiler.passes;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kiln.compiler.exec.GraphInterpreter;
import dev.kiln.compiler.importer.onnx.proto.OnnxProto.ModelProto;
import dev.kiln.compiler.ir.Graph;
import dev.kiln.compiler.ir.GraphPrinter;
import dev.kiln.compiler.ir.GraphVerifier;
import dev.kiln.compiler.ir.Node;
import dev.kiln.compiler.ir.Tensor;
import dev.kiln.compiler.ir.Value;
import dev.kiln.compiler.testing.Ort;
import dev.kiln.compiler.testing.TensorAssert;
import dev.kiln.compiler.testing.Tensors;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The three checks every pass gets: it fires (the caller asserts the structure), it leaves a twin
 * alone (printed graph unchanged), and the graph computes the same before and after on seeded
 * input. The verifier runs before and after every pass run here.
 */
final class PassTesting {
  /** Before/after agreement on seeded input, relative to the output's magnitude. */
  static final double TOLERANCE = 1e-5;

  private PassTesting() {}

  /** A pass run with its log: what tests look at. */
  record Result(Graph graph, RewriteLog log) {
    List<String> trace() {
      return log.entries().stream().map(Rewrite::toString).toList();
    }

    List<String> opTypes() {
      return graph.nodes().stream().map(Node::opType).toList();
    }

    Node node(String name) {
      return graph.nodes().stream().filter(n -> n.name().equals(name)).findFirst()
          .orElseThrow(() -> new AssertionError("no node '" + name + "' in\n" + GraphPrinter.print(graph)));
    }
  }

  /** Runs one pass on a verified graph and verifies what it returns. */
  static Result run(Pass pass, Graph graph) {
    GraphVerifier.verify(graph);
    PassContext ctx = PassContext.builder().verifyEachPass(true).build();
    Graph out = pass.run(graph, ctx);
    GraphVerifier.verify(out);
    return new Result(out, ctx.log());
  }

  /** Runs a pass that must not change anything: the printed graph stays identical. */
  static Result runUnchanged(Pass pass, Graph graph) {
    Result r = run(pass, graph);
    assertEquals(GraphPrinter.print(graph), GraphPrinter.print(r.graph()), pass.name() + " changed the graph");
    assertTrue(r.log().fired().isEmpty(), "nothing may fire: " + r.log().fired());
    return r;
  }

  /** Runs the standard pipeline with the verifier after every pass. */
  static Result optimize(Graph graph) {
    GraphVerifier.verify(graph);
    PassContext ctx = PassContext.builder().verifyEachPass(true).build();
    return new Result(Pipeline.standard().run(graph, ctx), ctx.log());
  }

  /** Seeded inputs in [-1, 1) for every graph input. */
  static Map<String, Tensor> seededInputs(Graph graph, long seed) {
    Map<String, Tensor> inputs = new LinkedHashMap<>();
    long s = seed;
    for (Value in : graph.inputs()) {
      inputs.put(in.name(), Tensors.random(s++, in.type().shape().dims()));
    }
    return inputs;
  }

  /** Runs both graphs on the same seeded input; outputs must agree within {@link #TOLERANCE}. */
  static void assertSameOutputs(Graph before, Graph after) {
    Map<String, Tensor> inputs = seededInputs(before, 42);
    Map<String, Tensor> expected = GraphInterpreter.run(before, inputs);
    Map<String, Tensor> actual = GraphInterpreter.run(after, inputs);
    assertEquals(expected.keySet(), actual.keySet(), "output names");
    for (Map.Entry<String, Tensor> e : expected.entrySet()) {
      TensorAssert.assertClose(e.getValue(), actual.get(e.getKey()), TOLERANCE,
          "output '" + e.getKey() + "' after the pass");
    }
  }

  /** The optimized graph against ONNX Runtime running the original model. */
  static void assertOptimizedMatchesOrt(ModelProto model, Graph imported) {
    Map<String, Tensor> inputs = seededInputs(imported, 7);
    Map<String, Tensor> expected = Ort.run(model, inputs);
    Map<String, Tensor> actual = GraphInterpreter.run(optimize(imported).graph(), inputs);
    for (Map.Entry<String, Tensor> e : expected.entrySet()) {
      TensorAssert.assertClose(e.getValue(), actual.get(e.getKey()), TOLERANCE,
          "optimized output '" + e.getKey() + "' vs ONNX Runtime");
    }
  }
}
