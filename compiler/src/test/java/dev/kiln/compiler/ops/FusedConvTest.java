package dev.kiln.compiler.ops;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.kiln.compiler.ir.Cost;
import dev.kiln.compiler.ir.CostContext;
import dev.kiln.compiler.ir.Graph;
import dev.kiln.compiler.ir.GraphPrinter;
import dev.kiln.compiler.ir.GraphVerifier;
import dev.kiln.compiler.ir.InferenceContext;
import dev.kiln.compiler.ir.Node;
import dev.kiln.compiler.ir.OpException;
import dev.kiln.compiler.ir.Tensor;
import dev.kiln.compiler.ir.TensorType;
import dev.kiln.compiler.ops.EpilogueStep.ActivationStep;
import dev.kiln.compiler.ops.EpilogueStep.ResidualAddStep;
import dev.kiln.compiler.ops.EpilogueStep.ScaleShiftStep;
import dev.kiln.compiler.testing.TensorAssert;
import dev.kiln.compiler.testing.Tensors;
import dev.kiln.runtime.kernels.Epilogue.Activation;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

class FusedConvTest {
  private static final Conv CONV = new Conv(new Window(List.of(3, 3), List.of(1, 1),
      List.of(1, 1, 1, 1), List.of(), AutoPad.NOTSET, false), 1);

  static Stream<FusedConv> variants() {
    return Stream.of(
        new FusedConv(CONV, false, List.of()),
        new FusedConv(CONV, true, List.of()),
        new FusedConv(CONV, true, List.of(ActivationStep.of(Activation.RELU))),
        new FusedConv(CONV, false, List.of(new ActivationStep(Activation.CLIP, Float.NEGATIVE_INFINITY, 6f))),
        new FusedConv(new Conv(CONV.window(), 2), true, List.of(new ResidualAddStep(),
            new ActivationStep(Activation.LEAKY_RELU, 0.1f, 0f), new ScaleShiftStep())),
        new FusedConv(CONV, true, List.of(new ActivationStep(Activation.X_HARD_SIGMOID, 1f / 6, 0.5f),
            new ScaleShiftStep(), new ScaleShiftStep())));
  }

  @ParameterizedTest
  @MethodSource("variants")
  void attributesRoundTrip(FusedConv op) {
    assertEquals(op, FusedConv.fromAttributes(op.attributes(), 13));
  }

  /** Conv with bias → Add residual → Relu → ScaleShift, op by op, against one fused node. */
  @Test
  void evaluatesLikeTheOperatorsItReplacesBitForBit() {
    Tensor x = Tensors.random(1, 2, 3, 5, 5);
    Tensor w = Tensors.random(2, 4, 3, 3, 3);
    Tensor b = Tensors.random(3, 4);
    Tensor r = Tensors.random(4, 2, 4, 5, 5);
    Tensor s = Tensors.uniform(5, 0.5f, 2f, 4);
    Tensor t = Tensors.random(6, 4);
    TensorType out = TensorType.float32(2, 4, 5, 5);
    TensorType[] outTypes = {out};

    Tensor expected = CONV.evaluate(new Tensor[] {x, w, b}, outTypes)[0];
    expected = new Add().evaluate(new Tensor[] {expected, r}, outTypes)[0];
    expected = new Relu().evaluate(new Tensor[] {expected}, outTypes)[0];
    expected = new ScaleShift().evaluate(new Tensor[] {expected, s, t}, outTypes)[0];

    FusedConv fused = new FusedConv(CONV, true, List.of(new ResidualAddStep(),
        ActivationStep.of(Activation.RELU), new ScaleShiftStep()));
    Tensor actual = fused.evaluate(new Tensor[] {x, w, b, r, s, t}, outTypes)[0];
    TensorAssert.assertBitIdentical(expected, actual, "fused vs op by op");
  }

  @ParameterizedTest
  @MethodSource("variants")
  void theRuntimeEpilogueReadsTheSame(FusedConv op) {
    Tensor[] inputs = new Tensor[op.inputCount()];
    for (int i = 2; i < inputs.length; i++) {
      inputs[i] = Tensors.random(i, 4);
    }
    assertEquals(op.describeEpilogue(), op.epilogue(inputs).toString());
  }

  @Test
  void printsItsEpilogue() {
    Graph g = Graph.builder().name("g").opset(13)
        .addInput("x", TensorType.float32(1, 3, 5, 5))
        .addInput("r", TensorType.float32(1, 4, 5, 5))
        .putConstant("w", Tensors.random(1, 4, 3, 3, 3))
        .putConstant("b", Tensors.random(2, 4))
        .addNode(new Node("conv", new FusedConv(CONV, true, List.of(new ResidualAddStep(),
                ActivationStep.of(Activation.RELU))), List.of("x", "w", "b", "r"), List.of("y")),
            List.of(TensorType.float32(1, 4, 5, 5)))
        .addOutput("y").build();
    GraphVerifier.verify(g);
    String line = GraphPrinter.print(g).lines().filter(l -> l.contains("conv")).findFirst().orElseThrow();
    assertEquals("  %y: float32[1,4,5,5] = kiln.FusedConv 'conv' (%x, %w, %b, %r) {kernel_shape=[3,3],"
        + " strides=[1,1], pads=[1,1,1,1], epilogue=\"BIAS -> ADD_RESIDUAL -> RELU\"}", line);
  }

  @Test
  void checksTheResidualAndScaleShiftInputs() {
    FusedConv op = new FusedConv(CONV, false, List.of(new ResidualAddStep(), new ScaleShiftStep()));
    TensorType x = TensorType.float32(1, 3, 5, 5);
    TensorType w = TensorType.float32(4, 3, 3, 3);
    OpException e = assertThrows(OpException.class, () -> op.inferTypes(context(x, w, null,
        TensorType.float32(1, 4, 3, 3), TensorType.float32(4), TensorType.float32(4))));
    assertEquals("residual float32[1,4,3,3] differs from the output float32[1,4,5,5]", e.getMessage());
    e = assertThrows(OpException.class, () -> op.inferTypes(context(x, w, null,
        TensorType.float32(1, 4, 5, 5), TensorType.float32(4), TensorType.float32(3))));
    assertEquals("scale-shift input 5 is float32[3], expected float32[4] (one per output channel)",
        e.getMessage());
    e = assertThrows(OpException.class, () -> op.inferTypes(context(x, w, null,
        TensorType.float32(1, 4, 5, 5))));
    assertEquals("epilogue ADD_RESIDUAL -> SCALE_SHIFT needs 6 inputs, got 4", e.getMessage());
    e = assertThrows(OpException.class, () -> op.inferTypes(context(x, w, TensorType.float32(4),
        TensorType.float32(1, 4, 5, 5), TensorType.float32(4), TensorType.float32(4))));
    assertEquals("epilogue ADD_RESIDUAL -> SCALE_SHIFT has no bias input", e.getMessage());
  }

  private static InferenceContext context(TensorType... types) {
    return new InferenceContext(types, new Tensor[types.length], 1);
  }

  @Test
  void rejectsASecondResidualAndAnUnknownStep() {
    OpException e = assertThrows(OpException.class, () -> new FusedConv(CONV, true,
        List.of(new ResidualAddStep(), new ResidualAddStep())));
    assertEquals("an epilogue adds at most one residual, got BIAS -> ADD_RESIDUAL -> ADD_RESIDUAL",
        e.getMessage());
    e = assertThrows(OpException.class, () -> FusedConv.fromAttributes(
        dev.kiln.compiler.ir.Attributes.builder().putString("epilogue", "BIAS -> SWISH").build(), 13));
    assertEquals("epilogue 'BIAS -> SWISH': cannot read step 'SWISH'", e.getMessage());
  }

  @Test
  void costsTheConvPlusEachStepPerOutput() {
    TensorType x = TensorType.float32(1, 3, 5, 5);
    TensorType w = TensorType.float32(4, 3, 3, 3);
    TensorType b = TensorType.float32(4);
    TensorType y = TensorType.float32(1, 4, 5, 5);
    Cost conv = CONV.cost(new CostContext(new TensorType[] {x, w, b},
        new boolean[] {false, true, true}, new TensorType[] {y}));
    FusedConv fused = new FusedConv(CONV, true, List.of(new ResidualAddStep(),
        ActivationStep.of(Activation.RELU)));
    Cost cost = fused.cost(new CostContext(new TensorType[] {x, w, b, y},
        new boolean[] {false, true, true, false}, new TensorType[] {y}));
    assertEquals(conv.flops() + 2L * y.elementCount(), cost.flops());
    assertEquals(conv.bytesRead() + y.byteSize(), cost.bytesRead());
  }
}
