package dev.kiln.compiler.passes;

import static dev.kiln.compiler.passes.FoldConvBatchNormTest.bnInputs;
import static dev.kiln.compiler.passes.FoldConvBatchNormTest.bnParams;
import static dev.kiln.compiler.passes.PassTesting.assertOptimizedMatchesOrt;
import static dev.kiln.compiler.passes.PassTesting.assertSameOutputs;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.kiln.compiler.exec.GraphInterpreter;
import dev.kiln.compiler.ir.Graph;
import dev.kiln.compiler.ir.Tensor;
import dev.kiln.compiler.ops.FusedConv;
import dev.kiln.compiler.ops.ScaleShift;
import dev.kiln.compiler.testing.Attr;
import dev.kiln.compiler.testing.ModelBuilder;
import dev.kiln.compiler.testing.TensorAssert;
import dev.kiln.compiler.testing.Tensors;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class LowerBatchNormTest {
  private final LowerBatchNorm pass = new LowerBatchNorm();

  /** x [1,3,6,6] → Conv 'conv' → 'y' → Relu 'relu' → 'r'. */
  private static ModelBuilder convRelu() {
    ModelBuilder b = new ModelBuilder(13).input("x", 1, 3, 6, 6)
        .initializer("w", Tensors.random(1, 4, 3, 3, 3)).initializer("b", Tensors.random(2, 4));
    return bnParams(b, "bn", 4, 10)
        .namedNode("conv", "Conv", List.of("x", "w", "b"), List.of("y"), Attr.ints("pads", 1, 1, 1, 1))
        .namedNode("relu", "Relu", List.of("y"), List.of("r"));
  }

  @Test
  void joinsTheEpilogueAfterTheActivation() {
    ModelBuilder b = convRelu()
        .namedNode("bn", "BatchNormalization", bnInputs("r", "bn"), List.of("out")).output("out");
    Graph g = b.importGraph();
    Graph fused = PassTesting.run(new FuseConvActivation(), g).graph();
    PassTesting.Result r = PassTesting.run(pass, fused);
    assertEquals(List.of(FusedConv.TYPE), r.opTypes());
    assertEquals("BIAS -> RELU -> SCALE_SHIFT", ((FusedConv) r.node("conv").op()).describeEpilogue());
    assertEquals(List.of("x", "w", "b", "bn.scale_2", "bn.shift"), r.node("conv").inputs());
    assertEquals(List.of("LowerBatchNorm: fused BatchNormalization 'bn' into kiln.FusedConv 'conv' as a"
        + " scale-shift: epilogue BIAS -> RELU -> SCALE_SHIFT"), r.trace());
    assertSameOutputs(g, r.graph());
    assertOptimizedMatchesOrt(b.build(), g);
  }

  @Test
  void followsTheResidualInTheInputs() {
    Graph g = bnParams(new ModelBuilder(13).input("x", 1, 4, 5, 5), "bn", 4, 10)
        .initializer("w", Tensors.random(1, 4, 4, 3, 3))
        .namedNode("conv", "Conv", List.of("x", "w"), List.of("y"), Attr.ints("pads", 1, 1, 1, 1))
        .namedNode("add", "Add", List.of("y", "x"), List.of("s"))
        .namedNode("bn", "BatchNormalization", bnInputs("s", "bn"), List.of("out"))
        .output("out").importGraph();
    PassTesting.Result r = PassTesting.run(pass, PassTesting.run(new FuseConvAdd(), g).graph());
    assertEquals("ADD_RESIDUAL -> SCALE_SHIFT", ((FusedConv) r.node("conv").op()).describeEpilogue());
    assertEquals(List.of("x", "w", "", "x", "bn.scale_2", "bn.shift"), r.node("conv").inputs());
    assertSameOutputs(g, r.graph());
  }

  @Test
  void runsAloneWhereItFollowsNoConvAndGivesTheSameBits() {
    Graph g = convRelu()
        .namedNode("pool", "MaxPool", List.of("r"), List.of("p"), Attr.ints("kernel_shape", 2, 2))
        .namedNode("bn", "BatchNormalization", bnInputs("p", "bn"), List.of("out"))
        .output("out").importGraph();
    PassTesting.Result r = PassTesting.run(pass, g);
    assertEquals(List.of("Conv", "Relu", "MaxPool", ScaleShift.TYPE), r.opTypes());
    assertEquals(List.of("LowerBatchNorm: lowered BatchNormalization 'bn' to a standalone"
        + " kiln.ScaleShift: it follows MaxPool 'pool', not a conv"), r.trace());
    Map<String, Tensor> in = PassTesting.seededInputs(g, 3);
    TensorAssert.assertBitIdentical(GraphInterpreter.run(g, in).get("out"),
        GraphInterpreter.run(r.graph(), in).get("out"), "kiln.ScaleShift vs BatchNormalization");
  }

  @Test
  void runsAloneWhenTheConvHasAnotherReader() {
    Graph g = convRelu()
        .namedNode("bn", "BatchNormalization", bnInputs("y", "bn"), List.of("out"))
        .output("out").output("r").importGraph();
    PassTesting.Result r = PassTesting.run(pass, g);
    assertEquals(List.of("Conv", "Relu", ScaleShift.TYPE), r.opTypes());
    assertEquals(List.of("LowerBatchNorm: lowered BatchNormalization 'bn' to a standalone"
        + " kiln.ScaleShift: it follows Conv 'conv', whose output is also read by Relu 'relu'"), r.trace());
    assertSameOutputs(g, r.graph());
  }

  @Test
  void leavesStatisticsComputedAtRunTime() {
    Graph g = new ModelBuilder(13).input("x", 1, 2, 3, 3).input("v", 2)
        .initializer("s", Tensors.random(1, 2)).initializer("t", Tensors.random(2, 2))
        .initializer("m", Tensors.random(3, 2))
        .namedNode("bn", "BatchNormalization", List.of("x", "s", "t", "m", "v"), List.of("out"))
        .output("out").importGraph();
    assertEquals(List.of("LowerBatchNorm: not lowered: BatchNormalization 'bn' has its var 'v' computed"
        + " at run time"), PassTesting.runUnchanged(pass, g).trace());
  }
}
