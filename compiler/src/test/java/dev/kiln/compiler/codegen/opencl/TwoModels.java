package dev.kiln.compiler.codegen.opencl;

import dev.kiln.compiler.ir.Graph;
import dev.kiln.compiler.testing.Attr;
import dev.kiln.compiler.testing.ModelBuilder;
import dev.kiln.compiler.testing.Tensors;
import java.util.List;

/** A feature extractor and a classifier whose input is the extractor's output: a two-model pipeline. */
final class TwoModels {
  private TwoModels() {}

  /** image [1, 4, 12, 12] → conv, ReLU, max pool, global pool, Gemm → features [1, 10]. */
  static Graph extractor() {
    return new ModelBuilder(13).input("image", 1, 4, 12, 12)
        .initializer("w", Tensors.random(21, 16, 4, 3, 3)).initializer("b", Tensors.random(22, 16))
        .node("Conv", List.of("image", "w", "b"), List.of("c"), Attr.ints("pads", 1, 1, 1, 1))
        .node("Relu", List.of("c"), List.of("r"))
        .node("MaxPool", List.of("r"), List.of("p"), Attr.ints("kernel_shape", 2, 2), Attr.ints("strides", 2, 2))
        .node("GlobalAveragePool", List.of("p"), List.of("g"))
        .node("Flatten", List.of("g"), List.of("f"))
        .initializer("fw", Tensors.random(23, 10, 16)).initializer("fb", Tensors.random(24, 10))
        .node("Gemm", List.of("f", "fw", "fb"), List.of("features"), Attr.i("transB", 1))
        .output("features")
        .importGraph();
  }

  /** features [1, 10] → Gemm, softmax → probabilities [1, 6]. */
  static Graph classifier() {
    return new ModelBuilder(13).input("features", 1, 10)
        .initializer("w", Tensors.random(31, 10, 6)).initializer("b", Tensors.random(32, 6))
        .node("Gemm", List.of("features", "w", "b"), List.of("logits"))
        .node("Softmax", List.of("logits"), List.of("probabilities"), Attr.i("axis", 1))
        .output("probabilities")
        .importGraph();
  }
}
