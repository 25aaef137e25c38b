package dev.kiln.compiler.codegen.opencl;

import static dev.kiln.compiler.codegen.opencl.OpenClTesting.assertOutputsClose;
import static dev.kiln.compiler.codegen.opencl.OpenClTesting.compile;
import static dev.kiln.compiler.codegen.opencl.OpenClTesting.cpu;
import static dev.kiln.compiler.codegen.opencl.OpenClTesting.load;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.kiln.compiler.api.CompileOptions;
import dev.kiln.compiler.api.CompileResult;
import dev.kiln.compiler.importer.onnx.proto.OnnxProto.AttributeProto;
import dev.kiln.compiler.ir.Graph;
import dev.kiln.compiler.testing.Attr;
import dev.kiln.compiler.testing.ModelBuilder;
import dev.kiln.compiler.testing.Tensors;
import dev.kiln.runtime.opencl.OpenClModel;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/**
 * Every OpenCL kernel template against the CPU program of the same graph (runtime-min's reference
 * kernels). Each graph gathers many variants with awkward sizes, so one program build covers them:
 * building is what takes time on a CPU platform.
 */
class OpenClKernelsTest {
  /** Winograd on every layer it supports, tiled on the others. */
  static final CompileOptions WINOGRAD_WHERE_IT_RUNS =
      CompileOptions.builder().forcedAlgorithm("cl-winograd-f2x2").build();

  /** Convolutions: every algorithm and geometry the templates specialize for, batch 2, odd sizes. */
  static Graph convolutions() {
    ModelBuilder b = new ModelBuilder(13).input("x", 2, 8, 13, 11);
    conv(b, "winograd_pad1", 16, 8, 3, 3, true, Attr.ints("pads", 1, 1, 1, 1));
    conv(b, "winograd_asymmetric_pads", 9, 8, 3, 3, true, Attr.ints("pads", 0, 1, 1, 0));
    conv(b, "winograd_70_maps_no_bias", 70, 8, 3, 3, false, Attr.ints("pads", 1, 1, 1, 1));
    conv(b, "strided", 12, 8, 3, 3, true, Attr.ints("pads", 1, 1, 1, 1), Attr.ints("strides", 2, 2));
    conv(b, "pointwise", 12, 8, 1, 1, true);
    conv(b, "pointwise_strided", 5, 8, 1, 1, true, Attr.ints("strides", 2, 3));
    conv(b, "depthwise", 8, 1, 3, 3, true, Attr.ints("pads", 1, 1, 1, 1), Attr.i("group", 8));
    conv(b, "depthwise_5x5_strided", 8, 1, 5, 5, false, Attr.ints("pads", 2, 1, 2, 2), Attr.i("group", 8),
        Attr.ints("strides", 2, 2));
    conv(b, "grouped", 6, 4, 3, 3, true, Attr.ints("pads", 1, 1, 1, 1), Attr.i("group", 2));
    conv(b, "dilated", 7, 8, 3, 3, true, Attr.ints("pads", 2, 2, 2, 2), Attr.ints("dilations", 2, 2));
    conv(b, "five_by_three_uneven_pads", 33, 8, 5, 3, true, Attr.ints("pads", 1, 2, 0, 1));
    return b.importGraph();
  }

  private static int seed = 100;

  private static void conv(ModelBuilder b, String name, int maps, int channelsPerGroup, int kh, int kw,
      boolean bias, AttributeProto... attributes) {
    b.initializer(name + "_w", Tensors.random(seed++, maps, channelsPerGroup, kh, kw));
    List<String> inputs = new ArrayList<>(List.of("x", name + "_w"));
    if (bias) {
      b.initializer(name + "_b", Tensors.random(seed++, maps));
      inputs.add(name + "_b");
    }
    b.namedNode(name, "Conv", inputs, List.of(name), attributes).output(name);
  }

  /** Everything else the lowering emits: activations, broadcasting, pools, BN, softmax, Gemm. */
  static Graph operators() {
    ModelBuilder b = new ModelBuilder(14).input("x", 2, 6, 9, 7).input("y", 24, 40);
    String[] unary = {"Relu", "Sigmoid", "Tanh", "Exp", "Sqrt", "Reciprocal", "Erf", "HardSwish"};
    for (String op : unary) {
      b.namedNode(op, op, List.of("x"), List.of(op.toLowerCase())).output(op.toLowerCase());
    }
    b.namedNode("LeakyRelu", "LeakyRelu", List.of("x"), List.of("leaky"), Attr.f("alpha", 0.15f)).output("leaky");
    b.namedNode("HardSigmoid", "HardSigmoid", List.of("x"), List.of("hsig"), Attr.f("alpha", 0.3f),
        Attr.f("beta", 0.4f)).output("hsig");
    b.initializer("lo", Tensors.scalar(-0.5f)).initializer("hi", Tensors.scalar(0.7f));
    b.namedNode("Clip", "Clip", List.of("x", "lo", "hi"), List.of("clip")).output("clip");

    b.initializer("per_channel", Tensors.random(1, 6, 1, 1));
    b.namedNode("AddChannel", "Add", List.of("x", "per_channel"), List.of("add_channel")).output("add_channel");
    b.initializer("per_row", Tensors.random(2, 1, 1, 9, 1));
    b.namedNode("MulRow", "Mul", List.of("per_row", "x"), List.of("mul_row")).output("mul_row");
    b.namedNode("SubSame", "Sub", List.of("x", "relu"), List.of("sub_same")).output("sub_same");
    b.initializer("per_column", Tensors.uniform(3, 1f, 2f, 7));
    b.namedNode("DivColumn", "Div", List.of("x", "per_column"), List.of("div_column")).output("div_column");
    b.initializer("two", Tensors.scalar(2f));
    b.namedNode("Square", "Pow", List.of("x", "two"), List.of("square")).output("square");
    b.initializer("slope", Tensors.random(4, 6, 1, 1));
    b.namedNode("PRelu", "PRelu", List.of("x", "slope"), List.of("prelu")).output("prelu");

    b.namedNode("MaxPoolCeil", "MaxPool", List.of("x"), List.of("maxpool"), Attr.ints("kernel_shape", 3, 3),
        Attr.ints("strides", 2, 2), Attr.ints("pads", 1, 1, 1, 1), Attr.i("ceil_mode", 1)).output("maxpool");
    b.namedNode("AvgPool", "AveragePool", List.of("x"), List.of("avgpool"), Attr.ints("kernel_shape", 3, 2),
        Attr.ints("strides", 2, 1), Attr.ints("pads", 1, 0, 1, 1)).output("avgpool");
    b.namedNode("AvgPoolWithPad", "AveragePool", List.of("x"), List.of("avgpool_pad"),
        Attr.ints("kernel_shape", 3, 3), Attr.ints("pads", 1, 1, 1, 1), Attr.i("count_include_pad", 1))
        .output("avgpool_pad");
    b.namedNode("GlobalAvg", "GlobalAveragePool", List.of("x"), List.of("gap")).output("gap");
    b.namedNode("GlobalMax", "GlobalMaxPool", List.of("x"), List.of("gmp")).output("gmp");

    b.initializer("bn_scale", Tensors.random(5, 6)).initializer("bn_bias", Tensors.random(6, 6))
        .initializer("bn_mean", Tensors.random(7, 6)).initializer("bn_var", Tensors.uniform(8, 0.5f, 2f, 6));
    b.namedNode("BN", "BatchNormalization", List.of("x", "bn_scale", "bn_bias", "bn_mean", "bn_var"),
        List.of("bn"), Attr.f("epsilon", 1e-3f)).output("bn");
    b.namedNode("SoftmaxChannels", "Softmax", List.of("x"), List.of("softmax"), Attr.i("axis", 1)).output("softmax");

    b.namedNode("Flatten", "Flatten", List.of("x"), List.of("flat"));
    b.initializer("fc_w", Tensors.random(9, 378, 20)).initializer("fc_b", Tensors.random(10, 20));
    b.namedNode("GemmRows", "Gemm", List.of("flat", "fc_w", "fc_b"), List.of("gemm_rows")).output("gemm_rows");
    b.initializer("tiled_w", Tensors.random(11, 30, 40)).initializer("tiled_c", Tensors.random(12, 30));
    b.namedNode("GemmTiledTransB", "Gemm", List.of("y", "tiled_w", "tiled_c"), List.of("gemm_trans_b"),
        Attr.i("transB", 1), Attr.f("alpha", 0.5f), Attr.f("beta", 2f)).output("gemm_trans_b");
    b.initializer("at_w", Tensors.random(13, 24, 17)).initializer("at_c", Tensors.random(14, 40, 1));
    b.namedNode("GemmTiledTransA", "Gemm", List.of("y", "at_w", "at_c"), List.of("gemm_trans_a"),
        Attr.i("transA", 1)).output("gemm_trans_a");
    return b.importGraph();
  }

  private static Map<String, float[]> inputs(Graph graph) {
    Map<String, float[]> in = new TreeMap<>();
    graph.inputs().forEach(v -> in.put(v.name(),
        Tensors.uniform(v.name().hashCode(), 0.1f, 2f, v.type().shape().dims()).toFloatArray()));
    if (in.containsKey("x")) {
      // Negative values too, but away from 0 where Sqrt and Reciprocal are steep.
      float[] x = Tensors.random(42, graph.type("x").shape().dims()).toFloatArray();
      in.put("x", x);
    }
    return in;
  }

  private static void check(Graph graph, String what) {
    check(compile(graph), graph, what);
  }

  private static void check(CompileResult result, Graph graph, String what) {
    Map<String, float[]> in = inputs(graph);
    Map<String, float[]> expected = cpu(graph, in);
    // The device program's CPU twin first: the same algorithms and layouts, no device needed.
    assertOutputsClose(expected, cpu(result.program(), in), 1e-4, what + " (device program on the CPU)");
    try (OpenClModel model = load(result)) {
      assertOutputsClose(expected, model.run(in), 1e-4, what + " (OpenCL)");
    }
  }

  /**
   * With Winograd forced where it can run, so both device algorithms are checked whatever the
   * estimate would choose on these small layers.
   */
  @Test
  void convolutionsMatchTheCpuProgram() {
    Graph graph = convolutions();
    check(OpenClBackend.compile(graph, WINOGRAD_WHERE_IT_RUNS), graph, "convolutions");
  }

  /**
   * On these 8-channel layers of 13×11 maps the estimate keeps every layer tiled (Winograd's
   * transforms move more than its saved multiplications gain); forcing it reaches the three layers
   * its hard gates admit.
   */
  @Test
  void convolutionAlgorithmsAreTheEstimatesOrTheForcedOnes() {
    assertEquals("{depthwise=cl-tiled, depthwise_5x5_strided=cl-tiled, dilated=cl-tiled, "
        + "five_by_three_uneven_pads=cl-tiled, grouped=cl-tiled, pointwise=cl-tiled, pointwise_strided=cl-tiled, "
        + "strided=cl-tiled, winograd_70_maps_no_bias=cl-tiled, winograd_asymmetric_pads=cl-tiled, "
        + "winograd_pad1=cl-tiled}", algorithms(compile(convolutions())));
    assertEquals("{depthwise=cl-tiled, depthwise_5x5_strided=cl-tiled, dilated=cl-tiled, "
        + "five_by_three_uneven_pads=cl-tiled, grouped=cl-tiled, pointwise=cl-tiled, pointwise_strided=cl-tiled, "
        + "strided=cl-tiled, winograd_70_maps_no_bias=cl-winograd-f2x2, winograd_asymmetric_pads=cl-winograd-f2x2, "
        + "winograd_pad1=cl-winograd-f2x2}",
        algorithms(OpenClBackend.compile(convolutions(), WINOGRAD_WHERE_IT_RUNS)));
  }

  private static String algorithms(CompileResult result) {
    Map<String, String> algorithms = new TreeMap<>();
    result.choices().forEach((layer, choice) -> algorithms.put(layer, choice.kernel().name()));
    return algorithms.toString();
  }

  @Test
  void operatorsMatchTheCpuProgram() {
    check(operators(), "operators");
  }
}
