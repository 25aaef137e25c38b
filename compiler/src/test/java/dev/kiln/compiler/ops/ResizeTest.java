package dev.kiln.compiler.ops;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.kiln.compiler.KilnException;
import dev.kiln.compiler.importer.onnx.proto.OnnxProto.AttributeProto;
import dev.kiln.compiler.ir.Cost;
import dev.kiln.compiler.ir.CostContext;
import dev.kiln.compiler.ir.Graph;
import dev.kiln.compiler.ir.Shape;
import dev.kiln.compiler.ir.Tensor;
import dev.kiln.compiler.ir.TensorType;
import dev.kiln.compiler.testing.Attr;
import dev.kiln.compiler.testing.ModelBuilder;
import dev.kiln.compiler.testing.Oracle;
import dev.kiln.compiler.testing.Tensors;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.MethodSource;

class ResizeTest {
  private static final List<String> COORDINATE_MODES = List.of("half_pixel", "half_pixel_symmetric",
      "pytorch_half_pixel", "align_corners", "asymmetric", "tf_half_pixel_for_nn");
  private static final List<String> NEAREST_MODES =
      List.of("round_prefer_floor", "round_prefer_ceil", "floor", "ceil");

  /**
   * Scales on H and W: upsampling, downsampling, and mixed; 0.4 and 2.5 put asymmetric coordinates
   * exactly on halves, where the nearest modes differ.
   */
  private static final float[][] SCALES = {{2.5f, 1.7f}, {0.4f, 0.6f}, {3f, 0.55f}};

  static Stream<Arguments> nearestCases() {
    List<Arguments> cases = new ArrayList<>();
    for (String coordinates : COORDINATE_MODES) {
      for (String nearest : NEAREST_MODES) {
        for (float[] s : SCALES) {
          cases.add(Arguments.of(coordinates, nearest, s[0], s[1]));
        }
      }
    }
    return cases.stream();
  }

  /** Every coordinate mode × nearest mode × up/down/mixed scale, [2,3,10,7] input. */
  @ParameterizedTest(name = "[{index}] {0} {1} scales {2}x{3}")
  @MethodSource("nearestCases")
  void nearestWithScalesMatchesOrt(String coordinates, String nearest, float sh, float sw) {
    ModelBuilder b = new ModelBuilder(19)
        .input("x", 2, 3, 10, 7)
        .initializer("scales", Tensor.ofFloats(Shape.of(4), 1f, 1f, sh, sw))
        .node("Resize", List.of("x", "", "scales"), List.of("y"),
            Attr.s("mode", "nearest"), Attr.s("coordinate_transformation_mode", coordinates),
            Attr.s("nearest_mode", nearest))
        .output("y");
    Oracle.assertMatchesOrt(b.build(), Map.of("x", Tensors.random(7, 2, 3, 10, 7)),
        "Resize nearest " + coordinates + " " + nearest + " " + sh + "x" + sw);
  }

  static Stream<Arguments> linearCases() {
    List<Arguments> cases = new ArrayList<>();
    for (String coordinates : COORDINATE_MODES) {
      for (float[] s : SCALES) {
        cases.add(Arguments.of(coordinates, s[0], s[1]));
      }
    }
    return cases.stream();
  }

  /** Bilinear on NCHW in every coordinate mode, up/down/mixed. */
  @ParameterizedTest(name = "[{index}] {0} scales {1}x{2}")
  @MethodSource("linearCases")
  void linearWithScalesMatchesOrt(String coordinates, float sh, float sw) {
    ModelBuilder b = new ModelBuilder(19)
        .input("x", 1, 3, 9, 11)
        .initializer("scales", Tensor.ofFloats(Shape.of(4), 1f, 1f, sh, sw))
        .node("Resize", List.of("x", "", "scales"), List.of("y"),
            Attr.s("mode", "linear"), Attr.s("coordinate_transformation_mode", coordinates))
        .output("y");
    Oracle.assertMatchesOrt(b.build(), Map.of("x", Tensors.random(8, 1, 3, 9, 11)),
        "Resize linear " + coordinates + " " + sh + "x" + sw);
  }

  /** Sizes instead of scales: the scale becomes size/length. */
  @ParameterizedTest(name = "[{index}] {0} {1} to {2}x{3}")
  @CsvSource({
    "nearest, half_pixel, 23, 4",
    "nearest, asymmetric, 5, 16",
    "nearest, align_corners, 1, 13",
    "nearest, pytorch_half_pixel, 1, 3",
    "nearest, tf_half_pixel_for_nn, 17, 17",
    "nearest, half_pixel_symmetric, 13, 5",
    "linear, half_pixel, 23, 4",
    "linear, align_corners, 1, 13",
    "linear, pytorch_half_pixel, 1, 3",
    "linear, asymmetric, 4, 29",
    "linear, half_pixel_symmetric, 13, 5",
  })
  void sizesMatchOrt(String mode, String coordinates, int h, int w) {
    ModelBuilder b = new ModelBuilder(19)
        .input("x", 1, 2, 10, 7)
        .initializer("sizes", Tensors.int64(1, 2, h, w))
        .node("Resize", List.of("x", "", "", "sizes"), List.of("y"),
            Attr.s("mode", mode), Attr.s("coordinate_transformation_mode", coordinates))
        .output("y");
    Oracle.assertMatchesOrt(b.build(), Map.of("x", Tensors.random(9, 1, 2, 10, 7)),
        "Resize sizes " + mode + " " + coordinates);
  }

  /**
   * Coordinates that are exact halves in real arithmetic but miss by an ulp in float32 (20 → 6 with
   * half_pixel gives 14.499999 for 14.5): the nearest modes must still treat them as ties.
   */
  @ParameterizedTest(name = "[{index}] {0} → {1} {2} {3}")
  @CsvSource({
    "20, 6, half_pixel, round_prefer_ceil",
    "20, 6, half_pixel, round_prefer_floor",
    "7, 4, half_pixel_symmetric, round_prefer_floor",
    "7, 4, half_pixel_symmetric, round_prefer_ceil",
    "26, 64, half_pixel, round_prefer_ceil",
    "26, 64, half_pixel, round_prefer_floor",
  })
  void nearlyExactTiesMatchOrt(int length, int size, String coordinates, String nearest) {
    ModelBuilder b = new ModelBuilder(19)
        .input("x", 1, 1, 1, length)
        .initializer("sizes", Tensors.int64(1, 1, 1, size))
        .node("Resize", List.of("x", "", "", "sizes"), List.of("y"),
            Attr.s("coordinate_transformation_mode", coordinates), Attr.s("nearest_mode", nearest))
        .output("y");
    Oracle.assertMatchesOrt(b.build(), Map.of("x", Tensors.random(17, 1, 1, 1, length)),
        "Resize ties " + length + "→" + size + " " + coordinates + " " + nearest);
  }

  /** Linear beyond NCHW: 2-D, trilinear 3-D and 5-D, and NHWC (outer and inner scales 1). */
  @ParameterizedTest(name = "[{index}] {0} scales {1}")
  @CsvSource({
    "7:9, 1.5:0.5",
    "4:6:5, 2:0.5:1.4",
    "1:2:3:4:5, 1:1:2:1.5:0.6",
    "1:6:5:3, 1:1.5:2.2:1",
  })
  void linearOnOtherRanksMatchesOrt(String dims, String scales) {
    int[] d = Arrays.stream(dims.split(":")).mapToInt(Integer::parseInt).toArray();
    String[] parts = scales.split(":");
    float[] s = new float[parts.length];
    for (int i = 0; i < s.length; i++) {
      s[i] = Float.parseFloat(parts[i]);
    }
    ModelBuilder b = new ModelBuilder(13)
        .input("x", d)
        .initializer("scales", Tensor.ofFloats(Shape.of(s.length), s))
        .node("Resize", List.of("x", "", "scales"), List.of("y"),
            Attr.s("mode", "linear"), Attr.s("coordinate_transformation_mode", "half_pixel"))
        .output("y");
    Oracle.assertMatchesOrt(b.build(), Map.of("x", Tensors.random(10, d)), "Resize linear " + dims);
  }

  /** Nearest resizes any axis, the batch and channel axes included. */
  @Test
  void nearestOnEveryAxisMatchesOrt() {
    ModelBuilder b = new ModelBuilder(13)
        .input("x", 2, 3, 4, 5)
        .initializer("scales", Tensor.ofFloats(Shape.of(4), 1.5f, 0.7f, 2f, 1f))
        .node("Resize", List.of("x", "", "scales"), List.of("y"),
            Attr.s("coordinate_transformation_mode", "asymmetric"), Attr.s("nearest_mode", "floor"))
        .output("y");
    Oracle.assertMatchesOrt(b.build(), Map.of("x", Tensors.random(11, 2, 3, 4, 5)), "Resize N,C");
  }

  /** Opset 10: (X, scales), asymmetric coordinates, nearest truncating up and ceiling down. */
  @ParameterizedTest(name = "[{index}] {0} scales {1}x{2}")
  @CsvSource({
    "nearest, 2, 2",
    "nearest, 2.5, 1.7",
    "nearest, 0.4, 0.6",
    "linear, 2.5, 1.7",
    "linear, 0.4, 0.6",
  })
  void opset10MatchesOrt(String mode, float sh, float sw) {
    ModelBuilder b = new ModelBuilder(10)
        .input("x", 1, 2, 10, 7)
        .initializer("scales", Tensor.ofFloats(Shape.of(4), 1f, 1f, sh, sw))
        .node("Resize", List.of("x", "scales"), List.of("y"), Attr.s("mode", mode))
        .output("y");
    Oracle.assertMatchesOrt(b.build(), Map.of("x", Tensors.random(12, 1, 2, 10, 7)),
        "Resize-10 " + mode);
  }

  /** Opset 11: roi is a required input, and sizes need scales to be an empty tensor. */
  @Test
  void opset11WithEmptyScalesAndSizesMatchesOrt() {
    ModelBuilder b = new ModelBuilder(11)
        .input("x", 1, 2, 6, 5)
        .initializer("roi", Tensor.ofFloats(Shape.of(0)))
        .initializer("scales", Tensor.ofFloats(Shape.of(0)))
        .initializer("sizes", Tensors.int64(1, 2, 9, 3))
        .node("Resize", List.of("x", "roi", "scales", "sizes"), List.of("y"),
            Attr.s("mode", "linear"), Attr.s("coordinate_transformation_mode", "align_corners"))
        .output("y");
    Oracle.assertMatchesOrt(b.build(), Map.of("x", Tensors.random(13, 1, 2, 6, 5)), "Resize-11");
  }

  @ParameterizedTest(name = "[{index}] opset {0} {1}")
  @CsvSource({"11, nearest", "11, linear", "13, nearest", "13, linear", "18, linear", "19, nearest"})
  void defaultAttributesMatchOrt(int opset, String mode) {
    ModelBuilder b = new ModelBuilder(opset)
        .input("x", 1, 1, 5, 8)
        .initializer("roi", Tensor.ofFloats(Shape.of(0)))
        .initializer("scales", Tensor.ofFloats(Shape.of(4), 1f, 1f, 1.8f, 0.75f))
        .node("Resize", List.of("x", "roi", "scales"), List.of("y"), Attr.s("mode", mode))
        .output("y");
    Oracle.assertMatchesOrt(b.build(), Map.of("x", Tensors.random(14, 1, 1, 5, 8)),
        "Resize-" + opset + " defaults");
  }

  /** Opset 18: scales or sizes for a subset of axes. */
  @ParameterizedTest(name = "[{index}] axes {0} {1}")
  @CsvSource({
    "2:3, scales",
    "3:2, sizes",
    "-1:-2, scales",
    "-2, sizes",
  })
  void axesMatchOrt(String axes, String kind) {
    long[] a = Arrays.stream(axes.split(":")).mapToLong(Long::parseLong).toArray();
    ModelBuilder b = new ModelBuilder(18).input("x", 1, 2, 6, 9);
    List<String> inputs;
    if (kind.equals("scales")) {
      float[] s = a.length == 2 ? new float[] {1.5f, 0.5f} : new float[] {2f};
      b.initializer("scales", Tensor.ofFloats(Shape.of(s.length), s));
      inputs = List.of("x", "", "scales");
    } else {
      long[] z = a.length == 2 ? new long[] {4, 11} : new long[] {13};
      b.initializer("sizes", Tensors.int64(z));
      inputs = List.of("x", "", "", "sizes");
    }
    b.node("Resize", inputs, List.of("y"), Attr.ints("axes", a), Attr.s("mode", "linear"))
        .output("y");
    Oracle.assertMatchesOrt(b.build(), Map.of("x", Tensors.random(15, 1, 2, 6, 9)),
        "Resize axes " + axes + " " + kind);
  }

  /** Opset 18: one scale for all resized axes keeps the aspect ratio. */
  @ParameterizedTest(name = "[{index}] {0} {1} to {2}x{3}")
  @CsvSource({
    "not_larger, nearest, 12, 30",
    "not_larger, linear, 20, 9",
    "not_smaller, nearest, 12, 30",
    "not_smaller, linear, 20, 9",
    "stretch, linear, 20, 9",
  })
  void keepAspectRatioMatchesOrt(String policy, String mode, int h, int w) {
    ModelBuilder b = new ModelBuilder(18)
        .input("x", 1, 2, 6, 9)
        .initializer("sizes", Tensors.int64(h, w))
        .node("Resize", List.of("x", "", "", "sizes"), List.of("y"), Attr.ints("axes", 2, 3),
            Attr.s("mode", mode), Attr.s("keep_aspect_ratio_policy", policy))
        .output("y");
    Oracle.assertMatchesOrt(b.build(), Map.of("x", Tensors.random(16, 1, 2, 6, 9)),
        "Resize " + policy + " " + mode);
  }

  @Test
  void keepAspectRatioInfersOneScale() {
    Graph g = new ModelBuilder(18)
        .input("x", 1, 3, 100, 200)
        .initializer("sizes", Tensors.int64(50, 50))
        .node("Resize", List.of("x", "", "", "sizes"), List.of("y"), Attr.ints("axes", 2, 3),
            Attr.s("keep_aspect_ratio_policy", "not_larger"))
        .output("y")
        .importGraph();
    assertEquals(TensorType.float32(1, 3, 25, 50), g.type("y"));
  }

  @Test
  void scalesGiveFlooredOutputShape() {
    Graph g = new ModelBuilder(13)
        .input("x", 1, 3, 7, 10)
        .initializer("scales", Tensor.ofFloats(Shape.of(4), 1f, 1f, 1.5f, 0.35f))
        .node("Resize", List.of("x", "", "scales"), List.of("y"))
        .output("y")
        .importGraph();
    assertEquals(TensorType.float32(1, 3, 10, 3), g.type("y"));
  }

  /** Only bilinear does arithmetic: 7 FLOPs per output over two resized axes. */
  @Test
  void costCountsLinearTapsOnly() {
    TensorType in = TensorType.float32(1, 2, 4, 4);
    TensorType out = TensorType.float32(1, 2, 8, 8);
    TensorType scales = new TensorType(dev.kiln.compiler.ir.DType.FLOAT32, Shape.of(4));
    CostContext ctx = new CostContext(new TensorType[] {in, null, scales},
        new boolean[] {false, false, true}, new TensorType[] {out});
    Resize linear = Resize.fromAttributes(
        dev.kiln.compiler.ir.Attributes.builder().putString("mode", "linear").build(), 13);
    Resize nearest = Resize.fromAttributes(dev.kiln.compiler.ir.Attributes.EMPTY, 13);
    Cost c = linear.cost(ctx);
    assertEquals(7L * 128, c.flops());
    assertEquals(32 * 4 + 16, c.bytesRead());
    assertEquals(0, nearest.cost(ctx).flops());
  }

  @Test
  void attributesRoundTrip() {
    for (int opset : new int[] {10, 11, 13, 18, 19}) {
      dev.kiln.compiler.ir.Attributes.Builder a = dev.kiln.compiler.ir.Attributes.builder()
          .putString("mode", "linear");
      if (opset >= 11) {
        a.putString("coordinate_transformation_mode", "align_corners")
            .putString("nearest_mode", "ceil");
      }
      if (opset >= 18) {
        a.putLongs("axes", 2, 3).putString("keep_aspect_ratio_policy", "not_smaller");
      }
      Resize r = Resize.fromAttributes(a.build(), opset);
      assertEquals(r, Resize.fromAttributes(r.attributes(), opset), "opset " + opset);
    }
  }

  private static KilnException importError(int opset, AttributeProto... attributes) {
    ModelBuilder b = new ModelBuilder(opset)
        .input("x", 1, 1, 4, 4)
        .initializer("scales", Tensor.ofFloats(Shape.of(4), 1f, 1f, 2f, 2f))
        .namedNode("r", "Resize", List.of("x", "", "scales"), List.of("y"), attributes)
        .output("y");
    return assertThrows(KilnException.class, b::importGraph);
  }

  @Test
  void cubicIsRejected() {
    assertEquals("test.onnx: node 'r' (Resize, opset 13): mode 'cubic' is not supported"
        + " (nearest and linear are)", importError(13, Attr.s("mode", "cubic")).getMessage());
  }

  @Test
  void cropAndResizeIsRejected() {
    assertEquals("test.onnx: node 'r' (Resize, opset 13): coordinate_transformation_mode"
        + " 'tf_crop_and_resize' is not supported (Kiln does not crop by a region of interest)",
        importError(13, Attr.s("coordinate_transformation_mode", "tf_crop_and_resize"))
            .getMessage());
  }

  @Test
  void antialiasIsRejected() {
    assertEquals("test.onnx: node 'r' (Resize, opset 18): antialias=1 is not supported",
        importError(18, Attr.s("mode", "linear"), Attr.i("antialias", 1)).getMessage());
  }

  @Test
  void halfPixelSymmetricNeedsOpset19() {
    assertEquals("test.onnx: node 'r' (Resize, opset 18): coordinate_transformation_mode"
        + " 'half_pixel_symmetric' needs opset 19 or later",
        importError(18, Attr.s("coordinate_transformation_mode", "half_pixel_symmetric"))
            .getMessage());
  }

  @Test
  void unknownNearestModeIsAnError() {
    assertEquals("test.onnx: node 'r' (Resize, opset 13): nearest_mode 'round' is unknown"
        + " (round_prefer_floor, round_prefer_ceil, floor, ceil)",
        importError(13, Attr.s("nearest_mode", "round")).getMessage());
  }

  @Test
  void scalesComputedAtRunTimeAreAnError() {
    ModelBuilder b = new ModelBuilder(13)
        .input("x", 1, 1, 4, 4)
        .input("scales", 4)
        .namedNode("r", "Resize", List.of("x", "", "scales"), List.of("y"))
        .output("y");
    KilnException e = assertThrows(KilnException.class, b::importGraph);
    assertEquals("test.onnx: node 'r' (Resize, opset 13): input 2 (scales) must be known at compile"
        + " time (a constant or a computation on static shapes)", e.getMessage());
  }

  @Test
  void scalesAndSizesTogetherAreAnError() {
    ModelBuilder b = new ModelBuilder(13)
        .input("x", 1, 1, 4, 4)
        .initializer("scales", Tensor.ofFloats(Shape.of(4), 1f, 1f, 2f, 2f))
        .initializer("sizes", Tensors.int64(1, 1, 8, 8))
        .namedNode("r", "Resize", List.of("x", "", "scales", "sizes"), List.of("y"))
        .output("y");
    KilnException e = assertThrows(KilnException.class, b::importGraph);
    assertEquals("test.onnx: node 'r' (Resize, opset 13): takes scales or sizes, not both",
        e.getMessage());
  }

  @Test
  void scalesOfTheWrongLengthAreAnError() {
    ModelBuilder b = new ModelBuilder(13)
        .input("x", 1, 1, 4, 4)
        .initializer("scales", Tensor.ofFloats(Shape.of(2), 2f, 2f))
        .namedNode("r", "Resize", List.of("x", "", "scales"), List.of("y"))
        .output("y");
    KilnException e = assertThrows(KilnException.class, b::importGraph);
    assertEquals("test.onnx: node 'r' (Resize, opset 13): scales [2.0, 2.0] must have 4 entries,"
        + " one per axis of the input [1,1,4,4]", e.getMessage());
  }
}
