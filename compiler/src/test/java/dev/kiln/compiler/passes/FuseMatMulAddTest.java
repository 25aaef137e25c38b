package dev.kiln.compiler.passes;

import static dev.kiln.compiler.passes.PassTesting.assertOptimizedMatchesOrt;
import static dev.kiln.compiler.passes.PassTesting.assertSameOutputs;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.kiln.compiler.ir.Graph;
import dev.kiln.compiler.ops.Gemm;
import dev.kiln.compiler.testing.ModelBuilder;
import dev.kiln.compiler.testing.Tensors;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;

class FuseMatMulAddTest {
  private final FuseMatMulAdd pass = new FuseMatMulAdd();

  @ParameterizedTest(name = "C {0}, MatMul first: {1}")
  @CsvSource({"5, true", "1x5, false", "3x5, true", "3x1, false", "1, true"})
  void becomesAGemm(String cShape, boolean matmulFirst) {
    int[] dims = java.util.Arrays.stream(cShape.split("x")).mapToInt(Integer::parseInt).toArray();
    ModelBuilder b = new ModelBuilder(13).input("x", 3, 4)
        .initializer("w", Tensors.random(1, 4, 5)).initializer("c", Tensors.random(2, dims))
        .namedNode("mm", "MatMul", List.of("x", "w"), List.of("y"))
        .namedNode("add", "Add", matmulFirst ? List.of("y", "c") : List.of("c", "y"), List.of("out"))
        .output("out");
    Graph g = b.importGraph();
    PassTesting.Result r = PassTesting.run(pass, g);
    assertEquals(List.of("Gemm"), r.opTypes());
    assertEquals(new Gemm(1f, 1f, false, false), r.node("mm").op());
    assertEquals(List.of("x", "w", "c"), r.node("mm").inputs());
    assertEquals(List.of("FuseMatMulAdd: fused MatMul 'mm' and Add 'add' into a Gemm"), r.trace());
    assertSameOutputs(g, r.graph());
    assertOptimizedMatchesOrt(b.build(), g);
  }

  @Test
  void leavesABatchedMatMul() {
    Graph g = new ModelBuilder(13).input("x", 2, 3, 4)
        .initializer("w", Tensors.random(1, 4, 5)).initializer("c", Tensors.random(2, 5))
        .namedNode("mm", "MatMul", List.of("x", "w"), List.of("y"))
        .namedNode("add", "Add", List.of("y", "c"), List.of("out"))
        .output("out").importGraph();
    assertEquals(List.of("FuseMatMulAdd: not fused: Add 'add' follows MatMul 'mm' of [2,3,4] and [4,5],"
        + " not two matrices"), PassTesting.runUnchanged(pass, g).trace());
  }

  @Test
  void leavesAnAddThatGrowsTheProduct() {
    Graph g = new ModelBuilder(13).input("x", 1, 4)
        .initializer("w", Tensors.random(1, 4, 5)).initializer("c", Tensors.random(2, 3, 5))
        .namedNode("mm", "MatMul", List.of("x", "w"), List.of("y"))
        .namedNode("add", "Add", List.of("y", "c"), List.of("out"))
        .output("out").importGraph();
    assertEquals(List.of("FuseMatMulAdd: not fused: Add 'add' adds 'c' of [3,5], which does not"
        + " broadcast to MatMul 'mm''s [1,5]"), PassTesting.runUnchanged(pass, g).trace());
  }

  @Test
  void leavesAMatMulWithAnotherReader() {
    Graph g = new ModelBuilder(13).input("x", 3, 4)
        .initializer("w", Tensors.random(1, 4, 5)).initializer("c", Tensors.random(2, 5))
        .namedNode("mm", "MatMul", List.of("x", "w"), List.of("y"))
        .namedNode("add", "Add", List.of("y", "c"), List.of("out"))
        .output("out").output("y").importGraph();
    assertEquals(List.of("FuseMatMulAdd: not fused: Add 'add' follows MatMul 'mm', whose output is also"
        + " a graph output"), PassTesting.runUnchanged(pass, g).trace());
  }
}
