package dev.kiln.compiler.ops;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.kiln.compiler.KilnException;
import dev.kiln.compiler.ir.Attributes;
import dev.kiln.compiler.ir.Graph;
import dev.kiln.compiler.ir.Shape;
import dev.kiln.compiler.ir.Tensor;
import dev.kiln.compiler.ir.TensorType;
import dev.kiln.compiler.testing.Attr;
import dev.kiln.compiler.testing.ModelBuilder;
import dev.kiln.compiler.testing.Oracle;
import dev.kiln.compiler.testing.Tensors;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class UpsampleTest {
  /** Opset 7–8: scales attribute. */
  @ParameterizedTest(name = "[{index}] opset {0} {1} scales {2}x{3}")
  @CsvSource({
    "7, nearest, 2, 2",
    "7, nearest, 1.5, 2.7",
    "8, linear, 2, 2",
    "8, linear, 1.5, 2.7",
  })
  void scalesAttributeMatchesOrt(int opset, String mode, float sh, float sw) {
    ModelBuilder b = new ModelBuilder(opset)
        .input("x", 2, 3, 5, 4)
        .node("Upsample", List.of("x"), List.of("y"), Attr.s("mode", mode),
            Attr.floats("scales", 1f, 1f, sh, sw))
        .output("y");
    Oracle.assertMatchesOrt(b.build(), Map.of("x", Tensors.random(110, 2, 3, 5, 4)),
        "Upsample-" + opset + " " + mode);
  }

  /** Opset 9: scales input. */
  @ParameterizedTest(name = "[{index}] {0} scales {1}x{2}")
  @CsvSource({
    "nearest, 3, 1",
    "nearest, 1.3, 3.5",
    "linear, 2, 2",
    "linear, 1.3, 3.5",
  })
  void scalesInputMatchesOrt(String mode, float sh, float sw) {
    ModelBuilder b = new ModelBuilder(9)
        .input("x", 1, 2, 5, 7)
        .initializer("scales", Tensor.ofFloats(Shape.of(4), 1f, 1f, sh, sw))
        .node("Upsample", List.of("x", "scales"), List.of("y"), Attr.s("mode", mode))
        .output("y");
    Oracle.assertMatchesOrt(b.build(), Map.of("x", Tensors.random(111, 1, 2, 5, 7)),
        "Upsample-9 " + mode);
  }

  @Test
  void infersFlooredShape() {
    Graph g = new ModelBuilder(9)
        .input("x", 1, 2, 5, 7)
        .initializer("scales", Tensor.ofFloats(Shape.of(4), 1f, 1f, 1.3f, 3.5f))
        .node("Upsample", List.of("x", "scales"), List.of("y"))
        .output("y")
        .importGraph();
    assertEquals(TensorType.float32(1, 2, 6, 24), g.type("y"));
  }

  @Test
  void scalesBelowOneAreAnError() {
    ModelBuilder b = new ModelBuilder(9)
        .input("x", 1, 2, 5, 7)
        .initializer("scales", Tensor.ofFloats(Shape.of(4), 1f, 1f, 0.5f, 2f))
        .namedNode("u", "Upsample", List.of("x", "scales"), List.of("y"))
        .output("y");
    KilnException e = assertThrows(KilnException.class, b::importGraph);
    assertEquals("test.onnx: node 'u' (Upsample, opset 9): scales [1.0, 1.0, 0.5, 2.0] must be at"
        + " least 1", e.getMessage());
  }

  @Test
  void deprecatedFromOpset10() {
    ModelBuilder b = new ModelBuilder(10)
        .input("x", 1, 2, 5, 7)
        .initializer("scales", Tensor.ofFloats(Shape.of(4), 1f, 1f, 2f, 2f))
        .namedNode("u", "Upsample", List.of("x", "scales"), List.of("y"))
        .output("y");
    KilnException e = assertThrows(KilnException.class, b::importGraph);
    assertEquals("test.onnx: node 'u' (Upsample, opset 10): Upsample is deprecated from opset 10;"
        + " use Resize", e.getMessage());
  }

  @Test
  void attributesRoundTrip() {
    Attributes a = Attributes.builder().putString("mode", "linear").putFloats("scales", 1, 1, 2, 2)
        .build();
    Upsample u = Upsample.fromAttributes(a, 7);
    assertEquals(u, Upsample.fromAttributes(u.attributes(), 7));
  }
}
