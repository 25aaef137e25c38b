package dev.kiln.compiler.ops;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.kiln.compiler.KilnException;
import dev.kiln.compiler.ir.DType;
import dev.kiln.compiler.ir.Shape;
import dev.kiln.compiler.ir.TensorType;
import dev.kiln.compiler.testing.ModelBuilder;
import dev.kiln.compiler.testing.Oracle;
import dev.kiln.compiler.testing.Tensors;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class MatMulTest {
  /** Each case: opset, A dims, B dims, whether B is a weight, the expected output dims. */
  @ParameterizedTest(name = "[{index}] opset {0} [{1}]·[{2}] → [{4}]")
  @CsvSource({
    "13, 3:5,       5:4,       true,  3:4",
    "7,  7:1,       1:9,       true,  7:9",
    "9,  7,         7:3,       true,  3",
    "13, 2:3:7,     7,         false, 2:3",
    "13, 7,         7,         false, ''",
    "13, 2:3:4:5,   5:6,       true,  2:3:4:6",
    "13, 4:5,       2:3:5:6,   false, 2:3:4:6",
    "13, 2:1:4:5,   3:5:6,     false, 2:3:4:6",
    "13, 1:3:4:17,  2:1:17:2,  false, 2:3:4:2",
    "13, 5:1:13,    5:13:11,   false, 5:1:11",
    "13, 2:9:7,     2:7:1,     false, 2:9:1",
    "21, 3:2:31,    31,        true,  3:2",
  })
  void matchesOrt(int opset, String aDims, String bDims, boolean constantB, String outDims) {
    int[] a = UnaryElementwiseTest.parseDims(aDims);
    int[] b = UnaryElementwiseTest.parseDims(bDims);
    ModelBuilder m = new ModelBuilder(opset).input("a", a);
    if (constantB) {
      m.initializer("b", Tensors.random(2, b));
    } else {
      m.input("b", b);
    }
    m.node("MatMul", List.of("a", "b"), List.of("y")).output("y");
    int[] out = UnaryElementwiseTest.parseDims(outDims);
    assertEquals(new TensorType(DType.FLOAT32, Shape.of(out)),
        OpAssertions.assertAttributesRoundTrip(m).type("y"));
    var inputs = constantB
        ? Map.of("a", Tensors.random(1, a))
        : Map.of("a", Tensors.random(1, a), "b", Tensors.random(2, b));
    Oracle.assertMatchesOrt(m.build(), inputs, "MatMul [" + aDims + "]·[" + bDims + "]");
  }

  @Test
  void innerDimensionMismatchIsAnError() {
    ModelBuilder m = new ModelBuilder(13)
        .input("a", 2, 3)
        .initializer("b", Tensors.random(1, 4, 5))
        .namedNode("mm", "MatMul", List.of("a", "b"), List.of("y"))
        .output("y");
    KilnException e = assertThrows(KilnException.class, m::importGraph);
    assertEquals("test.onnx: node 'mm' (MatMul, opset 13): inner dimensions differ: A [2,3] has 3"
        + " columns but B [4,5] has 4 rows", e.getMessage());
  }

  @Test
  void incompatibleBatchDimensionsAreAnError() {
    ModelBuilder m = new ModelBuilder(13)
        .input("a", 2, 3, 4)
        .input("b", 3, 4, 5)
        .namedNode("mm", "MatMul", List.of("a", "b"), List.of("y"))
        .output("y");
    KilnException e = assertThrows(KilnException.class, m::importGraph);
    assertEquals("test.onnx: node 'mm' (MatMul, opset 13): batch dimensions of A [2,3,4] and B [3,4,5]"
        + " cannot be broadcast together", e.getMessage());
  }

  @Test
  void scalarOperandIsAnError() {
    ModelBuilder m = new ModelBuilder(13)
        .input("a", 3)
        .initializer("b", Tensors.scalar(2f))
        .namedNode("mm", "MatMul", List.of("a", "b"), List.of("y"))
        .output("y");
    KilnException e = assertThrows(KilnException.class, m::importGraph);
    assertEquals("test.onnx: node 'mm' (MatMul, opset 13): operands must have rank 1 or more, got [3]"
        + " and []", e.getMessage());
  }

  @Test
  void costIsTwoFlopsPerMultiplyAdd() {
    var cost = OpAssertions.onlyNodeCost(new ModelBuilder(13)
        .input("a", 2, 3, 4)
        .initializer("b", Tensors.random(1, 4, 5))
        .node("MatMul", List.of("a", "b"), List.of("y"))
        .output("y"));
    assertEquals(2L * 4 * (2 * 3 * 5), cost.flops());
    assertEquals(80, cost.parameterBytes());
    assertEquals(4L * (24 + 20), cost.bytesRead());
    assertEquals(4L * 30, cost.bytesWritten());
  }
}
