package dev.kiln.compiler.ops;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.kiln.compiler.KilnException;
import dev.kiln.compiler.ir.Attributes;
import dev.kiln.compiler.ir.DType;
import dev.kiln.compiler.ir.Graph;
import dev.kiln.compiler.ir.TensorType;
import dev.kiln.compiler.testing.Attr;
import dev.kiln.compiler.testing.ModelBuilder;
import dev.kiln.compiler.testing.Oracle;
import dev.kiln.compiler.testing.Tensors;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class PadTest {
  private static long[] parse(String values) {
    return Arrays.stream(values.split(":")).mapToLong(Long::parseLong).toArray();
  }

  /** Each case: opset 11+ pads input, mode, shape, pads (negative crops). */
  @ParameterizedTest(name = "[{index}] opset {0} {1} {2} pads {3}")
  @CsvSource({
    "11, constant, 1x3x5x6, 0:0:1:2:0:0:3:1",
    "11, reflect, 1x3x5x6, 0:0:1:2:0:0:3:1",
    "11, edge, 1x3x5x6, 0:0:1:2:0:0:3:1",
    "13, constant, 2x3x7, 1:0:-2:0:2:-3",
    "13, reflect, 2x3x7, 0:1:-2:0:-1:4",
    "13, reflect, 2x3x7, 0:0:3:0:0:-3",
    "13, edge, 2x3x7, 0:5:-2:1:-1:6",
    "13, constant, 4x4, -1:-1:-2:-3",
    "13, reflect, 1x1x2x2, 0:0:1:1:0:0:1:1",
    "19, wrap, 1x3x5x6, 0:0:2:4:0:0:3:1",
    "19, wrap, 2x3x7, 0:1:-2:0:2:3",
    "21, edge, 1x2x3x3, 0:0:2:2:0:0:2:2",
  })
  void matchesOrt(int opset, String mode, String shape, String pads) {
    int[] dims = Arrays.stream(shape.split("x")).mapToInt(Integer::parseInt).toArray();
    ModelBuilder b = new ModelBuilder(opset)
        .input("x", dims)
        .initializer("pads", Tensors.int64(parse(pads)))
        .node("Pad", List.of("x", "pads"), List.of("y"), Attr.s("mode", mode))
        .output("y");
    Oracle.assertMatchesOrt(b.build(), Map.of("x", Tensors.random(50, dims)),
        "Pad " + mode + " " + pads);
  }

  /** Before opset 11: pads and value are attributes. */
  @ParameterizedTest(name = "[{index}] opset {0} {1}")
  @CsvSource({
    "7, constant",
    "10, constant",
    "10, reflect",
    "10, edge",
  })
  void attributeFormMatchesOrt(int opset, String mode) {
    ModelBuilder b = new ModelBuilder(opset)
        .input("x", 1, 2, 4, 5)
        .node("Pad", List.of("x"), List.of("y"), Attr.s("mode", mode),
            Attr.ints("pads", 0, 0, 2, 1, 0, 0, 1, 3), Attr.f("value", 1.5f))
        .output("y");
    Oracle.assertMatchesOrt(b.build(), Map.of("x", Tensors.random(51, 1, 2, 4, 5)),
        "Pad-" + opset + " " + mode);
  }

  /** The constant may be a graph input, known only at run time. */
  @Test
  void runTimeConstantValueMatchesOrt() {
    ModelBuilder b = new ModelBuilder(13)
        .input("x", 2, 3)
        .input("value", new int[0])
        .initializer("pads", Tensors.int64(1, 2, 0, 1))
        .node("Pad", List.of("x", "pads", "value"), List.of("y"))
        .output("y");
    Oracle.assertMatchesOrt(b.build(),
        Map.of("x", Tensors.random(52, 2, 3), "value", Tensors.scalar(-7.25f)), "Pad value input");
  }

  /** Opset 18: pads for chosen axes only, negative axes allowed. */
  @ParameterizedTest(name = "[{index}] {0} axes {1} pads {2}")
  @CsvSource({
    "constant, 1:3, 1:2:3:0",
    "reflect, -1:-2, 2:1:1:2",
    "edge, 2, 0:4",
  })
  void axesMatchOrt(String mode, String axes, String pads) {
    ModelBuilder b = new ModelBuilder(18)
        .input("x", 2, 3, 5, 6)
        .initializer("pads", Tensors.int64(parse(pads)))
        .initializer("value", Tensors.scalar(0.5f))
        .initializer("axes", Tensors.int64(parse(axes)))
        .node("Pad", List.of("x", "pads", "value", "axes"), List.of("y"), Attr.s("mode", mode))
        .output("y");
    Oracle.assertMatchesOrt(b.build(), Map.of("x", Tensors.random(53, 2, 3, 5, 6)),
        "Pad axes " + axes + " " + mode);
  }

  @Test
  void negativePadsCrop() {
    Graph g = new ModelBuilder(13)
        .input("x", 1, 3, 10, 10)
        .initializer("pads", Tensors.int64(0, 0, -2, 1, 0, 0, -3, 1))
        .node("Pad", List.of("x", "pads"), List.of("y"))
        .output("y")
        .importGraph();
    assertEquals(TensorType.float32(1, 3, 5, 12), g.type("y"));
  }

  @Test
  void padsComputedAtRunTimeAreAnError() {
    ModelBuilder b = new ModelBuilder(13)
        .input("x", 2, 3)
        .input("pads", DType.INT64, 4)
        .namedNode("p", "Pad", List.of("x", "pads"), List.of("y"))
        .output("y");
    KilnException e = assertThrows(KilnException.class, b::importGraph);
    assertEquals("test.onnx: node 'p' (Pad, opset 13): input 1 (pads) must be known at compile time"
        + " (a constant or a computation on static shapes)", e.getMessage());
  }

  @Test
  void padsOfTheWrongLengthAreAnError() {
    ModelBuilder b = new ModelBuilder(13)
        .input("x", 2, 3)
        .initializer("pads", Tensors.int64(1, 1))
        .namedNode("p", "Pad", List.of("x", "pads"), List.of("y"))
        .output("y");
    KilnException e = assertThrows(KilnException.class, b::importGraph);
    assertEquals("test.onnx: node 'p' (Pad, opset 13): pads [1, 1] must have 4 entries (before and"
        + " after for each of 2 axes)", e.getMessage());
  }

  @Test
  void wrapNeedsOpset19() {
    ModelBuilder b = new ModelBuilder(18)
        .input("x", 2, 3)
        .initializer("pads", Tensors.int64(1, 1, 1, 1))
        .namedNode("p", "Pad", List.of("x", "pads"), List.of("y"), Attr.s("mode", "wrap"))
        .output("y");
    KilnException e = assertThrows(KilnException.class, b::importGraph);
    assertEquals("test.onnx: node 'p' (Pad, opset 18): mode 'wrap' needs opset 19 or later",
        e.getMessage());
  }

  @Test
  void attributesRoundTrip() {
    Attributes a = Attributes.builder().putString("mode", "reflect").putLongs("pads", 1, 2, 3, 4)
        .putFloat("value", 2f).build();
    Pad p = Pad.fromAttributes(a, 10);
    assertEquals(p, Pad.fromAttributes(p.attributes(), 10));
    Pad p19 = Pad.fromAttributes(Attributes.builder().putString("mode", "wrap").build(), 19);
    assertEquals(p19, Pad.fromAttributes(p19.attributes(), 19));
  }
}
