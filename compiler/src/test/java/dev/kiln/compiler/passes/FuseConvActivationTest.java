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
import java.util.function.UnaryOperator;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

class FuseConvActivationTest {
  private final FuseConvActivation pass = new FuseConvActivation();

  /** An activation written after the conv's output 'y', ending in 'out'. */
  record Case(String name, int opset, UnaryOperator<ModelBuilder> activation, String epilogue) {
    @Override
    public String toString() {
      return name;
    }
  }

  static Stream<Case> activations() {
    return Stream.of(
        new Case("Relu", 13, b -> b.namedNode("act", "Relu", List.of("y"), List.of("out")),
            "BIAS -> RELU"),
        new Case("ReLU6 as Clip(0, 6)", 13, b -> b
            .initializer("lo", Tensors.scalar(0f)).initializer("hi", Tensors.scalar(6f))
            .namedNode("act", "Clip", List.of("y", "lo", "hi"), List.of("out")),
            "BIAS -> CLIP(0.0, 6.0)"),
        new Case("Clip with a lower bound only", 13, b -> b
            .initializer("lo", Tensors.scalar(-0.25f))
            .namedNode("act", "Clip", List.of("y", "lo"), List.of("out")),
            "BIAS -> CLIP(-0.25, Infinity)"),
        new Case("Clip with attributes (opset 6)", 9, b -> b
            .namedNode("act", "Clip", List.of("y"), List.of("out"), Attr.f("min", -0.5f),
                Attr.f("max", 0.75f)),
            "BIAS -> CLIP(-0.5, 0.75)"),
        new Case("LeakyRelu", 13, b -> b
            .namedNode("act", "LeakyRelu", List.of("y"), List.of("out"), Attr.f("alpha", 0.1f)),
            "BIAS -> LEAKY_RELU(0.1, 0.0)"),
        new Case("Sigmoid", 13, b -> b.namedNode("act", "Sigmoid", List.of("y"), List.of("out")),
            "BIAS -> SIGMOID"),
        new Case("HardSigmoid", 13, b -> b.namedNode("act", "HardSigmoid", List.of("y"),
            List.of("out"), Attr.f("alpha", 0.25f), Attr.f("beta", 0.4f)),
            "BIAS -> HARD_SIGMOID(0.25, 0.4)"),
        new Case("HardSwish", 14, b -> b.namedNode("act", "HardSwish", List.of("y"), List.of("out")),
            "BIAS -> HARD_SWISH"),
        new Case("Tanh", 13, b -> b.namedNode("act", "Tanh", List.of("y"), List.of("out")),
            "BIAS -> TANH"),
        new Case("x·Sigmoid(x) (SiLU)", 13, b -> b
            .namedNode("gate", "Sigmoid", List.of("y"), List.of("s"))
            .namedNode("act", "Mul", List.of("y", "s"), List.of("out")),
            "BIAS -> SILU"),
        new Case("Sigmoid(x)·x (SiLU)", 13, b -> b
            .namedNode("gate", "Sigmoid", List.of("y"), List.of("s"))
            .namedNode("act", "Mul", List.of("s", "y"), List.of("out")),
            "BIAS -> SILU"),
        new Case("x·HardSigmoid(x)", 13, b -> b
            .namedNode("gate", "HardSigmoid", List.of("y"), List.of("h"), Attr.f("alpha", 1f / 6),
                Attr.f("beta", 0.5f))
            .namedNode("act", "Mul", List.of("y", "h"), List.of("out")),
            "BIAS -> X_HARD_SIGMOID(0.16666667, 0.5)"),
        new Case("HardSwish as PaddleOCR exports it", 13, b -> hardSwishParts(b)
            .namedNode("add", "Add", List.of("y", "three"), List.of("a"))
            .namedNode("clip", "Clip", List.of("a", "zero", "six"), List.of("c"))
            .namedNode("div", "Div", List.of("c", "six"), List.of("d"))
            .namedNode("act", "Mul", List.of("y", "d"), List.of("out")),
            "BIAS -> HARD_SWISH"),
        new Case("HardSwish as x·Clip(x+3, 0, 6)/6", 13, b -> hardSwishParts(b)
            .namedNode("add", "Add", List.of("three", "y"), List.of("a"))
            .namedNode("clip", "Clip", List.of("a", "zero", "six"), List.of("c"))
            .namedNode("mul", "Mul", List.of("c", "y"), List.of("m"))
            .namedNode("act", "Div", List.of("m", "six"), List.of("out")),
            "BIAS -> HARD_SWISH"),
        new Case("Relu then Clip(0, 6)", 13, b -> b
            .initializer("lo", Tensors.scalar(0f)).initializer("hi", Tensors.scalar(6f))
            .namedNode("relu", "Relu", List.of("y"), List.of("r"))
            .namedNode("act", "Clip", List.of("r", "lo", "hi"), List.of("out")),
            "BIAS -> RELU -> CLIP(0.0, 6.0)"));
  }

  private static ModelBuilder hardSwishParts(ModelBuilder b) {
    return b.initializer("three", Tensors.scalar(3f)).initializer("zero", Tensors.scalar(0f))
        .initializer("six", Tensors.scalar(6f));
  }

  /** x [1,3,6,6] → Conv 'conv' (with bias) → 'y'. */
  private static ModelBuilder conv(int opset) {
    return new ModelBuilder(opset)
        .input("x", 1, 3, 6, 6)
        .initializer("w", Tensors.random(1, 4, 3, 3, 3))
        .initializer("b", Tensors.random(2, 4))
        .namedNode("conv", "Conv", List.of("x", "w", "b"), List.of("y"), Attr.ints("pads", 1, 1, 1, 1));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("activations")
  void fusesIntoTheEpilogue(Case c) {
    ModelBuilder b = c.activation().apply(conv(c.opset())).output("out");
    Graph g = b.importGraph();
    PassTesting.Result r = PassTesting.run(pass, g);
    assertEquals(List.of(FusedConv.TYPE), r.opTypes());
    FusedConv fused = (FusedConv) r.node("conv").op();
    assertEquals(c.epilogue(), fused.describeEpilogue());
    assertEquals(List.of("x", "w", "b"), r.node("conv").inputs());
    assertEquals(List.of("out"), r.node("conv").outputs());
    assertSameOutputs(g, r.graph());
    assertOptimizedMatchesOrt(b.build(), g);
  }

  @Test
  void traceNamesEveryFusedNode() {
    Graph g = hardSwishParts(conv(13))
        .namedNode("add", "Add", List.of("y", "three"), List.of("a"))
        .namedNode("clip", "Clip", List.of("a", "zero", "six"), List.of("c"))
        .namedNode("div", "Div", List.of("c", "six"), List.of("d"))
        .namedNode("mul", "Mul", List.of("y", "d"), List.of("out"))
        .output("out").importGraph();
    assertEquals(List.of("FuseConvActivation: fused Add 'add', Clip 'clip', Div 'div' and Mul 'mul'"
        + " into Conv 'conv': epilogue BIAS -> HARD_SWISH"), PassTesting.run(pass, g).trace());
  }

  @Test
  void doesNotFuseAnActivationAfterAPool() {
    Graph g = conv(13)
        .namedNode("pool", "MaxPool", List.of("y"), List.of("p"), Attr.ints("kernel_shape", 2, 2))
        .namedNode("act", "Relu", List.of("p"), List.of("out"))
        .output("out").importGraph();
    assertEquals(List.of("FuseConvActivation: not fused: Relu 'act' follows MaxPool 'pool', not a Conv"),
        PassTesting.runUnchanged(pass, g).trace());
  }

  @Test
  void doesNotFuseWhenTheConvHasAnotherReader() {
    Graph g = conv(13)
        .namedNode("act", "Relu", List.of("y"), List.of("out"))
        .namedNode("other", "Sigmoid", List.of("y"), List.of("s"))
        .output("out").output("s").importGraph();
    assertEquals(List.of(
        "FuseConvActivation: not fused: Relu 'act' follows Conv 'conv', whose output is also read by"
            + " Sigmoid 'other'",
        "FuseConvActivation: not fused: Sigmoid 'other' follows Conv 'conv', whose output is also read"
            + " by Relu 'act'"), PassTesting.runUnchanged(pass, g).trace());
  }

  @Test
  void doesNotFuseWhenThePreActivationValueIsAGraphOutput() {
    Graph g = conv(13).namedNode("act", "Relu", List.of("y"), List.of("out"))
        .output("out").output("y").importGraph();
    assertEquals(List.of("FuseConvActivation: not fused: Relu 'act' follows Conv 'conv', whose output is"
        + " also a graph output"), PassTesting.runUnchanged(pass, g).trace());
  }

  @Test
  void doesNotFuseAClipWithBoundsComputedAtRunTime() {
    Graph g = conv(13).input("lo", 1).initializer("hi", Tensors.scalar(6f))
        .namedNode("act", "Clip", List.of("y", "lo", "hi"), List.of("out"))
        .output("out").importGraph();
    assertEquals(List.of("FuseConvActivation: not fused: Clip 'act' has bounds computed at run time"),
        PassTesting.runUnchanged(pass, g).trace());
  }

  @Test
  void doesNotFuseIntoAConvWhoseBiasIsComputedAtRunTime() {
    Graph g = new ModelBuilder(13).input("x", 1, 3, 6, 6).input("b", 4)
        .initializer("w", Tensors.random(1, 4, 3, 3, 3))
        .namedNode("conv", "Conv", List.of("x", "w", "b"), List.of("y"))
        .namedNode("gate", "Sigmoid", List.of("y"), List.of("s"))
        .namedNode("act", "Mul", List.of("y", "s"), List.of("out"))
        .output("out").importGraph();
    assertEquals(List.of("FuseConvActivation: not fused: Sigmoid 'gate' and Mul 'act' follows Conv"
        + " 'conv', whose bias is computed at run time"), PassTesting.runUnchanged(pass, g).trace());
  }

  @Test
  void leavesAnAlmostHardSwishAlone() {
    Graph g = conv(13).initializer("two", Tensors.scalar(2f)).initializer("zero", Tensors.scalar(0f))
        .initializer("six", Tensors.scalar(6f))
        .namedNode("add", "Add", List.of("y", "two"), List.of("a"))
        .namedNode("clip", "Clip", List.of("a", "zero", "six"), List.of("c"))
        .namedNode("div", "Div", List.of("c", "six"), List.of("d"))
        .namedNode("mul", "Mul", List.of("y", "d"), List.of("out"))
        .output("out").importGraph();
    assertEquals(List.of("FuseConvActivation: not fused: Clip 'clip' follows Add 'add', not a Conv"),
        PassTesting.runUnchanged(pass, g).trace());
  }
}
