package dev.kiln.compiler.codegen.opencl;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kiln.compiler.ir.Shape;
import dev.kiln.compiler.ir.Tensor;
import dev.kiln.compiler.testing.TensorAssert;
import dev.kiln.compiler.testing.Tensors;
import dev.kiln.runtime.kernels.ConvShape;
import dev.kiln.runtime.kernels.Epilogue;
import dev.kiln.runtime.kernels.reference.ReferenceConv;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The device Winograd's weight transform and layouts, checked on the CPU (no device needed): its
 * {@code run} is the device algorithm step for step, so agreeing with the reference convolution over
 * awkward sizes shows that U, V, M and the tile walk are right.
 */
class ClWinogradConvTest {
  static Stream<Arguments> shapes() {
    // batch, channels, height, width, maps, pads (top, left, bottom, right)
    return Stream.of(
        Arguments.of(1, 1, 4, 4, 1, 0, 0, 0, 0),
        Arguments.of(1, 3, 5, 7, 2, 1, 1, 1, 1),
        Arguments.of(2, 5, 9, 6, 7, 1, 0, 0, 1),
        Arguments.of(1, 8, 1, 13, 3, 1, 1, 1, 1),
        Arguments.of(1, 17, 11, 3, 19, 0, 2, 2, 0));
  }

  @ParameterizedTest
  @MethodSource("shapes")
  void matchesTheReferenceConvolution(int n, int c, int h, int w, int m, int pt, int pl, int pb, int pr) {
    int oh = ConvShape.outputSize(h, 3, 1, pt, pb, 1);
    int ow = ConvShape.outputSize(w, 3, 1, pl, pr, 1);
    ConvShape s = new ConvShape(n, c, h, w, m, oh, ow, 3, 3, 1, 1, pt, pl, pb, pr, 1, 1, 1);
    assertTrue(ClWinogradConv.INSTANCE.supports(s));
    float[] in = Tensors.random(11, n, c, h, w).toFloatArray();
    float[] weights = Tensors.random(12, m, c, 3, 3).toFloatArray();
    float[] expected = new float[n * m * oh * ow];
    ReferenceConv.conv2d(s, in, 0, weights, 0, null, 0, expected, 0);

    float[] packed = new float[ClWinogradConv.INSTANCE.packedWeightFloats(s) + 5];
    ClWinogradConv.INSTANCE.packWeights(s, weights, 0, packed, 5);
    float[] workspace = new float[ClWinogradConv.INSTANCE.workspaceFloats(s, 1) + 3];
    float[] actual = new float[expected.length + 2];
    ClWinogradConv.INSTANCE.run(s, Epilogue.NONE, in, 0, packed, 5, actual, 2, null, 0, workspace, 3,
        0, ClWinogradConv.INSTANCE.tasks(s), 0);
    float[] trimmed = java.util.Arrays.copyOfRange(actual, 2, actual.length);
    TensorAssert.assertClose(Tensor.adopt(Shape.of(expected.length), expected),
        Tensor.adopt(Shape.of(trimmed.length), trimmed), 1e-5 * c * 9, s.toString());
  }

  @ParameterizedTest
  @MethodSource("shapes")
  void packsSixteenFloatsPerChannelPairAndPlansBothTransformBuffers(int n, int c, int h, int w, int m,
      int pt, int pl, int pb, int pr) {
    int oh = ConvShape.outputSize(h, 3, 1, pt, pb, 1);
    int ow = ConvShape.outputSize(w, 3, 1, pl, pr, 1);
    ConvShape s = new ConvShape(n, c, h, w, m, oh, ow, 3, 3, 1, 1, pt, pl, pb, pr, 1, 1, 1);
    int tiles = n * ((oh + 1) / 2) * ((ow + 1) / 2);
    assertEquals(16 * m * c, ClWinogradConv.INSTANCE.packedWeightFloats(s));
    assertEquals(16 * (c + m) * tiles, ClWinogradConv.INSTANCE.workspaceFloats(s, 1));
  }

  @ParameterizedTest
  @MethodSource("gates")
  void gatesRefuseWhatF2x2CannotCompute(ConvShape s) {
    assertFalse(ClWinogradConv.INSTANCE.supports(s), s.toString());
    assertTrue(ClTiledConv.INSTANCE.supports(s), s.toString());
  }

  /** Stride 2, dilation 2, 1×1, two groups, depthwise. */
  static Stream<ConvShape> gates() {
    return Stream.of(
        new ConvShape(1, 8, 9, 9, 8, 4, 4, 3, 3, 2, 2, 0, 0, 0, 0, 1, 1, 1),
        new ConvShape(1, 8, 9, 9, 8, 5, 5, 3, 3, 1, 1, 0, 0, 0, 0, 2, 2, 1),
        new ConvShape(1, 8, 9, 9, 8, 9, 9, 1, 1, 1, 1, 0, 0, 0, 0, 1, 1, 1),
        new ConvShape(1, 8, 9, 9, 8, 7, 7, 3, 3, 1, 1, 0, 0, 0, 0, 1, 1, 2),
        new ConvShape(1, 8, 9, 9, 8, 7, 7, 3, 3, 1, 1, 0, 0, 0, 0, 1, 1, 8));
  }
}
