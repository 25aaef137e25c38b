package dev.kiln.compiler.memory;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.kiln.compiler.exec.ArenaInterpreter;
import dev.kiln.compiler.exec.GraphInterpreter;
import dev.kiln.compiler.ir.Graph;
import dev.kiln.compiler.ir.Tensor;
import dev.kiln.compiler.memory.MemoryPlan.Buffer;
import dev.kiln.compiler.memory.MemoryPlan.Kind;
import dev.kiln.compiler.memory.MemoryPlan.Placement;
import dev.kiln.compiler.testing.Attr;
import dev.kiln.compiler.testing.ModelBuilder;
import dev.kiln.compiler.testing.TensorAssert;
import dev.kiln.compiler.testing.Tensors;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class MemoryPlannerTest {
  private static final int RANDOM_GRAPHS = Integer.getInteger("kiln.plannerGraphs", 10_000);

  /**
   * The property: on random DAGs the plan verifies, the arena is never below the liveness lower
   * bound, and running through the arena gives bit-identical outputs to running without reuse.
   */
  @Test
  void randomGraphsArePlannedSafely() {
    long totalArena = 0;
    long totalBound = 0;
    int eliminatedConcats = 0;
    for (long seed = 0; seed < RANDOM_GRAPHS; seed++) {
      RandomGraphs.Case c = RandomGraphs.generate(seed);
      MemoryPlan plan;
      try {
        plan = MemoryPlanner.plan(c.graph(), PlanOptions.DEFAULTS);
      } catch (RuntimeException e) {
        throw new AssertionError("seed " + seed + ": " + e.getMessage(), e);
      }
      if (plan.arenaBytes() < plan.lowerBoundBytes()) {
        fail("seed " + seed + ": arena " + plan.arenaBytes() + " below lower bound " + plan.lowerBoundBytes());
      }
      totalArena += plan.arenaBytes();
      totalBound += plan.lowerBoundBytes();
      for (String n : plan.eliminatedNodes()) {
        if (n.startsWith("Concat")) {
          eliminatedConcats++;
        }
      }
      Map<String, Tensor> expected = GraphInterpreter.run(c.graph(), c.inputs());
      // A dirty arena: planned code must never read memory it did not write.
      float[] arena = new float[Math.toIntExact(plan.arenaBytes() / 4)];
      java.util.Arrays.fill(arena, Float.NaN);
      Map<String, Tensor> actual = new ArenaInterpreter(c.graph(), plan).run(c.inputs(), arena);
      for (String out : expected.keySet()) {
        TensorAssert.assertBitIdentical(expected.get(out), actual.get(out), "seed " + seed + " output " + out);
      }
    }
    assertTrue(totalArena >= totalBound);
    if (dev.kiln.compiler.ops.OpRegistry.isSupported("Concat")) {
      assertTrue(eliminatedConcats > RANDOM_GRAPHS / 10, "only " + eliminatedConcats + " concats eliminated");
    }
  }

  @Test
  void verifyNamesBothBuffersAndTheStep() {
    List<Buffer> buffers = List.of(
        new Buffer("conv1", Kind.ACTIVATION, 0, 1024, 0, 2),
        new Buffer("relu1", Kind.ACTIVATION, 512, 1024, 2, 3));
    MemoryPlan broken = new MemoryPlan(List.of("a", "b", "c", "d"), buffers,
        Map.of("conv1", new Placement("conv1", 0, 1024), "relu1", new Placement("relu1", 0, 1024)),
        Map.of(), List.of(), 2048, "TEST");
    IllegalStateException e = assertThrows(IllegalStateException.class, broken::verify);
    assertEquals("memory plan: buffers 'conv1' [0, 1024) steps 0..2 and 'relu1' [512, 1536) steps 2..3"
        + " overlap while both are live at step 2 (c)", e.getMessage());
  }

  @Test
  void verifyAcceptsOverlapAtDisjointSteps() {
    List<Buffer> buffers = List.of(
        new Buffer("a", Kind.ACTIVATION, 0, 1024, 0, 1),
        new Buffer("b", Kind.ACTIVATION, 0, 1024, 2, 3));
    new MemoryPlan(List.of("s0", "s1", "s2", "s3"), buffers, Map.of(), Map.of(), List.of(), 2048, "TEST")
        .verify();
  }

  @Test
  void verifyRejectsMisalignedBuffers() {
    MemoryPlan p = new MemoryPlan(List.of("s0"), List.of(new Buffer("a", Kind.ACTIVATION, 32, 64, 0, 0)),
        Map.of(), Map.of(), List.of(), 64, "TEST");
    IllegalStateException e = assertThrows(IllegalStateException.class, p::verify);
    assertEquals("memory plan: buffer 'a' [32, 96) steps 0..0 is not aligned to 64 bytes", e.getMessage());
  }

  @Test
  void chainReusesMemoryAndViewsAlias() {
    // x -> conv -> relu -> flatten -> gemm: relu runs in place over the conv's output, flatten is a view.
    Graph g = new ModelBuilder(13)
        .input("x", 1, 2, 4, 4)
        .initializer("w", Tensors.random(1, 3, 2, 3, 3))
        .initializer("fc", Tensors.random(2, 5, 48))
        .namedNode("conv", "Conv", List.of("x", "w"), List.of("c"), Attr.ints("pads", 1, 1, 1, 1))
        .namedNode("relu", "Relu", List.of("c"), List.of("r"))
        .namedNode("flat", "Flatten", List.of("r"), List.of("f"))
        .namedNode("gemm", "Gemm", List.of("f", "fc"), List.of("y"), Attr.i("transB", 1))
        .output("y")
        .importGraph();
    MemoryPlan plan = MemoryPlanner.plan(g, PlanOptions.DEFAULTS);
    assertEquals(plan.valueOffset("c"), plan.valueOffset("r"), "relu writes over its input");
    assertEquals(plan.valueOffset("r"), plan.valueOffset("f"), "flatten is a view");
    assertEquals(List.of("flat"), plan.eliminatedNodes());
    assertEquals(plan.lowerBoundBytes(), plan.arenaBytes());
    Map<String, Tensor> in = Map.of("x", Tensors.random(3, 1, 2, 4, 4));
    TensorAssert.assertBitIdentical(GraphInterpreter.run(g, in).get("y"),
        new ArenaInterpreter(g, plan).run(in).get("y"), "chain");
  }

  @Test
  void inPlaceIsRefusedWhileAnotherReaderNeedsTheInput() {
    // c feeds relu and then add: relu may not overwrite c.
    Graph g = new ModelBuilder(13)
        .input("x", 1, 2, 4, 4)
        .initializer("w", Tensors.random(1, 2, 2, 3, 3))
        .namedNode("conv", "Conv", List.of("x", "w"), List.of("c"), Attr.ints("pads", 1, 1, 1, 1))
        .namedNode("relu", "Relu", List.of("c"), List.of("r"))
        .namedNode("add", "Add", List.of("r", "c"), List.of("y"))
        .output("y")
        .importGraph();
    MemoryPlan plan = MemoryPlanner.plan(g, PlanOptions.DEFAULTS);
    assertTrue(plan.valueOffset("c") != plan.valueOffset("r"));
    assertEquals(plan.valueOffset("r"), plan.valueOffset("y"), "add writes over r, which dies there");
  }

  @Test
  void scratchIsPlannedInTheArena() {
    Graph g = new ModelBuilder(13)
        .input("x", 1, 2, 4, 4)
        .initializer("w", Tensors.random(1, 2, 2, 3, 3))
        .namedNode("conv", "Conv", List.of("x", "w"), List.of("y"), Attr.ints("pads", 1, 1, 1, 1))
        .output("y")
        .importGraph();
    MemoryPlan plan = MemoryPlanner.plan(g, PlanOptions.DEFAULTS.withWorkspace(
        n -> n.name().equals("conv") ? 1000 : 0));
    Buffer scratch = plan.scratch("conv");
    assertEquals(1024, scratch.bytes());
    assertEquals(Kind.SCRATCH, scratch.kind());
    assertEquals(128 + 128 + 1024, plan.arenaBytes());
  }
}
