package dev.kiln.runtime.kernels.fast;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.kiln.runtime.kernels.ConvShape;
import dev.kiln.runtime.kernels.KernelTesting;
import dev.kiln.runtime.kernels.reference.ReferenceBinary;
import dev.kiln.runtime.kernels.reference.ReferencePool;
import dev.kiln.runtime.kernels.fast.ResizeOracle.CoordinateMode;
import dev.kiln.runtime.kernels.fast.ResizeOracle.NearestMode;
import dev.kiln.runtime.kernels.reference.ReferenceSoftmax;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import dev.kiln.runtime.kernels.simd.Vectorization;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class FastKernelsTest {
  /** Data with the values max and sums are sensitive to: signed zeros, infinities, NaN, ties. */
  private static float[] awkward(long seed, int size) {
    float[] a = KernelTesting.random(seed, size, -4, 4);
    float[] special = {0f, -0f, Float.NEGATIVE_INFINITY, 1f, 1f, -0f, 0f, Float.NaN};
    for (int i = 0; i < size; i += 7) {
      a[i] = special[(i / 7) % special.length];
    }
    return a;
  }

  /** n, c, h, w, kernel, stride, pads (top, left, bottom, right), ceil mode. */
  static Stream<Arguments> pools() {
    int[][] shapes = {
        {1, 1, 1, 1, 2, 2, 0, 0, 0, 0, 1},
        {1, 3, 5, 7, 2, 2, 0, 0, 0, 0, 0},
        {1, 3, 5, 7, 2, 2, 0, 0, 0, 0, 1},
        {2, 5, 13, 11, 3, 2, 1, 1, 1, 1, 0},
        {1, 17, 17, 17, 3, 1, 1, 1, 1, 1, 0},
        {1, 4, 112, 112, 3, 2, 1, 1, 1, 1, 0},
        {1, 2, 9, 10, 3, 2, 0, 1, 2, 0, 1},
        {1, 2, 4, 31, 3, 1, 0, 0, 0, 0, 0},
        {1, 1, 2, 2, 3, 1, 1, 1, 1, 1, 1},
        {1, 3, 23, 29, 2, 1, 0, 1, 1, 0, 0},
        {1, 2, 6, 40, 5, 2, 2, 3, 4, 2, 1},
        // 3×3/2 interiors whose rows share input rows: SqueezeNet's 55→27 in ceil mode (its last
        // row and column reach past the input), 34 outputs a row (two whole vectors and a tail),
        // a single interior row, and one whose second vector would read past the end of the input
        // (32 outputs from 65 columns in the last row of the array: it must go to the tail).
        {1, 3, 55, 55, 3, 2, 0, 0, 0, 0, 1},
        {2, 2, 37, 70, 3, 2, 0, 0, 0, 0, 0},
        {1, 2, 3, 70, 3, 2, 0, 0, 0, 0, 0},
        {1, 1, 3, 65, 3, 2, 0, 0, 0, 0, 0},
    };
    List<Arguments> cases = new ArrayList<>();
    for (int[] d : shapes) {
      int outH = outSize(d[2], d[4], d[5], d[6], d[8], d[10] == 1);
      int outW = outSize(d[3], d[4], d[5], d[7], d[9], d[10] == 1);
      cases.add(Arguments.of(new ConvShape(d[0], d[1], d[2], d[3], d[1], outH, outW, d[4], d[4],
          d[5], d[5], d[6], d[7], d[8], d[9], 1, 1, d[1]), d[10] == 1));
    }
    return cases.stream();
  }

  /** ONNX pooling output size; in ceil mode a last window must start inside the padded input. */
  private static int outSize(int in, int k, int s, int begin, int end, boolean ceil) {
    int span = in + begin + end - k;
    int out = (ceil ? (span + s - 1) / s : span / s) + 1;
    if (ceil && (out - 1) * s >= in + begin) {
      out--;
    }
    return out;
  }

  private static int[] dims(ConvShape s) {
    return new int[] {s.batch, s.outChannels, s.outH, s.outW};
  }

  @ParameterizedTest(name = "{0} ceil {1}")
  @MethodSource("pools")
  void maxPoolMatchesReferenceBitForBit(ConvShape s, boolean ceil) {
    float[] in = awkward(1, s.batch * s.inChannels * s.inH * s.inW);
    float[] expected = new float[s.batch * s.outChannels * s.outH * s.outW];
    float[] got = new float[expected.length];
    ReferencePool.maxPool2d(s, in, 0, expected, 0);
    Pooling.maxPool2d(s, in, 0, got, 0);
    KernelTesting.assertIdentical("maxPool2d " + s, dims(s), expected, got);
  }

  @ParameterizedTest(name = "{0} ceil {1}")
  @MethodSource("pools")
  void averagePoolMatchesReferenceBitForBit(ConvShape s, boolean ceil) {
    float[] in = KernelTesting.random(2, s.batch * s.inChannels * s.inH * s.inW);
    for (boolean includePad : new boolean[] {false, true}) {
      float[] expected = new float[s.batch * s.outChannels * s.outH * s.outW];
      float[] got = new float[expected.length];
      ReferencePool.averagePool2d(s, includePad, in, 0, expected, 0);
      Pooling.averagePool2d(s, includePad, in, 0, got, 0);
      KernelTesting.assertIdentical("averagePool2d " + s + " countIncludePad " + includePad,
          dims(s), expected, got);
    }
  }

  @Test
  void vectorAndScalarPoolRowsAgreeBitForBit() {
    assertEquals(Vectorization.get().vectorized() ? "VectorPoolOps" : "ScalarPoolOps",
        PoolOps.get().getClass().getSimpleName());
    float[] in = awkward(9, 4000);
    for (int stride = 1; stride <= 2; stride++) {
      for (int k = 2; k <= 3; k++) {
        for (int count : new int[] {1, 15, 16, 17, 40}) {
          float[] expected = new float[count];
          float[] got = new float[count];
          new ScalarPoolOps().maxRow(k, k, stride, in, 3, 97, expected, 0, count);
          PoolOps.get().maxRow(k, k, stride, in, 3, 97, got, 0, count);
          KernelTesting.assertIdentical("maxRow k" + k + " s" + stride + " count " + count,
              new int[] {count}, expected, got);
          new ScalarPoolOps().averageRow(k, k, stride, in, 3, 97, k * k, expected, 0, count);
          PoolOps.get().averageRow(k, k, stride, in, 3, 97, k * k, got, 0, count);
          KernelTesting.assertIdentical("averageRow k" + k + " s" + stride + " count " + count,
              new int[] {count}, expected, got);
        }
      }
    }
  }

  @Test
  void globalAveragePoolWithinRoundingOfTheReference() {
    for (int size : new int[] {1, 7, 8, 49, 63, 64, 65, 169, 196, 3136, 12544}) {
      int planes = 5;
      float[] in = KernelTesting.random(size, planes * size, -3, 5);
      float[] expected = new float[planes];
      float[] got = new float[planes];
      ReferencePool.globalAveragePool(planes, size, in, 0, expected, 0);
      Pooling.globalAveragePool(planes, size, in, 0, got, 0);
      double[] tol = new double[planes];
      for (int p = 0; p < planes; p++) {
        double magnitude = 0;
        for (int i = 0; i < size; i++) {
          magnitude += Math.abs(in[p * size + i]);
        }
        // Both sums err by at most (size − 1)·2^-24·Σ|x|; the division adds half an ulp.
        tol[p] = 2 * size * KernelTesting.FLOAT_EPS * magnitude / size;
      }
      KernelTesting.assertClose("globalAveragePool planeSize " + size, new int[] {planes},
          expected, got, tol);
    }
  }

  @Test
  void addMatchesReferenceBitForBitAlsoInPlace() {
    for (int count : new int[] {1, 15, 16, 17, 1000}) {
      float[] a = awkward(3, count + 5);
      float[] b = awkward(4, count + 9);
      float[] expected = new float[count];
      ReferenceBinary.apply(ReferenceBinary.Op.ADD, new int[] {count}, a, 5, new int[] {1},
          b, 9, new int[] {1}, expected, 0);
      float[] got = new float[count + 3];
      Elementwise.add(a, 5, b, 9, got, 3, count);
      KernelTesting.assertIdentical("add " + count, new int[] {count}, expected,
          java.util.Arrays.copyOfRange(got, 3, count + 3));
      // In place, into the first operand, within one arena array.
      float[] arena = new float[2 * count];
      System.arraycopy(a, 5, arena, 0, count);
      System.arraycopy(b, 9, arena, count, count);
      Elementwise.add(arena, 0, arena, count, arena, 0, count);
      KernelTesting.assertIdentical("add in place " + count, new int[] {count}, expected,
          java.util.Arrays.copyOf(arena, count));
      Elementwise.addRelu(a, 5, b, 9, got, 0, count);
      for (int i = 0; i < count; i++) {
        expected[i] = Math.max(expected[i], 0f);
      }
      KernelTesting.assertIdentical("addRelu " + count, new int[] {count}, expected,
          java.util.Arrays.copyOf(got, count));
    }
  }

  @Test
  void softmaxMatchesReferenceBitForBitAlsoInPlace() {
    for (int[] d : new int[][] {{1, 1}, {1, 1000}, {3, 17}, {8, 2}}) {
      int rows = d[0];
      int size = d[1];
      float[] in = KernelTesting.random(size, rows * size + 2, -20, 20);
      in[3 % in.length] = 88f;
      float[] expected = new float[rows * size];
      float[] got = new float[rows * size];
      ReferenceSoftmax.softmax(rows, size, 1, in, 2, expected, 0);
      Softmax.lastAxis(rows, size, in, 2, got, 0);
      KernelTesting.assertIdentical("softmax " + rows + "x" + size, d, expected, got);
      Softmax.lastAxis(rows, size, in, 2, in, 2);
      KernelTesting.assertIdentical("softmax in place " + rows + "x" + size, d, expected,
          java.util.Arrays.copyOfRange(in, 2, 2 + rows * size));
    }
  }

  @Test
  void resize2xMatchesReferenceBitForBit() {
    for (int[] d : new int[][] {{1, 1, 1}, {2, 1, 5}, {3, 3, 7}, {1, 8, 8}, {2, 13, 2}}) {
      int planes = d[0];
      int h = d[1];
      int w = d[2];
      float[] in = awkward(h * w, planes * h * w + 1);
      in[1] = Float.POSITIVE_INFINITY;
      int[] outDims = {planes, 2 * h, 2 * w};
      float[] got = new float[planes * 4 * h * w + 3];
      float[] expected = new float[planes * 4 * h * w];
      Resize.nearest2x(planes, h, w, in, 1, got, 3);
      ResizeOracle.nearest(planes, h, w, 2 * h, 2 * w, CoordinateMode.ASYMMETRIC,
          NearestMode.FLOOR, in, 1, expected, 0);
      KernelTesting.assertIdentical("nearest2x asymmetric/floor " + planes + "x" + h + "x" + w,
          outDims, expected, java.util.Arrays.copyOfRange(got, 3, got.length));
      ResizeOracle.nearest(planes, h, w, 2 * h, 2 * w, CoordinateMode.HALF_PIXEL,
          NearestMode.ROUND_PREFER_FLOOR, in, 1, expected, 0);
      KernelTesting.assertIdentical("nearest2x half_pixel/round_prefer_floor " + h + "x" + w,
          outDims, expected, java.util.Arrays.copyOfRange(got, 3, got.length));
      Resize.bilinear2x(planes, h, w, in, 1, got, 3);
      ResizeOracle.bilinear(planes, h, w, 2 * h, 2 * w, CoordinateMode.HALF_PIXEL, in, 1,
          expected, 0);
      KernelTesting.assertIdentical("bilinear2x half_pixel " + planes + "x" + h + "x" + w,
          outDims, expected, java.util.Arrays.copyOfRange(got, 3, got.length));
    }
  }

  @Test
  void referenceResizeOnKnownValues() {
    float[] in = {1, 2, 3, 4};
    float[] out = new float[16];
    ResizeOracle.bilinear(1, 2, 2, 4, 4, CoordinateMode.HALF_PIXEL, in, 0, out, 0);
    // PyTorch: F.interpolate(x, scale_factor=2, mode='bilinear', align_corners=False)
    float[] torch = {1f, 1.25f, 1.75f, 2f, 1.5f, 1.75f, 2.25f, 2.5f, 2.5f, 2.75f, 3.25f, 3.5f,
        3f, 3.25f, 3.75f, 4f};
    KernelTesting.assertIdentical("bilinear 2x2 -> 4x4", new int[] {4, 4}, torch, out);
    ResizeOracle.bilinear(1, 2, 2, 3, 3, CoordinateMode.ALIGN_CORNERS, in, 0, out, 0);
    assertEquals(2.5f, out[4]);
    ResizeOracle.nearest(1, 2, 2, 3, 3, CoordinateMode.ASYMMETRIC, NearestMode.FLOOR, in, 0,
        out, 0);
    // x_original = x·2/3: 0, 0.67, 1.33 -> 0, 0, 1.
    KernelTesting.assertIdentical("nearest 2x2 -> 3x3", new int[] {3, 3},
        new float[] {1, 1, 2, 1, 1, 2, 3, 3, 4}, java.util.Arrays.copyOf(out, 9));
  }
}
