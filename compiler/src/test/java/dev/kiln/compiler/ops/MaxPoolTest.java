package dev.kiln.compiler.ops;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.kiln.compiler.KilnException;
import dev.kiln.compiler.testing.Attr;
import dev.kiln.compiler.testing.ModelBuilder;
import java.util.List;
import org.junit.jupiter.api.Test;

class MaxPoolTest {
  @Test
  void theIndicesOutputIsRejectedByName() {
    ModelBuilder b = new ModelBuilder(12)
        .input("x", 1, 1, 4, 4)
        .namedNode("p", "MaxPool", List.of("x"), List.of("y", "i"), Attr.ints("kernel_shape", 2, 2))
        .output("y");
    KilnException e = assertThrows(KilnException.class, b::importGraph);
    assertEquals("test.onnx: node 'p' (MaxPool, opset 12): the Indices output is not supported",
        e.getMessage());
  }
}
