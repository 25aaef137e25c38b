package dev.kiln.compiler.ops;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.kiln.compiler.KilnException;
import dev.kiln.compiler.testing.Attr;
import dev.kiln.compiler.testing.ModelBuilder;
import dev.kiln.compiler.testing.Tensors;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Window geometry at the edges of what an attribute can say: values that would overflow an int
 * must be rejected rather than wrap into a small window.
 */
class WindowLimitsTest {
  @Test
  void aDilationThatOverflowsIsRejected() {
    ModelBuilder b = new ModelBuilder(13)
        .input("x", 1, 2, 9, 9)
        .initializer("w", Tensors.random(1, 3, 2, 3, 3))
        .namedNode("c", "Conv", List.of("x", "w"), List.of("y"), Attr.s("auto_pad", "SAME_UPPER"),
            Attr.ints("dilations", 1L << 30, 1))
        .output("y");
    KilnException e = assertThrows(KilnException.class, b::importGraph);
    assertEquals("test.onnx: node 'c' (Conv, opset 13): window too large: kernel [3, 3], dilations"
        + " [1073741824, 1] and pads over input [9, 9] span more than 2147483647 positions",
        e.getMessage());
  }

  @Test
  void padsThatOverflowAreRejected() {
    int max = Integer.MAX_VALUE;
    ModelBuilder b = new ModelBuilder(13)
        .input("x", 1, 2, 9, 9)
        .namedNode("p", "MaxPool", List.of("x"), List.of("y"), Attr.ints("kernel_shape", 3, 3),
            Attr.ints("pads", max, 0, max, 0))
        .output("y");
    KilnException e = assertThrows(KilnException.class, b::importGraph);
    assertEquals("test.onnx: node 'p' (MaxPool, opset 13): window too large: kernel [3, 3],"
        + " dilations [1, 1] and pads over input [9, 9] span more than 2147483647 positions",
        e.getMessage());
  }
}
