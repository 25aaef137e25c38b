package dev.kiln.compiler.passes;

import static dev.kiln.compiler.passes.PassTesting.assertSameOutputs;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.kiln.compiler.ir.Graph;
import dev.kiln.compiler.ir.Shape;
import dev.kiln.compiler.ir.Tensor;
import dev.kiln.compiler.testing.Attr;
import dev.kiln.compiler.testing.ModelBuilder;
import dev.kiln.compiler.testing.Tensors;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;

class FoldConvScaleTest {
  private final FoldConvScale pass = new FoldConvScale();

  /** x [1,3,5,5] → Conv 'conv' (4 output channels) → 'y'. */
  private static ModelBuilder conv(boolean bias) {
    ModelBuilder b = new ModelBuilder(13).input("x", 1, 3, 5, 5)
        .initializer("w", Tensors.random(1, 4, 3, 3, 3));
    if (bias) {
      b.initializer("b", Tensors.random(2, 4));
    }
    return b.namedNode("conv", "Conv", bias ? List.of("x", "w", "b") : List.of("x", "w"), List.of("y"),
        Attr.ints("pads", 1, 1, 1, 1));
  }

  @ParameterizedTest(name = "{0} by {1} (conv first: {2}, bias: {3})")
  @CsvSource({
    "Mul, 4x1x1, true, true", "Mul, 1x4x1x1, false, false", "Mul, 1, true, true",
    "Div, 4x1x1, true, true", "Add, 4x1x1, true, false", "Add, 1x4x1x1, false, true",
    "Sub, 4x1x1, true, true", "Sub, 1, true, false"})
  void foldsAPerChannelConstant(String op, String shape, boolean convFirst, boolean bias) {
    int[] dims = java.util.Arrays.stream(shape.split("x")).mapToInt(Integer::parseInt).toArray();
    Graph g = conv(bias)
        .initializer("c", Tensors.uniform(5, 0.5f, 2f, dims))
        .namedNode("op", op, convFirst ? List.of("y", "c") : List.of("c", "y"), List.of("out"))
        .output("out").importGraph();
    PassTesting.Result r = PassTesting.run(pass, g);
    assertEquals(List.of("Conv"), r.opTypes());
    assertEquals(List.of("out"), r.node("conv").outputs());
    assertEquals(List.of("FoldConvScale: folded " + op + " 'op' into Conv 'conv'"), r.trace());
    assertSameOutputs(g, r.graph());
  }

  @Test
  void foldsAChainOneNodePerRunThroughThePipeline() {
    Graph g = conv(true)
        .initializer("s", Tensors.uniform(5, 0.5f, 2f, 4, 1, 1))
        .initializer("t", Tensors.random(6, 4, 1, 1))
        .namedNode("mul", "Mul", List.of("y", "s"), List.of("m"))
        .namedNode("add", "Add", List.of("m", "t"), List.of("out"))
        .output("out").importGraph();
    PassContext ctx = PassContext.builder().verifyEachPass(true).build();
    Graph out = Pipeline.builder().repeat(pass).build().run(g, ctx);
    assertEquals(List.of("Conv"), out.nodes().stream().map(n -> n.opType()).toList());
    // The Add's refusal in the first run ("follows Mul 'mul'") is dropped: the second run folded it.
    assertEquals(List.of("FoldConvScale: folded Mul 'mul' into Conv 'conv'",
        "FoldConvScale: folded Add 'add' into Conv 'conv'"),
        ctx.log().entries().stream().map(Rewrite::toString).toList());
    assertSameOutputs(g, out);
  }

  @Test
  void doesNotFoldASpatialConstant() {
    Graph g = conv(true).initializer("c", Tensors.random(5, 1, 1, 5, 5))
        .namedNode("op", "Mul", List.of("y", "c"), List.of("out"))
        .output("out").importGraph();
    assertEquals(List.of("FoldConvScale: not folded: Mul 'op' has the constant float32[1,1,5,5], not one"
        + " value per output channel of Conv 'conv' [1,4,5,5]"), PassTesting.runUnchanged(pass, g).trace());
  }

  @Test
  void doesNotFoldAConstantThatGrowsTheOutput() {
    Graph g = conv(true).initializer("c", Tensors.random(5, 2, 4, 1, 1))
        .namedNode("op", "Add", List.of("y", "c"), List.of("out"))
        .output("out").importGraph();
    assertEquals(List.of("FoldConvScale: not folded: Add 'op' has the constant float32[2,4,1,1], not one"
        + " value per output channel of Conv 'conv' [1,4,5,5]"), PassTesting.runUnchanged(pass, g).trace());
  }

  @Test
  void doesNotFoldWhenTheConvHasAnotherReader() {
    Graph g = conv(true).initializer("c", Tensors.random(5, 4, 1, 1))
        .namedNode("op", "Mul", List.of("y", "c"), List.of("out"))
        .namedNode("relu", "Relu", List.of("y"), List.of("r"))
        .output("out").output("r").importGraph();
    assertEquals(List.of("FoldConvScale: not folded: Mul 'op' follows Conv 'conv', whose output is also"
        + " read by Relu 'relu'"), PassTesting.runUnchanged(pass, g).trace());
  }

  @Test
  void doesNotFoldAConstantMinusTheConv() {
    Graph g = conv(true).initializer("c", Tensors.random(5, 4, 1, 1))
        .namedNode("op", "Sub", List.of("c", "y"), List.of("out"))
        .output("out").importGraph();
    assertEquals(List.of("FoldConvScale: not folded: Sub 'op' subtracts Conv 'conv' from a constant,"
        + " which does not fold"), PassTesting.runUnchanged(pass, g).trace());
  }

  @Test
  void doesNotFoldADivisionByZero() {
    Graph zeros = conv(true)
        .initializer("c", Tensor.ofFloats(Shape.of(4, 1, 1), 1f, 0f, 2f, 3f))
        .namedNode("op", "Div", List.of("y", "c"), List.of("out"))
        .output("out").importGraph();
    assertEquals(List.of("FoldConvScale: not folded: Div 'op' divides by zero in some channel"),
        PassTesting.runUnchanged(pass, zeros).trace());
  }

  @Test
  void doesNotFoldIntoAConvWithAFusedActivation() {
    Graph g = conv(true).initializer("c", Tensors.random(5, 4, 1, 1))
        .namedNode("relu", "Relu", List.of("y"), List.of("r"))
        .namedNode("op", "Mul", List.of("r", "c"), List.of("out"))
        .output("out").importGraph();
    Graph fused = PassTesting.run(new FuseConvActivation(), g).graph();
    assertEquals(List.of("FoldConvScale: not folded: Mul 'op' follows kiln.FusedConv 'conv', whose"
        + " epilogue BIAS -> RELU is already fused"), PassTesting.runUnchanged(pass, fused).trace());
  }

  @Test
  void doesNotFoldAfterARelu() {
    Graph g = conv(true).initializer("c", Tensors.random(5, 4, 1, 1))
        .namedNode("relu", "Relu", List.of("y"), List.of("r"))
        .namedNode("op", "Mul", List.of("r", "c"), List.of("out"))
        .output("out").importGraph();
    assertEquals(List.of("FoldConvScale: not folded: Mul 'op' follows Relu 'relu', not a Conv"),
        PassTesting.runUnchanged(pass, g).trace());
  }
}
