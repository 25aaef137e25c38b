package dev.kiln.compiler.passes;

import static dev.kiln.compiler.passes.FoldConvBatchNormTest.bnInputs;
import static dev.kiln.compiler.passes.FoldConvBatchNormTest.bnParams;
import static dev.kiln.compiler.passes.PassTesting.assertSameOutputs;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.kiln.compiler.ir.DType;
import dev.kiln.compiler.ir.Graph;
import dev.kiln.compiler.testing.Attr;
import dev.kiln.compiler.testing.ModelBuilder;
import dev.kiln.compiler.testing.Tensors;
import java.util.List;
import org.junit.jupiter.api.Test;

class EliminateIdentityTest {
  private final EliminateIdentity pass = new EliminateIdentity();

  private static ModelBuilder conv() {
    return new ModelBuilder(13).input("x", 1, 3, 4, 4)
        .initializer("w", Tensors.random(1, 4, 3, 1, 1))
        .namedNode("conv", "Conv", List.of("x", "w"), List.of("y"));
  }

  @Test
  void removesAnIdentityBetweenConvAndBatchNorm() {
    Graph g = bnParams(conv(), "bn", 4, 10)
        .namedNode("id", "Identity", List.of("y"), List.of("i"))
        .namedNode("bn", "BatchNormalization", bnInputs("i", "bn"), List.of("out"))
        .output("out").importGraph();
    PassTesting.Result r = PassTesting.run(pass, g);
    assertEquals(List.of("Conv", "BatchNormalization"), r.opTypes());
    assertEquals("y", r.node("bn").input(0));
    assertEquals(List.of("EliminateIdentity: removed Identity 'id'"), r.trace());
    assertSameOutputs(g, r.graph());
  }

  @Test
  void givesTheGraphOutputsNameToTheProducer() {
    Graph g = conv()
        .namedNode("id", "Identity", List.of("y"), List.of("out"))
        .output("out").importGraph();
    PassTesting.Result r = PassTesting.run(pass, g);
    assertEquals(List.of("Conv"), r.opTypes());
    assertEquals(List.of("out"), r.node("conv").outputs());
    assertEquals(List.of("out"), r.graph().outputs());
    assertSameOutputs(g, r.graph());
  }

  @Test
  void removesAChainAndIdentitiesOfConstants() {
    Graph g = new ModelBuilder(13).input("x", 1, 3, 4, 4)
        .initializer("w", Tensors.random(1, 4, 3, 1, 1)).initializer("b", Tensors.random(2, 4))
        .namedNode("shared", "Identity", List.of("b"), List.of("b2"))
        .namedNode("conv", "Conv", List.of("x", "w", "b2"), List.of("y"))
        .namedNode("id1", "Identity", List.of("y"), List.of("i1"))
        .namedNode("id2", "Identity", List.of("i1"), List.of("i2"))
        .namedNode("relu", "Relu", List.of("i2"), List.of("out"))
        .output("out").importGraph();
    PassTesting.Result r = PassTesting.run(pass, g);
    assertEquals(List.of("Conv", "Relu"), r.opTypes());
    assertEquals(List.of("x", "w", "b"), r.node("conv").inputs());
    assertEquals(List.of("y"), r.node("relu").inputs());
    assertSameOutputs(g, r.graph());
  }

  @Test
  void removesAReshapeOrCastThatChangesNothing() {
    Graph g = conv()
        .initializer("shape", Tensors.int64(1, 4, 4, 4))
        .namedNode("same", "Reshape", List.of("y", "shape"), List.of("r"))
        .namedNode("cast", "Cast", List.of("r"), List.of("out"), Attr.i("to", DType.FLOAT32.onnxCode()))
        .output("out").importGraph();
    PassTesting.Result r = PassTesting.run(pass, g);
    assertEquals(List.of("Conv"), r.opTypes());
    assertEquals(List.of("EliminateIdentity: removed Reshape 'same': it keeps the shape [1,4,4,4]",
        "EliminateIdentity: removed Cast 'cast': it casts float32 to itself"), r.trace());
    assertSameOutputs(g, r.graph());
  }

  @Test
  void leavesAReshapeThatChangesTheShape() {
    Graph g = conv().initializer("shape", Tensors.int64(1, 64))
        .namedNode("flat", "Reshape", List.of("y", "shape"), List.of("out"))
        .output("out").importGraph();
    assertEquals(List.of(), PassTesting.runUnchanged(pass, g).trace());
  }

  @Test
  void removesInferenceDropoutAndNoOpTransposeAndPad() {
    Graph g = conv()
        .initializer("ratio", Tensors.scalar(0.3f))
        .initializer("training", Tensors.ints(DType.BOOL, new int[0], 0))
        .initializer("zeros", Tensors.int64(0, 0, 0, 0, 0, 0, 0, 0))
        .namedNode("drop", "Dropout", List.of("y", "ratio", "training"), List.of("d"))
        .namedNode("drop2", "Dropout", List.of("d"), List.of("d2"))
        .namedNode("perm", "Transpose", List.of("d2"), List.of("t"), Attr.ints("perm", 0, 1, 2, 3))
        .namedNode("pad", "Pad", List.of("t", "zeros"), List.of("out"))
        .output("out").importGraph();
    PassTesting.Result r = PassTesting.run(pass, g);
    assertEquals(List.of("Conv"), r.opTypes());
    assertEquals(List.of("EliminateIdentity: removed Dropout 'drop' (inference mode)",
        "EliminateIdentity: removed Dropout 'drop2' (inference mode)",
        "EliminateIdentity: removed Transpose 'perm': its permutation is the identity",
        "EliminateIdentity: removed Pad 'pad': its pads are all zero"), r.trace());
    assertSameOutputs(g, r.graph());
  }

  @Test
  void keepsADropoutWhoseMaskIsRead() {
    Graph g = conv()
        .namedNode("masked", "Dropout", List.of("y"), List.of("out", "mask"))
        .output("out").output("mask").importGraph();
    assertEquals(List.of("EliminateIdentity: not removed: Dropout 'masked' has its mask output 'mask'"
        + " read"), PassTesting.runUnchanged(pass, g).trace());
  }

  @Test
  void keepsATransposeThatPermutes() {
    Graph g = conv()
        .namedNode("perm", "Transpose", List.of("y"), List.of("out"), Attr.ints("perm", 0, 1, 3, 2))
        .output("out").importGraph();
    assertEquals(List.of(), PassTesting.runUnchanged(pass, g).trace());
  }

  @Test
  void keepsAnIdentityFromGraphInputToGraphOutput() {
    Graph g = new ModelBuilder(13).input("x", 2, 2)
        .namedNode("copy", "Identity", List.of("x"), List.of("y"))
        .output("y").importGraph();
    assertEquals(List.of("EliminateIdentity: not removed: Identity 'copy' copies graph input 'x' to graph"
        + " output 'y'"), PassTesting.runUnchanged(pass, g).trace());
  }

  @Test
  void keepsTheSecondOfTwoIdentitiesToGraphOutputs() {
    Graph g = conv()
        .namedNode("a", "Identity", List.of("y"), List.of("out1"))
        .namedNode("b", "Identity", List.of("y"), List.of("out2"))
        .output("out1").output("out2").importGraph();
    PassTesting.Result r = PassTesting.run(pass, g);
    assertEquals(List.of("Conv", "Identity"), r.opTypes());
    assertEquals(List.of("out1"), r.node("b").inputs());
    assertEquals(List.of("EliminateIdentity: removed Identity 'a'",
        "EliminateIdentity: not removed: Identity 'b' copies 'out1' to graph output 'out2'"), r.trace());
    assertSameOutputs(g, r.graph());
  }
}
