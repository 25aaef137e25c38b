package dev.kiln.compiler.codegen.opencl;

import static dev.kiln.compiler.codegen.opencl.OpenClTesting.assertOutputsClose;
import static dev.kiln.compiler.codegen.opencl.OpenClTesting.cpu;
import static dev.kiln.compiler.codegen.opencl.OpenClTesting.load;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kiln.compiler.api.CompileResult;
import dev.kiln.compiler.lower.ConvChoice;
import dev.kiln.compiler.lower.EpilogueSpec;
import dev.kiln.compiler.lower.EpilogueSpec.Activation;
import dev.kiln.compiler.lower.EpilogueSpec.ResidualAdd;
import dev.kiln.compiler.lower.EpilogueSpec.ScaleShift;
import dev.kiln.compiler.lower.FusedConvPrograms;
import dev.kiln.compiler.lower.FusedConvPrograms.Variant;
import dev.kiln.compiler.testing.Tensors;
import dev.kiln.runtime.kernels.Epilogue;
import dev.kiln.runtime.opencl.OpenClModel;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Fused epilogues on the device against runtime-min's {@link Epilogue} (which the CPU program
 * builds from the same {@link EpilogueSpec}): every activation, the residual add and the
 * scale-shift, after each of the three places an epilogue is generated (the tiled GEMM's store,
 * the depthwise kernel, Winograd's output transform).
 */
class OpenClEpilogueTest {
  private static final ConvChoice TILED = new ConvChoice(ClTiledConv.INSTANCE, ClTiledConv.class, "INSTANCE", "test");
  private static final ConvChoice WINOGRAD =
      new ConvChoice(ClWinogradConv.INSTANCE, ClWinogradConv.class, "INSTANCE", "test");

  private static Activation act(Epilogue.Activation kind, float alpha, float beta) {
    return new Activation(kind, alpha, beta);
  }

  private static Activation act(Epilogue.Activation kind) {
    return act(kind, 0f, 0f);
  }

  static List<Variant> variants() {
    ScaleShift scaleShift = new ScaleShift(0, 0);
    return List.of(
        new Variant("resnet_block", TILED, false, false, List.of(new ResidualAdd(), act(Epilogue.Activation.RELU))),
        new Variant("relu_residual_scale", TILED, false, true,
            List.of(act(Epilogue.Activation.RELU), new ResidualAdd(), scaleShift)),
        new Variant("relu6_residual", WINOGRAD, false, true,
            List.of(act(Epilogue.Activation.CLIP, 0f, 6f), new ResidualAdd())),
        new Variant("leaky_scale_sigmoid", TILED, true, true,
            List.of(act(Epilogue.Activation.LEAKY_RELU, 0.1f, 0f), scaleShift, act(Epilogue.Activation.SIGMOID))),
        new Variant("hard_sigmoid_hard_swish", TILED, false, true,
            List.of(act(Epilogue.Activation.HARD_SIGMOID, 0.2f, 0.5f), act(Epilogue.Activation.HARD_SWISH))),
        new Variant("silu_xhardsigmoid_tanh", WINOGRAD, false, true,
            List.of(act(Epilogue.Activation.SILU), act(Epilogue.Activation.X_HARD_SIGMOID, 1f / 6f, 0.5f),
                act(Epilogue.Activation.TANH))),
        new Variant("depthwise_relu6_residual", TILED, true, false,
            List.of(act(Epilogue.Activation.CLIP, 0f, 6f), new ResidualAdd(), scaleShift)));
  }

  @Test
  void everyStepMatchesTheRuntimeEpilogue() {
    CompileResult result = FusedConvPrograms.build(variants());
    Map<String, float[]> in = Map.of(
        "x", Tensors.random(1, 1, 8, 10, 9).toFloatArray(),
        "r", Tensors.random(2, 1, 8, 10, 9).toFloatArray());
    Map<String, float[]> expected = cpu(result.program(), in);
    try (OpenClModel model = load(result)) {
      assertOutputsClose(expected, model.run(in), 1e-5, "fused epilogues");
    }
    // The epilogues must have done something: a plain conv differs from every fused one.
    Map<String, float[]> plain = cpu(FusedConvPrograms.build(List.of(
        new Variant("resnet_block", TILED, false, false, List.of()))).program(), in);
    float[] fused = expected.get("y_resnet_block");
    float[] unfused = plain.get("y_resnet_block");
    boolean differs = false;
    for (int i = 0; i < fused.length; i++) {
      differs |= Math.abs(fused[i] - unfused[i]) > 1e-3;
    }
    assertTrue(differs, "the residual + ReLU epilogue changed nothing");
  }

  @Test
  void generatedCodeAppliesTheStepsInOrder() {
    String source = OpenClBackend.generate(FusedConvPrograms.build(List.of(variants().get(1))), "T").source();
    int bias = source.indexOf("v += weights[biasOffset + ch];");
    int relu = source.indexOf("v = kiln_relu(v);", bias);
    int residual = source.indexOf("v += arena[residualOffset + idx];", relu);
    int scale = source.indexOf("v = v * weights[scaleOffset0 + ch] + weights[shiftOffset0 + ch];", residual);
    assertTrue(bias > 0 && relu > bias && residual > relu && scale > residual, source);
  }
}
