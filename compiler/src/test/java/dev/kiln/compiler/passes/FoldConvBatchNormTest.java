package dev.kiln.compiler.passes;

import static dev.kiln.compiler.passes.PassTesting.assertOptimizedMatchesOrt;
import static dev.kiln.compiler.passes.PassTesting.assertSameOutputs;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kiln.compiler.ir.Graph;
import dev.kiln.compiler.ir.Node;
import dev.kiln.compiler.ops.Gemm;
import dev.kiln.compiler.testing.Attr;
import dev.kiln.compiler.testing.ModelBuilder;
import dev.kiln.compiler.testing.Tensors;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class FoldConvBatchNormTest {
  private final FoldConvBatchNorm pass = new FoldConvBatchNorm();

  /** BatchNormalization statistics for {@code channels} channels, with positive variances. */
  static ModelBuilder bnParams(ModelBuilder b, String bn, int channels, long seed) {
    return b.initializer(bn + ".scale", Tensors.uniform(seed, 0.5f, 1.5f, channels))
        .initializer(bn + ".B", Tensors.random(seed + 1, channels))
        .initializer(bn + ".mean", Tensors.random(seed + 2, channels))
        .initializer(bn + ".var", Tensors.uniform(seed + 3, 0.25f, 2f, channels));
  }

  static List<String> bnInputs(String x, String bn) {
    return List.of(x, bn + ".scale", bn + ".B", bn + ".mean", bn + ".var");
  }

  /** x [1,c,7,7] → Conv 'conv' (3x3, pads 1, groups) → 'y' → BatchNormalization 'bn' → 'z'. */
  private static ModelBuilder convBn(int c, int m, int group, boolean bias) {
    ModelBuilder b = new ModelBuilder(13)
        .input("x", 1, c, 7, 7)
        .initializer("w", Tensors.random(1, m, c / group, 3, 3));
    if (bias) {
      b.initializer("b", Tensors.random(2, m));
    }
    return bnParams(b, "bn", m, 10)
        .namedNode("conv", "Conv", bias ? List.of("x", "w", "b") : List.of("x", "w"), List.of("y"),
            Attr.ints("pads", 1, 1, 1, 1), Attr.i("group", group))
        .namedNode("bn", "BatchNormalization", bnInputs("y", "bn"), List.of("z"));
  }

  @ParameterizedTest(name = "c={0} m={1} group={2} bias={3}")
  @CsvSource({"3, 4, 1, true", "3, 5, 1, false", "4, 6, 2, true", "6, 6, 6, false"})
  void foldsIntoTheConv(int c, int m, int group, boolean bias) {
    Graph g = convBn(c, m, group, bias).output("z").importGraph();
    PassTesting.Result r = PassTesting.run(pass, g);
    assertEquals(List.of("Conv"), r.opTypes());
    Node conv = r.node("conv");
    assertEquals(List.of("x", "w_folded", bias ? "b_folded" : "conv.bias"), conv.inputs());
    assertEquals(List.of("z"), conv.outputs());
    assertEquals(List.of("FoldConvBatchNorm: folded BatchNormalization 'bn' into Conv 'conv'"), r.trace());
    assertSameOutputs(g, r.graph());
  }

  @Test
  void conformsToOnnxRuntimeThroughThePipeline() {
    ModelBuilder b = convBn(3, 4, 1, true)
        .namedNode("relu", "Relu", List.of("z"), List.of("out")).output("out");
    assertOptimizedMatchesOrt(b.build(), b.importGraph());
  }

  /** The MNN lesson: ReLU does not commute with a per-channel scale-and-shift. */
  @Test
  void doesNotFoldABatchNormAfterRelu() {
    ModelBuilder b = new ModelBuilder(13)
        .input("x", 1, 3, 5, 5)
        .initializer("w", Tensors.random(1, 4, 3, 3, 3));
    Graph g = bnParams(b, "bn3", 4, 10)
        .namedNode("conv1", "Conv", List.of("x", "w"), List.of("y"))
        .namedNode("relu2", "Relu", List.of("y"), List.of("r"))
        .namedNode("bn3", "BatchNormalization", bnInputs("r", "bn3"), List.of("z"))
        .output("z").importGraph();
    PassTesting.Result r = PassTesting.runUnchanged(pass, g);
    assertEquals(List.of("FoldConvBatchNorm: not folded: BatchNormalization 'bn3' follows Relu 'relu2',"
        + " not a Conv"), r.trace());
  }

  @Test
  void doesNotFoldIntoAConvWhoseActivationIsAlreadyFused() {
    ModelBuilder b = new ModelBuilder(13).input("x", 1, 3, 5, 5)
        .initializer("w", Tensors.random(1, 4, 3, 3, 3));
    Graph g = bnParams(b, "bn", 4, 10)
        .namedNode("conv", "Conv", List.of("x", "w"), List.of("y"))
        .namedNode("relu", "Relu", List.of("y"), List.of("r"))
        .namedNode("bn", "BatchNormalization", bnInputs("r", "bn"), List.of("z"))
        .output("z").importGraph();
    Graph fused = PassTesting.run(new FuseConvActivation(), g).graph();
    assertEquals(List.of("FoldConvBatchNorm: not folded: BatchNormalization 'bn' follows kiln.FusedConv"
        + " 'conv', whose epilogue RELU is already fused"), PassTesting.runUnchanged(pass, fused).trace());
  }

  @Test
  void matMulPlusAddThenBatchNormBecomesOneGemmThroughThePipeline() {
    ModelBuilder b = new ModelBuilder(13).input("x", 2, 6)
        .initializer("w", Tensors.random(1, 6, 3)).initializer("c", Tensors.random(2, 3));
    b = bnParams(b, "bn", 3, 10)
        .namedNode("mm", "MatMul", List.of("x", "w"), List.of("y"))
        .namedNode("add", "Add", List.of("y", "c"), List.of("s"))
        .namedNode("bn", "BatchNormalization", bnInputs("s", "bn"), List.of("z"))
        .output("z");
    Graph g = b.importGraph();
    PassTesting.Result r = PassTesting.optimize(g);
    assertEquals(List.of("Gemm"), r.opTypes());
    assertSameOutputs(g, r.graph());
    assertOptimizedMatchesOrt(b.build(), g);
  }

  @Test
  void doesNotFoldWhenTheConvHasAnotherReader() {
    Graph g = convBn(3, 4, 1, true)
        .namedNode("other", "Relu", List.of("y"), List.of("r"))
        .output("z").output("r").importGraph();
    PassTesting.Result r = PassTesting.runUnchanged(pass, g);
    assertEquals(List.of("FoldConvBatchNorm: not folded: BatchNormalization 'bn' follows Conv 'conv',"
        + " whose output is also read by Relu 'other'"), r.trace());
  }

  @Test
  void doesNotFoldWhenTheConvOutputIsAGraphOutput() {
    Graph g = convBn(3, 4, 1, true).output("z").output("y").importGraph();
    PassTesting.Result r = PassTesting.runUnchanged(pass, g);
    assertEquals(List.of("FoldConvBatchNorm: not folded: BatchNormalization 'bn' follows Conv 'conv',"
        + " whose output is also a graph output"), r.trace());
  }

  @Test
  void doesNotFoldIntoWeightsComputedAtRunTime() {
    ModelBuilder b = new ModelBuilder(13).input("x", 1, 3, 5, 5).input("w", 4, 3, 3, 3);
    Graph g = bnParams(b, "bn", 4, 10)
        .namedNode("conv", "Conv", List.of("x", "w"), List.of("y"))
        .namedNode("bn", "BatchNormalization", bnInputs("y", "bn"), List.of("z"))
        .output("z").importGraph();
    PassTesting.Result r = PassTesting.runUnchanged(pass, g);
    assertEquals(List.of("FoldConvBatchNorm: not folded: BatchNormalization 'bn' follows Conv 'conv',"
        + " whose weights are computed at run time"), r.trace());
  }

  @Test
  void doesNotFoldStatisticsComputedAtRunTime() {
    ModelBuilder b = new ModelBuilder(13).input("x", 1, 3, 5, 5).input("mean", 4)
        .initializer("w", Tensors.random(1, 4, 3, 3, 3))
        .initializer("s", Tensors.random(2, 4)).initializer("t", Tensors.random(3, 4))
        .initializer("v", Tensors.uniform(4, 0.5f, 1f, 4));
    Graph g = b.namedNode("conv", "Conv", List.of("x", "w"), List.of("y"))
        .namedNode("bn", "BatchNormalization", List.of("y", "s", "t", "mean", "v"), List.of("z"))
        .output("z").importGraph();
    PassTesting.Result r = PassTesting.runUnchanged(pass, g);
    assertEquals(List.of("FoldConvBatchNorm: not folded: BatchNormalization 'bn' has its mean 'mean'"
        + " computed at run time"), r.trace());
  }

  @Test
  void doesNotFoldABatchNormOnAGraphInput() {
    Graph g = bnParams(new ModelBuilder(13).input("x", 1, 4, 3, 3), "bn", 4, 10)
        .namedNode("bn", "BatchNormalization", bnInputs("x", "bn"), List.of("z"))
        .output("z").importGraph();
    PassTesting.Result r = PassTesting.runUnchanged(pass, g);
    assertEquals(List.of("FoldConvBatchNorm: not folded: BatchNormalization 'bn' reads graph input 'x',"
        + " not a Conv output"), r.trace());
  }

  @ParameterizedTest(name = "transB={0} bias={1} alpha={2} beta={3} c={4}")
  @CsvSource({"1, true, 1.0, 1.0, 5", "0, false, 0.5, 1.0, 5", "1, true, 2.0, 0.5, 1x5",
      "0, true, 1.0, 0.0, 5", "0, true, 1.0, 2.0, 3x1"})
  void foldsIntoAGemm(int transB, boolean bias, float alpha, float beta, String cShape) {
    int[] cDims = java.util.Arrays.stream(cShape.split("x")).mapToInt(Integer::parseInt).toArray();
    ModelBuilder b = new ModelBuilder(13).input("x", 3, 4)
        .initializer("w", transB == 1 ? Tensors.random(1, 5, 4) : Tensors.random(1, 4, 5));
    if (bias) {
      b.initializer("c", Tensors.random(2, cDims));
    }
    Graph g = bnParams(b, "bn", 5, 10)
        .namedNode("fc", "Gemm", bias ? List.of("x", "w", "c") : List.of("x", "w"), List.of("y"),
            Attr.i("transB", transB), Attr.f("alpha", alpha), Attr.f("beta", beta))
        .namedNode("bn", "BatchNormalization", bnInputs("y", "bn"), List.of("z"))
        .output("z").importGraph();
    PassTesting.Result r = PassTesting.run(pass, g);
    assertEquals(List.of("Gemm"), r.opTypes());
    Gemm folded = (Gemm) r.node("fc").op();
    assertEquals(new Gemm(alpha, 1f, false, transB == 1), folded);
    assertEquals(List.of("FoldConvBatchNorm: folded BatchNormalization 'bn' into Gemm 'fc'"), r.trace());
    assertSameOutputs(g, r.graph());
  }

  @Test
  void foldsIntoAMatMulOfTwoMatricesWhichBecomesAGemm() {
    ModelBuilder b = new ModelBuilder(13).input("x", 2, 6).initializer("w", Tensors.random(1, 6, 3));
    Graph g = bnParams(b, "bn", 3, 10)
        .namedNode("mm", "MatMul", List.of("x", "w"), List.of("y"))
        .namedNode("bn", "BatchNormalization", bnInputs("y", "bn"), List.of("z"))
        .output("z").importGraph();
    PassTesting.Result r = PassTesting.run(pass, g);
    assertEquals(List.of("Gemm"), r.opTypes());
    assertEquals(List.of("FoldConvBatchNorm: folded BatchNormalization 'bn' into MatMul 'mm', now a Gemm"),
        r.trace());
    assertSameOutputs(g, r.graph());
  }

  @Test
  void doesNotFoldIntoABatchedMatMul() {
    ModelBuilder b = new ModelBuilder(13).input("x", 2, 3, 6).initializer("w", Tensors.random(1, 6, 4));
    Graph g = bnParams(b, "bn", 3, 10)
        .namedNode("mm", "MatMul", List.of("x", "w"), List.of("y"))
        .namedNode("bn", "BatchNormalization", bnInputs("y", "bn"), List.of("z"))
        .output("z").importGraph();
    PassTesting.Result r = PassTesting.runUnchanged(pass, g);
    assertEquals(List.of("FoldConvBatchNorm: not folded: BatchNormalization 'bn' follows MatMul 'mm' of"
        + " [2,3,6] and [6,4]; only a MatMul of two matrices folds"), r.trace());
  }

  @ParameterizedTest(name = "group={0} bias={1}")
  @CsvSource({"1, true", "2, false"})
  void foldsIntoAConvTranspose(int group, boolean bias) {
    ModelBuilder b = new ModelBuilder(13).input("x", 1, 4, 4, 4)
        .initializer("w", Tensors.random(1, 4, 6 / group, 3, 3));
    if (bias) {
      b.initializer("b", Tensors.random(2, 6));
    }
    b = bnParams(b, "bn", 6, 10)
        .namedNode("up", "ConvTranspose", bias ? List.of("x", "w", "b") : List.of("x", "w"),
            List.of("y"), Attr.ints("strides", 2, 2), Attr.ints("pads", 1, 1, 1, 1), Attr.i("group", group))
        .namedNode("bn", "BatchNormalization", bnInputs("y", "bn"), List.of("z"))
        .output("z");
    Graph g = b.importGraph();
    PassTesting.Result r = PassTesting.run(pass, g);
    assertEquals(List.of("ConvTranspose"), r.opTypes());
    assertEquals(List.of("FoldConvBatchNorm: folded BatchNormalization 'bn' into ConvTranspose 'up'"),
        r.trace());
    assertSameOutputs(g, r.graph());
    assertOptimizedMatchesOrt(b.build(), g);
  }

  @Test
  void sharedWeightsStayForTheOtherConv() {
    ModelBuilder b = new ModelBuilder(13).input("x", 1, 3, 5, 5)
        .initializer("w", Tensors.random(1, 3, 3, 3, 3));
    Graph g = bnParams(b, "bn", 3, 10)
        .namedNode("conv", "Conv", List.of("x", "w"), List.of("y"), Attr.ints("pads", 1, 1, 1, 1))
        .namedNode("bn", "BatchNormalization", bnInputs("y", "bn"), List.of("z"))
        .namedNode("again", "Conv", List.of("z", "w"), List.of("out"))
        .output("out").importGraph();
    PassTesting.Result r = PassTesting.run(pass, g);
    assertEquals(List.of("z", "w"), r.node("again").inputs());
    assertTrue(r.graph().isConstant("w") && r.graph().isConstant("w_folded"));
    assertSameOutputs(g, r.graph());
  }
}
