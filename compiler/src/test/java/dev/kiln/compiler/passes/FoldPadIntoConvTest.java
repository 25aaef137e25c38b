package dev.kiln.compiler.passes;

import static dev.kiln.compiler.passes.PassTesting.assertOptimizedMatchesOrt;
import static dev.kiln.compiler.passes.PassTesting.assertSameOutputs;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.kiln.compiler.importer.onnx.proto.OnnxProto.AttributeProto;
import dev.kiln.compiler.ir.Graph;
import dev.kiln.compiler.ops.AveragePool;
import dev.kiln.compiler.ops.Conv;
import dev.kiln.compiler.ops.MaxPool;
import dev.kiln.compiler.ops.Window;
import dev.kiln.compiler.testing.Attr;
import dev.kiln.compiler.testing.ModelBuilder;
import dev.kiln.compiler.testing.Tensors;
import java.util.List;
import org.junit.jupiter.api.Test;

class FoldPadIntoConvTest {
  private final FoldPadIntoConv pass = new FoldPadIntoConv();

  /** x [1,3,6,6] → Pad 'pad' (pads as an input, value as given) → 'p'. */
  private static ModelBuilder pad(float value, long... pads) {
    ModelBuilder b = new ModelBuilder(13).input("x", 1, 3, 6, 6)
        .initializer("pads", Tensors.int64(pads));
    if (value != 0f) {
      b.initializer("value", Tensors.scalar(value));
    }
    return b.namedNode("pad", "Pad", value != 0f ? List.of("x", "pads", "value") : List.of("x", "pads"),
        List.of("p"));
  }

  private static ModelBuilder convAfter(ModelBuilder b, AttributeProto... attributes) {
    return b.initializer("w", Tensors.random(1, 4, 3, 3, 3)).initializer("b", Tensors.random(2, 4))
        .namedNode("conv", "Conv", List.of("p", "w", "b"), List.of("out"), attributes)
        .output("out");
  }

  private static List<Integer> pads(Graph g, String node) {
    Object op = g.nodes().stream().filter(n -> n.name().equals(node)).findFirst().orElseThrow().op();
    Window w = op instanceof Conv c ? c.window() : op instanceof MaxPool m ? m.window()
        : ((AveragePool) op).window();
    return w.pads();
  }

  @Test
  void growsTheConvsPads() {
    ModelBuilder b = convAfter(pad(0f, 0, 0, 1, 2, 0, 0, 2, 1), Attr.ints("pads", 1, 1, 1, 1));
    Graph g = b.importGraph();
    PassTesting.Result r = PassTesting.run(pass, g);
    assertEquals(List.of("Conv"), r.opTypes());
    assertEquals(List.of(2, 3, 3, 2), pads(r.graph(), "conv"));
    assertEquals("x", r.node("conv").input(0));
    assertEquals(List.of("FoldPadIntoConv: folded Pad 'pad' into Conv 'conv': pads [1, 1, 1, 1] -> [2, 3,"
        + " 3, 2]"), r.trace());
    assertSameOutputs(g, r.graph());
    assertOptimizedMatchesOrt(b.build(), g);
  }

  @Test
  void resolvesAutomaticPaddingFirst() {
    Graph g = convAfter(pad(0f, 0, 0, 1, 1, 0, 0, 1, 1), Attr.s("auto_pad", "SAME_UPPER"),
        Attr.ints("strides", 2, 2)).importGraph();
    PassTesting.Result r = PassTesting.run(pass, g);
    assertEquals(List.of(1, 1, 2, 2), pads(r.graph(), "conv"));
    assertSameOutputs(g, r.graph());
  }

  @Test
  void readsTheAxesInputOfOpset18AndTheAttributesOfOpset10() {
    Graph axes = new ModelBuilder(18).input("x", 1, 3, 6, 6)
        .initializer("pads", Tensors.int64(1, 2, 1, 2)).initializer("axes", Tensors.int64(2, -1))
        .initializer("w", Tensors.random(1, 4, 3, 3, 3))
        .namedNode("pad", "Pad", List.of("x", "pads", "", "axes"), List.of("p"))
        .namedNode("conv", "Conv", List.of("p", "w"), List.of("out"))
        .output("out").importGraph();
    PassTesting.Result r = PassTesting.run(pass, axes);
    assertEquals(List.of(1, 2, 1, 2), pads(r.graph(), "conv"));
    assertSameOutputs(axes, r.graph());

    Graph legacy = new ModelBuilder(10).input("x", 1, 3, 6, 6)
        .initializer("w", Tensors.random(1, 4, 3, 3, 3))
        .namedNode("pad", "Pad", List.of("x"), List.of("p"), Attr.ints("pads", 0, 0, 1, 0, 0, 0, 0, 1))
        .namedNode("conv", "Conv", List.of("p", "w"), List.of("out"))
        .output("out").importGraph();
    r = PassTesting.run(pass, legacy);
    assertEquals(List.of(1, 0, 0, 1), pads(r.graph(), "conv"));
    assertSameOutputs(legacy, r.graph());
  }

  @Test
  void growsAnAveragePoolThatThenCountsThePadding() {
    Graph g = pad(0f, 0, 0, 1, 1, 0, 0, 1, 1)
        .namedNode("pool", "AveragePool", List.of("p"), List.of("out"), Attr.ints("kernel_shape", 3, 3))
        .output("out").importGraph();
    PassTesting.Result r = PassTesting.run(pass, g);
    AveragePool pool = (AveragePool) r.node("pool").op();
    assertEquals(List.of(1, 1, 1, 1), pool.window().pads());
    assertEquals(true, pool.countIncludePad());
    assertSameOutputs(g, r.graph());
  }

  @Test
  void growsAMaxPoolWhenThePadIsMinusInfinity() {
    Graph g = pad(Float.NEGATIVE_INFINITY, 0, 0, 1, 1, 0, 0, 1, 1)
        .namedNode("pool", "MaxPool", List.of("p"), List.of("out"), Attr.ints("kernel_shape", 3, 3),
            Attr.ints("pads", 1, 0, 0, 1))
        .output("out").importGraph();
    PassTesting.Result r = PassTesting.run(pass, g);
    assertEquals(List.of(2, 1, 1, 2), pads(r.graph(), "pool"));
    assertSameOutputs(g, r.graph());
  }

  @Test
  void doesNotFoldANonZeroPadIntoAConv() {
    Graph g = convAfter(pad(1.5f, 0, 0, 1, 1, 0, 0, 1, 1)).importGraph();
    assertEquals(List.of("FoldPadIntoConv: not folded: Pad 'pad' pads with 1.5 but Conv 'conv' pads with"
        + " 0.0"), PassTesting.runUnchanged(pass, g).trace());
  }

  @Test
  void doesNotFoldAZeroPadIntoAMaxPool() {
    Graph g = pad(0f, 0, 0, 1, 1, 0, 0, 1, 1)
        .namedNode("pool", "MaxPool", List.of("p"), List.of("out"), Attr.ints("kernel_shape", 2, 2))
        .output("out").importGraph();
    assertEquals(List.of("FoldPadIntoConv: not folded: Pad 'pad' pads with 0.0 but MaxPool 'pool' pads"
        + " with -Infinity"), PassTesting.runUnchanged(pass, g).trace());
  }

  @Test
  void doesNotFoldIntoAnAveragePoolThatLeavesItsOwnPaddingOut() {
    Graph g = pad(0f, 0, 0, 1, 1, 0, 0, 1, 1)
        .namedNode("pool", "AveragePool", List.of("p"), List.of("out"), Attr.ints("kernel_shape", 3, 3),
            Attr.ints("pads", 1, 1, 1, 1))
        .output("out").importGraph();
    assertEquals(List.of("FoldPadIntoConv: not folded: Pad 'pad' is followed by AveragePool 'pool', which"
        + " leaves its own padding out of the average (count_include_pad=0)"),
        PassTesting.runUnchanged(pass, g).trace());
  }

  @Test
  void doesNotFoldAReflectPad() {
    Graph g = convAfter(new ModelBuilder(13).input("x", 1, 3, 6, 6)
        .initializer("pads", Tensors.int64(0, 0, 1, 1, 0, 0, 1, 1))
        .namedNode("pad", "Pad", List.of("x", "pads"), List.of("p"), Attr.s("mode", "reflect")))
        .importGraph();
    assertEquals(List.of("FoldPadIntoConv: not folded: Pad 'pad' uses mode reflect, not constant"),
        PassTesting.runUnchanged(pass, g).trace());
  }

  @Test
  void doesNotFoldAPadOfTheChannels() {
    Graph g = new ModelBuilder(13).input("x", 1, 2, 6, 6)
        .initializer("pads", Tensors.int64(0, 1, 0, 0, 0, 0, 0, 0))
        .namedNode("pad", "Pad", List.of("x", "pads"), List.of("p"))
        .initializer("w", Tensors.random(1, 4, 3, 3, 3))
        .namedNode("conv", "Conv", List.of("p", "w"), List.of("out"))
        .output("out").importGraph();
    assertEquals(List.of("FoldPadIntoConv: not folded: Pad 'pad' pads the batch or channel axis"
        + " [0, 1, 0, 0, 0, 0, 0, 0]"), PassTesting.runUnchanged(pass, g).trace());
  }

  @Test
  void doesNotFoldAPadWithTwoReaders() {
    Graph g = convAfter(pad(0f, 0, 0, 1, 1, 0, 0, 1, 1))
        .namedNode("relu", "Relu", List.of("p"), List.of("r")).output("r").importGraph();
    assertEquals(List.of("FoldPadIntoConv: not folded: Pad 'pad' is read by 2 nodes"),
        PassTesting.runUnchanged(pass, g).trace());
  }
}
