package dev.kiln.compiler.passes;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kiln.compiler.ir.Graph;
import dev.kiln.compiler.ir.Node;
import dev.kiln.compiler.testing.ModelBuilder;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class PipelineTest {
  /** Removes the first Relu per run and refuses every other Relu and every Sigmoid. */
  static final class PeelRelu implements Pass {
    @Override
    public String summary() {
      return "Removes one Relu.";
    }

    @Override
    public Graph run(Graph graph, PassContext ctx) {
      GraphEdit edit = new GraphEdit(graph);
      for (Node n : graph.nodes()) {
        if (n.opType().equals("Relu") && !edit.changed()) {
          edit.rename(n.output(0), n.input(0));
          edit.remove(n);
          ctx.fired(this, n, "removed '" + n.name() + "'");
        } else if (n.opType().equals("Relu") || n.opType().equals("Sigmoid")) {
          ctx.refused(this, n, "kept '" + n.name() + "'");
        }
      }
      return edit.build();
    }
  }

  /** x → Relu 'r1' → Relu 'r2' → Relu 'r3' → Sigmoid 's' → out. */
  private static Graph chain() {
    return new ModelBuilder(13).input("x", 1, 4)
        .namedNode("r1", "Relu", List.of("x"), List.of("a"))
        .namedNode("r2", "Relu", List.of("a"), List.of("b"))
        .namedNode("r3", "Relu", List.of("b"), List.of("c"))
        .namedNode("s", "Sigmoid", List.of("c"), List.of("out"))
        .output("out").importGraph();
  }

  @Test
  void repeatsUntilNothingFiresAndKeepsOnlyTheLastRunsRefusals() {
    PassContext ctx = PassContext.builder().verifyEachPass(true).build();
    Graph out = Pipeline.builder().repeat(new PeelRelu()).build().run(chain(), ctx);
    assertEquals(List.of("Sigmoid"), out.nodes().stream().map(Node::opType).toList());
    assertEquals(List.of("PeelRelu: removed 'r1'", "PeelRelu: removed 'r2'", "PeelRelu: removed 'r3'",
        "PeelRelu: kept 's'"), ctx.log().entries().stream().map(Rewrite::toString).toList());
  }

  @Test
  void runsAPassOnceUnlessToldToRepeat() {
    PassContext ctx = PassContext.quiet();
    Graph out = Pipeline.builder().add(new PeelRelu()).build().run(chain(), ctx);
    assertEquals(List.of("Relu", "Relu", "Sigmoid"), out.nodes().stream().map(Node::opType).toList());
    assertEquals(List.of("PeelRelu: removed 'r1'", "PeelRelu: kept 'r2'", "PeelRelu: kept 'r3'",
        "PeelRelu: kept 's'"), ctx.log().entries().stream().map(Rewrite::toString).toList());
  }

  @Test
  void stopsAPassThatNeverSettles() {
    Pass restless = new Pass() {
      @Override
      public String name() {
        return "Restless";
      }

      @Override
      public String summary() {
        return "Claims to rewrite every time.";
      }

      @Override
      public Graph run(Graph graph, PassContext ctx) {
        ctx.fired(this, graph.nodes().get(0), "rewrote nothing");
        return graph;
      }
    };
    IllegalStateException e = assertThrows(IllegalStateException.class,
        () -> Pipeline.builder().repeat(restless).build().run(chain(), PassContext.quiet()));
    assertEquals("Restless still rewrote the graph after 100 runs", e.getMessage());
  }

  /** Drops the first node: its output is then read but never defined. */
  static final class DropFirstNode implements Pass {
    @Override
    public String summary() {
      return "Breaks the graph.";
    }

    @Override
    public Graph run(Graph graph, PassContext ctx) {
      return graph.toBuilder().nodes(graph.nodes().subList(1, graph.nodes().size())).build();
    }
  }

  @Test
  void theVerifierNamesThePassThatBrokeTheGraph() {
    Pipeline pipeline = Pipeline.builder().add(new DropFirstNode()).add(new PeelRelu()).build();
    IllegalStateException e = assertThrows(IllegalStateException.class,
        () -> pipeline.run(chain(), PassContext.builder().verifyEachPass(true).build()));
    assertEquals("graph 'test' is invalid after DropFirstNode: node 'r2' (Relu) reads 'a' before it is"
        + " defined", e.getMessage());
  }

  @Test
  void theGraphIsVerifiedAtTheEndEvenWithoutVerifyingEachPass() {
    Pipeline pipeline = Pipeline.builder().add(new DropFirstNode()).build();
    IllegalStateException e = assertThrows(IllegalStateException.class,
        () -> pipeline.run(chain(), PassContext.quiet()));
    assertTrue(e.getMessage().startsWith("graph 'test' is invalid after the pipeline: "), e.getMessage());
  }

  @Test
  void theHookSeesTheGraphAfterEachPassAndTheTraceEveryEntry() {
    List<String> seen = new ArrayList<>();
    List<String> trace = new ArrayList<>();
    PassContext ctx = PassContext.builder()
        .trace(trace::add)
        .afterEachPass((pass, g) -> seen.add(pass.name() + ":" + g.nodes().size()))
        .build();
    Pipeline.builder().add(new PeelRelu()).add(new PeelRelu()).build().run(chain(), ctx);
    assertEquals(List.of("PeelRelu:3", "PeelRelu:2"), seen);
    assertEquals(ctx.log().entries().stream().map(Rewrite::toString).toList(), trace);
  }

  @Test
  void theStandardPipelineOrder() {
    assertEquals(List.of("EliminateIdentity", "FoldConstants", "EliminateDeadNodes", "FoldPadIntoConv",
        "FuseMatMulAdd", "FoldConvBatchNorm", "FoldConvScale", "FuseConvActivation", "FuseConvAdd",
        "LowerBatchNorm", "FuseConvBias"), Pipeline.standard().passNames());
    assertEquals(List.of(false, false, false, false, false, false, true, false, false, false, false,
        false), Pipeline.standard().entries().stream().map(Pipeline.Entry::untilFixedPoint).toList());
  }
}
