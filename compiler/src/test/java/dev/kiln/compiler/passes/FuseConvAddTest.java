package dev.kiln.compiler.passes;

import static dev.kiln.compiler.passes.PassTesting.assertOptimizedMatchesOrt;
import static dev.kiln.compiler.passes.PassTesting.assertSameOutputs;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.kiln.compiler.ir.Graph;
import dev.kiln.compiler.ops.FusedConv;
import dev.kiln.compiler.testing.Attr;
import dev.kiln.compiler.testing.ModelBuilder;
import dev.kiln.compiler.testing.Tensors;
import java.util.List;
import org.junit.jupiter.api.Test;

class FuseConvAddTest {
  private final FuseConvAdd pass = new FuseConvAdd();

  /** x [1,4,6,6] → Conv 'c1' → 'a' and x → Conv 'c2' → 'b': two same-shaped branches. */
  private static ModelBuilder twoConvs() {
    return new ModelBuilder(13)
        .input("x", 1, 4, 6, 6)
        .initializer("w1", Tensors.random(1, 4, 4, 3, 3)).initializer("b1", Tensors.random(2, 4))
        .initializer("w2", Tensors.random(3, 4, 4, 1, 1)).initializer("b2", Tensors.random(4, 4))
        .namedNode("c1", "Conv", List.of("x", "w1", "b1"), List.of("a"), Attr.ints("pads", 1, 1, 1, 1))
        .namedNode("c2", "Conv", List.of("x", "w2", "b2"), List.of("b"));
  }

  @Test
  void fusesTheAddAndTheReluAfterItIntoTheLaterConv() {
    ModelBuilder b = twoConvs()
        .namedNode("add", "Add", List.of("a", "b"), List.of("s"))
        .namedNode("relu", "Relu", List.of("s"), List.of("out"))
        .output("out");
    Graph g = b.importGraph();
    PassTesting.Result r = PassTesting.run(pass, g);
    assertEquals(List.of("Conv", FusedConv.TYPE), r.opTypes());
    FusedConv fused = (FusedConv) r.node("c2").op();
    assertEquals("BIAS -> ADD_RESIDUAL -> RELU", fused.describeEpilogue());
    assertEquals(List.of("x", "w2", "b2", "a"), r.node("c2").inputs());
    assertEquals(List.of("out"), r.node("c2").outputs());
    assertEquals(List.of("FuseConvAdd: fused Add 'add' and Relu 'relu' into Conv 'c2' with residual 'a':"
        + " epilogue BIAS -> ADD_RESIDUAL -> RELU"), r.trace());
    assertSameOutputs(g, r.graph());
    assertOptimizedMatchesOrt(b.build(), g);
  }

  @Test
  void fusesAnAddOfAGraphInputWithoutActivation() {
    Graph g = new ModelBuilder(13)
        .input("x", 1, 4, 5, 5)
        .initializer("w", Tensors.random(1, 4, 4, 3, 3))
        .namedNode("conv", "Conv", List.of("x", "w"), List.of("y"), Attr.ints("pads", 1, 1, 1, 1))
        .namedNode("add", "Add", List.of("x", "y"), List.of("out"))
        .output("out").importGraph();
    PassTesting.Result r = PassTesting.run(pass, g);
    assertEquals(List.of(FusedConv.TYPE), r.opTypes());
    assertEquals("ADD_RESIDUAL", ((FusedConv) r.node("conv").op()).describeEpilogue());
    assertEquals(List.of("x", "w", "", "x"), r.node("conv").inputs());
    assertSameOutputs(g, r.graph());
  }

  @Test
  void appendsToAnEpilogueThatAlreadyHasAnActivation() {
    Graph g = twoConvs()
        .namedNode("r1", "Relu", List.of("a"), List.of("ra"))
        .namedNode("add", "Add", List.of("ra", "b"), List.of("out"))
        .output("out").importGraph();
    Graph activated = PassTesting.run(new FuseConvActivation(), g).graph();
    PassTesting.Result r = PassTesting.run(pass, activated);
    // The fused c1 now stands where its Relu stood, after c2: it is the later conv.
    assertEquals(List.of("Conv", FusedConv.TYPE), r.opTypes());
    assertEquals("BIAS -> RELU -> ADD_RESIDUAL", ((FusedConv) r.node("c1").op()).describeEpilogue());
    assertEquals(List.of("x", "w1", "b1", "b"), r.node("c1").inputs());
    assertSameOutputs(g, r.graph());
  }

  @Test
  void triesTheEarlierConvWhenTheLaterOneHasAnotherReader() {
    Graph g = twoConvs()
        .namedNode("add", "Add", List.of("a", "b"), List.of("out"))
        .namedNode("peek", "Relu", List.of("b"), List.of("p"))
        .output("out").output("p").importGraph();
    PassTesting.Result r = PassTesting.run(pass, g);
    assertEquals("BIAS -> ADD_RESIDUAL", ((FusedConv) r.node("c1").op()).describeEpilogue());
    assertEquals(List.of("x", "w1", "b1", "b"), r.node("c1").inputs());
    assertSameOutputs(g, r.graph());
  }

  @Test
  void doesNotFuseABroadcastingAdd() {
    Graph g = twoConvs()
        .namedNode("gap", "GlobalAveragePool", List.of("b"), List.of("g"))
        .namedNode("add", "Add", List.of("a", "g"), List.of("out"))
        .output("out").importGraph();
    assertEquals(List.of("FuseConvAdd: not fused: Add 'add' broadcasts: Conv 'c1' gives"
        + " float32[1,4,6,6], 'g' is float32[1,4,1,1] and the sum float32[1,4,6,6]"),
        PassTesting.runUnchanged(pass, g).trace());
  }

  @Test
  void doesNotFuseWhenBothConvsHaveOtherReaders() {
    Graph g = twoConvs()
        .namedNode("add", "Add", List.of("a", "b"), List.of("out"))
        .output("out").output("a").output("b").importGraph();
    assertEquals(List.of("FuseConvAdd: not fused: Add 'add' follows Conv 'c2', whose output is also a"
        + " graph output"), PassTesting.runUnchanged(pass, g).trace());
  }

  @Test
  void doesNotFuseAnAddOfNoConv() {
    Graph g = new ModelBuilder(13).input("x", 1, 2, 3, 3).input("y", 1, 2, 3, 3)
        .namedNode("relu", "Relu", List.of("x"), List.of("r"))
        .namedNode("add", "Add", List.of("r", "y"), List.of("out"))
        .output("out").importGraph();
    assertEquals(List.of("FuseConvAdd: not fused: Add 'add' adds Relu 'relu' and graph input 'y',"
        + " neither a Conv"), PassTesting.runUnchanged(pass, g).trace());
  }

  @Test
  void doesNotAddAConvOutputToItself() {
    Graph g = new ModelBuilder(13).input("x", 1, 2, 3, 3)
        .initializer("w", Tensors.random(1, 2, 2, 1, 1))
        .namedNode("conv", "Conv", List.of("x", "w"), List.of("y"))
        .namedNode("add", "Add", List.of("y", "y"), List.of("out"))
        .output("out").importGraph();
    assertEquals(List.of("FuseConvAdd: not fused: Add 'add' adds Conv 'conv''s output to itself"),
        PassTesting.runUnchanged(pass, g).trace());
  }

  @Test
  void doesNotFuseASecondResidual() {
    Graph g = twoConvs()
        .input("y", 1, 4, 6, 6)
        .namedNode("add", "Add", List.of("a", "x"), List.of("s"))
        .namedNode("add2", "Add", List.of("s", "y"), List.of("out"))
        .output("out").output("b").importGraph();
    Graph once = PassTesting.run(pass, g).graph();
    assertEquals(List.of("FuseConvAdd: not fused: Add 'add2' follows kiln.FusedConv 'c1', which already"
        + " adds a residual"), PassTesting.runUnchanged(pass, once).trace());
  }
}
