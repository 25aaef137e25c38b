package dev.kiln.runtime.kernels.conv;

import static dev.kiln.runtime.kernels.conv.ConvKernelChecks.check;
import static dev.kiln.runtime.kernels.conv.ConvKernelChecks.shape;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kiln.runtime.kernels.ConvShape;
import dev.kiln.runtime.kernels.Epilogue;
import dev.kiln.runtime.kernels.KernelTesting;
import dev.kiln.runtime.kernels.reference.ReferenceConv;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import dev.kiln.runtime.kernels.simd.Vectorization;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class DepthwiseConvTest {
  /**
   * A direct sum of k² products, in another order than the float64 oracle's rounding: the bound
   * {@code L · 2^-24 · Σ|w·x|} holds with factor 1 (see {@link ConvKernelChecks#check}).
   */
  private static final double FACTOR = 1;

  /** n, c, h, w, kernel, stride, pads (top, left, bottom, right). */
  static final int[][] SHAPES = {
      {1, 1, 1, 1, 3, 1, 1, 1, 1, 1},
      {1, 3, 1, 1, 5, 2, 2, 2, 2, 2},
      {1, 5, 2, 2, 3, 2, 1, 1, 1, 1},
      {2, 3, 5, 7, 3, 1, 1, 1, 1, 1},
      {1, 17, 13, 11, 3, 2, 1, 1, 1, 1},
      {1, 24, 17, 17, 5, 1, 2, 2, 2, 2},
      {1, 5, 23, 37, 5, 2, 2, 2, 2, 2},
      {1, 3, 19, 41, 3, 1, 0, 0, 0, 0},
      {1, 2, 20, 40, 3, 2, 0, 1, 1, 0},
      {1, 2, 9, 67, 5, 1, 1, 3, 0, 2},
      {1, 1, 3, 113, 3, 2, 1, 1, 1, 1},
      {2, 17, 29, 31, 5, 2, 1, 0, 2, 1},
      {1, 4, 33, 50, 3, 1, 1, 1, 1, 1},
      {1, 3, 7, 7, 5, 1, 4, 4, 4, 4},
      // Taller than one band of padded rows.
      {1, 2, 70, 150, 3, 1, 1, 1, 1, 1},
      {1, 2, 90, 131, 5, 2, 2, 1, 2, 2},
      {1, 3, 200, 20, 3, 2, 1, 1, 0, 0},
      // Whole planes (3×3, stride 1, output as wide as the input, at most 32×32): MobileNet's 7×7,
      // 14×14 and 28×28, padding moved between the sides, one vector or less, 31 wide.
      {1, 37, 7, 7, 3, 1, 1, 1, 1, 1},
      {2, 11, 14, 14, 3, 1, 1, 1, 1, 1},
      {1, 5, 28, 28, 3, 1, 1, 1, 1, 1},
      {1, 9, 9, 13, 3, 1, 0, 2, 2, 0},
      {1, 6, 5, 31, 3, 1, 2, 0, 0, 2},
      {1, 7, 3, 3, 3, 1, 1, 1, 1, 1},
      {1, 4, 32, 31, 3, 1, 1, 1, 1, 1},
      // Whole stride-2 planes from phases (3×3, input at most twice the output, 512 to 1024
      // outputs): MobileNet's 56→28, odd input sides, two rows of top padding with 600 outputs
      // (the last vector partial, the second of its pair); the 200×20 row above qualifies too.
      // MobileNet's 14→7 and 112→56 keep the band path.
      {1, 9, 14, 14, 3, 2, 1, 1, 1, 1},
      {1, 3, 56, 56, 3, 2, 1, 1, 1, 1},
      {1, 2, 112, 112, 3, 2, 1, 1, 1, 1},
      {1, 2, 47, 45, 3, 2, 1, 1, 1, 1},
      {1, 2, 48, 50, 3, 2, 2, 2, 0, 0},
  };

  /** The whole-plane shapes of {@link #SHAPES}, stride 1 and 2, as {n, c, h, w, pads...}. */
  static Stream<int[]> planeShapes() {
    return Stream.of(SHAPES)
        .filter(d -> DepthwiseConv.planeWise(fromRow(d)) || DepthwiseConv.phaseWise(fromRow(d)));
  }

  private static ConvShape fromRow(int[] d) {
    return shape(d[0], d[1], d[2], d[3], d[1], d[4], d[5], d[6], d[7], d[8], d[9], d[1]);
  }

  static Stream<Arguments> cases() {
    List<Arguments> cases = new ArrayList<>();
    int index = 0;
    for (int[] d : SHAPES) {
      ConvShape s = fromRow(d);
      Epilogue[] epilogues = KernelTesting.epilogues(s.outChannels, index);
      cases.add(Arguments.of(s, epilogues[index % epilogues.length], index));
      index++;
    }
    return cases.stream();
  }

  @ParameterizedTest(name = "{0} {1}")
  @MethodSource("cases")
  void matchesFloat64ReferenceOnVectorAndScalarPathsBitIdentically(ConvShape s, Epilogue e,
      int seed) {
    assertTrue(DepthwiseConv.INSTANCE.supports(s), s.toString());
    float[] fast = check(DepthwiseConv.INSTANCE, s, e, FACTOR, seed);
    DepthwiseConv scalar = new DepthwiseConv(new ScalarDepthwiseOps(), new ScalarEpilogueOps());
    float[] slow = check(scalar, s, e, FACTOR, seed);
    KernelTesting.assertIdentical("vector vs scalar depthwise " + s + " " + e,
        ConvKernelChecks.dims(s), slow, fast);
  }

  /**
   * The whole-plane path of this JVM's ops and of the scalar ops against the band path, bit for
   * bit, every epilogue, with the input planes in the middle of an array of NaNs: every vector then
   * takes the vector code (not the scalar twin it uses at the array's ends), and a tap the masks
   * should cut, or a mask that cuts a tap it should not, shows in the output.
   */
  @ParameterizedTest(name = "{0}")
  @MethodSource("planeShapes")
  void wholePlanesMatchTheBandPathBitForBit(int[] d) {
    ConvShape s = fromRow(d);
    int size = s.batch * s.inChannels * s.inH * s.inW;
    int offset = 3 * s.inW + 40;
    float[] in = KernelTesting.random(5, size);
    float[] nanAround = new float[size + 2 * offset];
    java.util.Arrays.fill(nanAround, Float.NaN);
    System.arraycopy(in, 0, nanAround, offset, size);
    float[] w = KernelTesting.random(6, s.outChannels * 9);
    DepthwiseConv band = new DepthwiseConv(new ScalarDepthwiseOps(), new ScalarEpilogueOps());
    DepthwiseConv scalarPlanes = new DepthwiseConv(new PlanesOf(new ScalarDepthwiseOps()),
        new ScalarEpilogueOps());
    float[] packed = ConvKernelChecks.pack(DepthwiseConv.INSTANCE, s, w);
    for (Epilogue e : KernelTesting.epilogues(s.outChannels, 7)) {
      float[] residual = e.hasResidual()
          ? KernelTesting.random(8, s.batch * s.outChannels * s.outH * s.outW) : null;
      float[] expected = ConvKernelChecks.runAll(band, s, e, in, packed, residual);
      String context = s + " " + e;
      KernelTesting.assertIdentical("this JVM's plane path vs the band path " + context,
          ConvKernelChecks.dims(s), expected, runAt(DepthwiseConv.INSTANCE, s, e, nanAround, offset,
              packed, residual));
      KernelTesting.assertIdentical("scalar plane path vs the band path " + context,
          ConvKernelChecks.dims(s), expected, runAt(scalarPlanes, s, e, in, 0, packed, residual));
    }
  }

  private static float[] runAt(DepthwiseConv k, ConvShape s, Epilogue e, float[] in, int inOff,
      float[] packed, float[] residual) {
    float[] out = new float[s.batch * s.outChannels * s.outH * s.outW];
    // Junk in the workspace (the phase planes' slack) must be masked away, never summed.
    float[] workspace = new float[k.workspaceFloats(s, 1)];
    java.util.Arrays.fill(workspace, Float.NaN);
    k.run(s, e, in, inOff, packed, 0, out, 0, residual, 0, workspace, 0, 0, k.tasks(s), 0);
    return out;
  }

  /** Ops that take whole planes whenever the shape allows it. */
  private record PlanesOf(DepthwiseOps ops) implements DepthwiseOps {
    @Override
    public void row(int k, int stride, float[] in, int inOff, int inStride, float[] w, int wOff,
        int fuse, float bias, float lo, float hi, float[] out, int outOff, int count) {
      ops.row(k, stride, in, inOff, inStride, w, wOff, fuse, bias, lo, hi, out, outOff, count);
    }

    @Override
    public boolean wholePlanes() {
      return true;
    }

    @Override
    public void plane(ConvShape s, float[] in, int inOff, float[] w, int wOff, float[] masks,
        int masksOff, int fuse, float bias, float lo, float hi, float[] out, int outOff) {
      ops.plane(s, in, inOff, w, wOff, masks, masksOff, fuse, bias, lo, hi, out, outOff);
    }

    @Override
    public void phasePlane(ConvShape s, float[] in, int inOff, float[] w, int wOff, float[] masks,
        int masksOff, float[] scratch, int scratchOff, int fuse, float bias, float lo, float hi,
        float[] out, int outOff) {
      ops.phasePlane(s, in, inOff, w, wOff, masks, masksOff, scratch, scratchOff, fuse, bias, lo,
          hi, out, outOff);
    }
  }

  @Test
  void wholePlanesWhereTheShapeAndTheVectorsAllowThem() {
    assertTrue(DepthwiseConv.planeWise(shape(1, 8, 7, 7, 8, 3, 1, 1, 1, 1, 1, 8)));
    assertTrue(DepthwiseConv.planeWise(shape(1, 8, 28, 28, 8, 3, 1, 1, 1, 1, 1, 8)));
    assertTrue(DepthwiseConv.planeWise(shape(1, 8, 9, 13, 8, 3, 1, 0, 2, 2, 0, 8)));
    assertFalse(DepthwiseConv.planeWise(shape(1, 8, 14, 14, 8, 5, 1, 2, 2, 2, 2, 8)), "5x5");
    assertFalse(DepthwiseConv.planeWise(shape(1, 8, 14, 14, 8, 3, 2, 1, 1, 1, 1, 8)), "stride 2");
    assertFalse(DepthwiseConv.planeWise(shape(1, 8, 14, 14, 8, 3, 1, 0, 0, 0, 0, 8)),
        "narrower output than input");
    assertFalse(DepthwiseConv.planeWise(shape(1, 8, 56, 56, 8, 3, 1, 1, 1, 1, 1, 8)), "row-wise");
    assertFalse(DepthwiseConv.planeWise(shape(1, 8, 40, 30, 8, 3, 1, 1, 1, 1, 1, 8)),
        "more than 1024 outputs");
    ConvShape s = shape(1, 8, 14, 14, 8, 3, 1, 1, 1, 1, 1, 8);
    assertEquals(8 * 9 + 13 * 9, DepthwiseConv.INSTANCE.packedWeightFloats(s),
        "weights and a mask per tap per 16 outputs");
    assertEquals(Vectorization.get().vectorFloats() == FlatTaps.LANES,
        DepthwiseOps.get().wholePlanes());
  }

  @Test
  void phasePlanesWhereTheStrideTwoShapeAllowsThem() {
    assertTrue(DepthwiseConv.phaseWise(shape(1, 8, 56, 56, 8, 3, 2, 1, 1, 1, 1, 8)));
    assertTrue(DepthwiseConv.phaseWise(shape(1, 8, 47, 45, 8, 3, 2, 1, 1, 1, 1, 8)), "odd sides");
    assertFalse(DepthwiseConv.phaseWise(shape(1, 8, 28, 28, 8, 3, 2, 1, 1, 1, 1, 8)),
        "fewer than 512 outputs");
    assertFalse(DepthwiseConv.phaseWise(shape(1, 8, 112, 112, 8, 3, 2, 1, 1, 1, 1, 8)),
        "more than 1024 outputs");
    assertFalse(DepthwiseConv.phaseWise(shape(1, 8, 56, 56, 8, 5, 2, 2, 2, 2, 2, 8)), "5x5");
    assertFalse(DepthwiseConv.phaseWise(shape(1, 8, 56, 56, 8, 3, 2, 0, 0, 0, 0, 8)),
        "input rows beyond twice the output's");
    assertFalse(DepthwiseConv.phaseWise(shape(1, 8, 56, 56, 8, 3, 1, 1, 1, 1, 1, 8)), "stride 1");
    ConvShape s = shape(1, 8, 56, 56, 8, 3, 2, 1, 1, 1, 1, 8);
    assertEquals(8 * 9 + 50 * 9, DepthwiseConv.INSTANCE.packedWeightFloats(s),
        "weights and a mask per tap per 16 outputs, for an even number of vectors (784 -> 50)");
  }

  @Test
  void everyEpilogueAndTheFloatReferenceKernel() {
    ConvShape s = shape(2, 6, 19, 21, 6, 3, 2, 1, 1, 1, 1, 6);
    for (Epilogue e : KernelTesting.epilogues(s.outChannels, 5)) {
      check(DepthwiseConv.INSTANCE, s, e, FACTOR, 3);
    }
    // And against the float32 reference kernel the compiler folds constants with.
    float[] in = KernelTesting.random(1, s.batch * s.inChannels * s.inH * s.inW);
    float[] w = KernelTesting.random(2, s.outChannels * 9);
    float[] expected = new float[s.batch * s.outChannels * s.outH * s.outW];
    ReferenceConv.conv2d(s, in, 0, w, 0, null, 0, expected, 0);
    float[] got = ConvKernelChecks.runAll(DepthwiseConv.INSTANCE, s, Epilogue.NONE, in,
        ConvKernelChecks.pack(DepthwiseConv.INSTANCE, s, w), null);
    double[] mag = KernelTesting.conv64(s, in, w, true);
    double[] tol = new double[mag.length];
    for (int i = 0; i < tol.length; i++) {
      tol[i] = 2 * 9 * KernelTesting.FLOAT_EPS * mag[i];
    }
    KernelTesting.assertClose("depthwise vs ReferenceConv " + s, ConvKernelChecks.dims(s),
        expected, got, tol);
  }

  @Test
  void anyStaticThreadSplitGivesBitIdenticalOutput() {
    ConvShape s = shape(2, 7, 15, 22, 7, 5, 2, 2, 2, 2, 2, 7);
    Epilogue e = KernelTesting.epilogues(s.outChannels, 3)[3];
    float[] in = KernelTesting.random(1, s.batch * s.inChannels * s.inH * s.inW);
    float[] w = KernelTesting.random(2, s.outChannels * 25);
    float[] residual = KernelTesting.random(3, s.batch * s.outChannels * s.outH * s.outW);
    DepthwiseConv k = DepthwiseConv.INSTANCE;
    float[] packed = ConvKernelChecks.pack(k, s, w);
    float[] one = ConvKernelChecks.runSplit(k, s, e, in, packed, residual, 1, new int[] {0});
    int[][] orders = {{1, 0}, {2, 0, 1}, {7, 3, 5, 1, 0, 6, 2, 4}};
    for (int[] order : orders) {
      KernelTesting.assertIdentical("depthwise " + s + " on " + order.length + " workers",
          ConvKernelChecks.dims(s), one,
          ConvKernelChecks.runSplit(k, s, e, in, packed, residual, order.length, order));
    }
  }

  @Test
  void gates() {
    DepthwiseConv k = DepthwiseConv.INSTANCE;
    assertTrue(k.supports(shape(1, 8, 9, 9, 8, 3, 1, 1, 1, 1, 1, 8)));
    assertTrue(k.supports(shape(1, 8, 9, 9, 8, 5, 2, 2, 2, 2, 2, 8)));
    assertFalse(k.supports(shape(1, 8, 9, 9, 8, 3, 1, 1, 1, 1, 1, 1)), "not grouped");
    assertFalse(k.supports(shape(1, 8, 9, 9, 16, 3, 1, 1, 1, 1, 1, 8)), "channel multiplier 2");
    assertFalse(k.supports(shape(1, 8, 9, 9, 8, 7, 1, 3, 3, 3, 3, 8)), "7x7");
    assertFalse(k.supports(shape(1, 8, 9, 9, 8, 3, 3, 1, 1, 1, 1, 8)), "stride 3");
    assertFalse(k.supports(new ConvShape(1, 8, 9, 9, 8, 5, 5, 3, 3, 1, 1, 0, 0, 0, 0, 2, 2, 8)),
        "dilation 2");
    assertEquals("depthwise", k.name());
    ConvShape small = shape(1, 8, 9, 9, 8, 3, 1, 1, 1, 1, 1, 8);
    assertEquals(4 * k.workspaceFloats(small, 1), k.workspaceFloats(small, 4));
    // Scratch is a band of rows, not the plane.
    assertEquals(k.workspaceFloats(shape(1, 8, 2000, 300, 8, 3, 1, 1, 1, 1, 1, 8), 1),
        k.workspaceFloats(shape(1, 8, 4000, 300, 8, 3, 1, 1, 1, 1, 1, 8), 1));
  }

  @Test
  void usesTheVectorApiExactlyWhenVectorized() {
    assertEquals(Vectorization.get().vectorized() ? "VectorDepthwiseOps" : "ScalarDepthwiseOps",
        DepthwiseOps.get().getClass().getSimpleName());
  }
}
