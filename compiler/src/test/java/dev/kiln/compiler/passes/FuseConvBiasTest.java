package dev.kiln.compiler.passes;

import static dev.kiln.compiler.passes.PassTesting.assertSameOutputs;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.kiln.compiler.ir.Graph;
import dev.kiln.compiler.ops.FusedConv;
import dev.kiln.compiler.testing.Attr;
import dev.kiln.compiler.testing.ModelBuilder;
import dev.kiln.compiler.testing.Tensors;
import java.util.List;
import org.junit.jupiter.api.Test;

class FuseConvBiasTest {
  private final FuseConvBias pass = new FuseConvBias();

  @Test
  void makesEveryConvAFusedConv() {
    Graph g = new ModelBuilder(13).input("x", 1, 3, 5, 5)
        .initializer("w", Tensors.random(1, 4, 3, 3, 3)).initializer("b", Tensors.random(2, 4))
        .initializer("w2", Tensors.random(3, 2, 4, 1, 1))
        .namedNode("conv", "Conv", List.of("x", "w", "b"), List.of("y"), Attr.ints("strides", 2, 2))
        .namedNode("plain", "Conv", List.of("y", "w2"), List.of("out"))
        .output("out").importGraph();
    PassTesting.Result r = PassTesting.run(pass, g);
    assertEquals(List.of(FusedConv.TYPE, FusedConv.TYPE), r.opTypes());
    assertEquals("BIAS", ((FusedConv) r.node("conv").op()).describeEpilogue());
    assertEquals("NONE", ((FusedConv) r.node("plain").op()).describeEpilogue());
    assertEquals(List.of("FuseConvBias: made Conv 'conv' a kiln.FusedConv: epilogue BIAS",
        "FuseConvBias: made Conv 'plain' a kiln.FusedConv: epilogue NONE"), r.trace());
    assertSameOutputs(g, r.graph());
  }

  @Test
  void leavesAConvWhoseBiasIsComputedAtRunTime() {
    Graph g = new ModelBuilder(13).input("x", 1, 3, 5, 5).input("b", 4)
        .initializer("w", Tensors.random(1, 4, 3, 3, 3))
        .namedNode("conv", "Conv", List.of("x", "w", "b"), List.of("out"))
        .output("out").importGraph();
    assertEquals(List.of("FuseConvBias: not fused: Conv 'conv' has its bias computed at run time"),
        PassTesting.runUnchanged(pass, g).trace());
  }
}
