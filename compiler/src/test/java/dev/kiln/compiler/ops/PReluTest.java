package dev.kiln.compiler.ops;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.kiln.compiler.KilnException;
import dev.kiln.compiler.testing.ModelBuilder;
import dev.kiln.compiler.testing.Oracle;
import dev.kiln.compiler.testing.Tensors;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class PReluTest {
  /** Each case: opset, X dims, slope dims, whether the slope is a weight (initializer). */
  @ParameterizedTest(name = "[{index}] opset {0} x[{1}] slope[{2}] constant={3}")
  @CsvSource({
    "7,  2:3:5:7, 3:1:1,   true",
    "9,  2:3:5:7, 3:1:1,   true",
    "16, 2:3:5:7, 1:3:1:1, true",
    "16, 4:6,     6,       true",
    "9,  2:3:5:7, 1,       true",
    "9,  2:3:5:7, 5:7,     false",
    "13, 2:3:5:7, 2:3:5:7, false",
    "13, 2:3:5:7, 7,       false",
    "13, 3:11,    3:1,     false",
  })
  void matchesOrt(int opset, String xDims, String slopeDims, boolean constant) {
    int[] x = UnaryElementwiseTest.parseDims(xDims);
    int[] slope = UnaryElementwiseTest.parseDims(slopeDims);
    ModelBuilder b = new ModelBuilder(opset).input("x", x);
    if (constant) {
      b.initializer("slope", Tensors.uniform(2, -0.5f, 0.5f, slope));
    } else {
      b.input("slope", slope);
    }
    b.node("PRelu", List.of("x", "slope"), List.of("y")).output("y");
    OpAssertions.assertAttributesRoundTrip(b);
    var inputs = constant
        ? Map.of("x", Tensors.uniform(1, -3f, 3f, x))
        : Map.of("x", Tensors.uniform(1, -3f, 3f, x), "slope", Tensors.uniform(2, -0.5f, 0.5f, slope));
    Oracle.assertMatchesOrt(b.build(), inputs, "PRelu x" + xDims + " slope" + slopeDims);
  }

  /** Right-aligned, [3] meets W = 7; ONNX Runtime fails on this model too, at run time. */
  @Test
  void perChannelVectorAgainstNchwIsAnError() {
    ModelBuilder b = new ModelBuilder(13)
        .input("x", 2, 3, 5, 7)
        .initializer("slope", Tensors.random(1, 3))
        .namedNode("p", "PRelu", List.of("x", "slope"), List.of("y"))
        .output("y");
    KilnException e = assertThrows(KilnException.class, b::importGraph);
    assertEquals("test.onnx: node 'p' (PRelu, opset 13): slope [3] does not broadcast to X [2,3,5,7]"
        + " (each slope dimension, aligned from the right, must be 1 or equal X's)", e.getMessage());
  }

  @Test
  void slopeThatWouldGrowTheOutputIsAnError() {
    ModelBuilder b = new ModelBuilder(13)
        .input("x", 3, 1)
        .initializer("slope", Tensors.random(1, 2, 3, 4))
        .namedNode("p", "PRelu", List.of("x", "slope"), List.of("y"))
        .output("y");
    KilnException e = assertThrows(KilnException.class, b::importGraph);
    assertEquals("test.onnx: node 'p' (PRelu, opset 13): slope [2,3,4] does not broadcast to X [3,1]"
        + " (each slope dimension, aligned from the right, must be 1 or equal X's)", e.getMessage());
  }

  @Test
  void costCountsACompareAndAMultiplyPerElement() {
    var cost = OpAssertions.onlyNodeCost(new ModelBuilder(13)
        .input("x", 2, 3, 5)
        .initializer("slope", Tensors.random(1, 3, 1))
        .node("PRelu", List.of("x", "slope"), List.of("y"))
        .output("y"));
    assertEquals(60, cost.flops());
    assertEquals(12, cost.parameterBytes());
    assertEquals(132, cost.bytesRead());
  }
}
