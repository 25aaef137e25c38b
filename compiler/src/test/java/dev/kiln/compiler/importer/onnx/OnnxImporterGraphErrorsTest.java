package dev.kiln.compiler.importer.onnx;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.kiln.compiler.KilnException;
import dev.kiln.compiler.testing.ModelBuilder;
import dev.kiln.compiler.testing.Tensors;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Wiring errors found while ordering nodes: they name the node as every node error does. */
class OnnxImporterGraphErrorsTest {
  private static String importError(ModelBuilder b) {
    return assertThrows(KilnException.class, b::importGraph).getMessage();
  }

  @Test
  void anUndefinedInputNamesTheNodeOpAndOpset() {
    ModelBuilder b = new ModelBuilder(13)
        .input("x", 1, 3)
        .namedNode("add", "Add", List.of("x", "w"), List.of("y"))
        .output("y");
    assertEquals("test.onnx: node 'add' (Add, opset 13): input 'w' is not a graph input, an"
        + " initializer or any node's output", importError(b));
  }

  @Test
  void anOutputDefinedTwiceIsAnError() {
    ModelBuilder b = new ModelBuilder(13)
        .input("x", 1, 3)
        .initializer("w", Tensors.random(1, 1, 3))
        .namedNode("a", "Relu", List.of("x"), List.of("y"))
        .namedNode("b", "Relu", List.of("x"), List.of("w"))
        .output("y");
    assertEquals("test.onnx: node 'b' (Relu, opset 13): output 'w' is already defined elsewhere",
        importError(b));
  }

  @Test
  void aCycleIsAnError() {
    ModelBuilder b = new ModelBuilder(13)
        .input("x", 1, 3)
        .namedNode("a", "Add", List.of("x", "q"), List.of("p"))
        .namedNode("b", "Relu", List.of("p"), List.of("q"))
        .output("q");
    assertEquals("test.onnx: node 'a' (Add, opset 13) is part of a cycle", importError(b));
  }
}
