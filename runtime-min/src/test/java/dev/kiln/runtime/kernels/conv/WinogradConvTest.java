package dev.kiln.runtime.kernels.conv;

import static dev.kiln.runtime.kernels.conv.ConvKernelChecks.check;
import static dev.kiln.runtime.kernels.conv.ConvKernelChecks.shape;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kiln.runtime.kernels.ConvShape;
import dev.kiln.runtime.kernels.Epilogue;
import dev.kiln.runtime.kernels.KernelTesting;
import dev.kiln.runtime.kernels.VectorSupport;
import java.lang.invoke.MethodHandles;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class WinogradConvTest {
  /**
   * Error allowance relative to the worst-case bound of a float32 dot product (see {@link
   * ConvKernelChecks#check}). Winograd's error grows with its transforms' coefficients: F(2,3)'s are
   * 0, ±1/2, ±1, F(4,3)'s reach 8 and 1/24, F(6,3)'s 32, 21/4 and 1/90. Over these shapes and the
   * ResNet-like ones of the numerics study the largest ratio seen was 0.23 (F2), 2.3 (F4) and 6.1
   * (F6); the factors leave about 2× headroom (docs/conv-algorithms.md).
   */
  static double factor(int tile) {
    switch (tile) {
      case 2: return 0.5;
      case 4: return 5;
      case 6: return 16;
      default: throw new AssertionError(tile);
    }
  }

  static List<WinogradConv> vectorKernels() {
    return List.of(WinogradConv.F2, WinogradConv.F4, WinogradConv.F6);
  }

  static List<WinogradConv> scalarKernels() {
    ScalarWinogradOps scalar = new ScalarWinogradOps();
    ScalarEpilogueOps epilogue = new ScalarEpilogueOps();
    return List.of(new WinogradConv(2, true, scalar, epilogue),
        new WinogradConv(4, true, scalar, epilogue), new WinogradConv(6, true, scalar, epilogue));
  }

  /** n, c, h, w, m, pads (top, left, bottom, right). */
  static final int[][] SHAPES = {
      {1, 1, 1, 1, 1, 1, 1, 1, 1},
      {1, 3, 3, 3, 1, 0, 0, 0, 0},
      {1, 1, 2, 2, 5, 1, 1, 1, 1},
      {1, 5, 5, 7, 3, 1, 1, 1, 1},
      {2, 3, 7, 7, 17, 1, 1, 1, 1},
      {1, 17, 13, 11, 5, 1, 1, 1, 1},
      {1, 24, 8, 8, 24, 1, 1, 1, 1},
      {1, 5, 23, 5, 9, 0, 0, 0, 0},
      {1, 3, 11, 13, 8, 0, 2, 1, 0},
      {1, 17, 17, 17, 33, 1, 1, 1, 1},
      {1, 1, 1, 29, 2, 1, 1, 1, 1},
      {1, 2, 37, 3, 3, 1, 0, 1, 2},
      {1, 24, 30, 30, 40, 1, 1, 1, 1},
      {2, 9, 19, 41, 7, 1, 1, 1, 1},
      {1, 300, 9, 9, 12, 1, 1, 1, 1},
      {1, 64, 14, 14, 72, 1, 1, 1, 1},
  };

  static Stream<Arguments> cases() {
    List<Arguments> cases = new ArrayList<>();
    int index = 0;
    for (int[] d : SHAPES) {
      ConvShape s = shape(d[0], d[1], d[2], d[3], d[4], 3, 1, d[5], d[6], d[7], d[8], 1);
      Epilogue[] epilogues = KernelTesting.epilogues(s.outChannels, index);
      for (int tile : new int[] {2, 4, 6}) {
        cases.add(Arguments.of(tile, s, epilogues[index % epilogues.length], index));
        index++;
      }
    }
    return cases.stream();
  }

  @ParameterizedTest(name = "F({0},3) {1} {2}")
  @MethodSource("cases")
  void matchesFloat64ReferenceOnVectorAndScalarPathsBitIdentically(int tile, ConvShape s,
      Epilogue e, int seed) {
    WinogradConv vector = vectorKernels().get(tile / 2 - 1);
    WinogradConv scalar = scalarKernels().get(tile / 2 - 1);
    assertTrue(vector.supports(s), s.toString());
    float[] fast = check(vector, s, e, factor(tile), seed);
    float[] slow = check(scalar, s, e, factor(tile), seed);
    KernelTesting.assertIdentical("vector vs scalar " + vector.name() + " " + s + " " + e,
        ConvKernelChecks.dims(s), slow, fast);
  }

  @Test
  void everyEpilogueOnEveryAlgorithm() {
    ConvShape s = shape(2, 6, 9, 10, 11, 3, 1, 1, 1, 1, 1, 1);
    Epilogue[] epilogues = KernelTesting.epilogues(s.outChannels, 7);
    for (WinogradConv k : vectorKernels()) {
      for (int i = 0; i < epilogues.length; i++) {
        check(k, s, epilogues[i], factor(k.tileSize()), 100 + i);
      }
    }
  }

  @Test
  void anyStaticThreadSplitGivesBitIdenticalOutput() {
    // Big enough that every algorithm splits it into tile blocks and output-channel groups.
    ConvShape s = shape(1, 12, 45, 41, 520, 3, 1, 1, 1, 1, 1, 1);
    Epilogue e = KernelTesting.epilogues(s.outChannels, 3)[3];
    float[] in = KernelTesting.random(1, s.batch * s.inChannels * s.inH * s.inW);
    float[] w = KernelTesting.random(2, s.outChannels * s.inChannels * 9);
    float[] residual = KernelTesting.random(3, s.batch * s.outChannels * s.outH * s.outW);
    for (WinogradConv k : vectorKernels()) {
      float[] packed = ConvKernelChecks.pack(k, s, w);
      assertTrue(k.tasks(s) >= 4, k.name() + " splits " + s + " into " + k.tasks(s) + " tasks");
      float[] one = ConvKernelChecks.runSplit(k, s, e, in, packed, residual, 1, new int[] {0});
      int[][] orders = {{1, 0}, {2, 0, 1}, {7, 3, 5, 1, 0, 6, 2, 4}};
      for (int[] order : orders) {
        float[] split = ConvKernelChecks.runSplit(k, s, e, in, packed, residual, order.length, order);
        KernelTesting.assertIdentical(k.name() + " " + s + " on " + order.length + " workers",
            ConvKernelChecks.dims(s), one, split);
      }
    }
  }

  @Test
  void gatesAre3x3Stride1Dilation1Ungrouped() {
    WinogradConv k = WinogradConv.F4;
    assertTrue(k.supports(shape(1, 4, 8, 8, 4, 3, 1, 1, 1, 1, 1, 1)));
    assertFalse(k.supports(shape(1, 4, 8, 8, 4, 3, 2, 1, 1, 1, 1, 1)), "stride 2");
    assertFalse(k.supports(shape(1, 4, 8, 8, 4, 5, 1, 2, 2, 2, 2, 1)), "5x5");
    assertFalse(k.supports(shape(1, 4, 8, 8, 4, 3, 1, 1, 1, 1, 1, 2)), "groups 2");
    assertFalse(k.supports(new ConvShape(1, 4, 8, 8, 4, 4, 4, 3, 3, 1, 1, 0, 0, 0, 0, 2, 2, 1)),
        "dilation 2");
    assertFalse(k.supports(new ConvShape(1, 4, 8, 8, 4, 4, 8, 3, 1, 1, 1, 0, 1, 0, 1, 1, 1, 1)),
        "3x1");
  }

  @Test
  void namesAndScratchIndependentOfImageSize() {
    assertEquals("winograd-f2", WinogradConv.F2.name());
    assertEquals("winograd-f4", WinogradConv.F4.name());
    assertEquals("winograd-f6", WinogradConv.F6.name());
    for (WinogradConv k : vectorKernels()) {
      ConvShape small = shape(1, 64, 56, 56, 64, 3, 1, 1, 1, 1, 1, 1);
      ConvShape large = shape(1, 64, 560, 560, 64, 3, 1, 1, 1, 1, 1, 1);
      ConvShape huge = shape(1, 64, 1120, 1120, 64, 3, 1, 1, 1, 1, 1, 1);
      assertEquals(k.workspaceFloats(large, 3), k.workspaceFloats(huge, 3), k.name());
      assertTrue(k.workspaceFloats(small, 3) <= k.workspaceFloats(large, 3), k.name());
      assertEquals(3 * k.workspaceFloats(small, 1), k.workspaceFloats(small, 3), k.name());
    }
  }

  @Test
  void transformedPlanesAreAnOddNumberOfCacheLinesApart() {
    for (int c : new int[] {1, 3, 64, 128, 256, 512}) {
      ConvShape s = shape(1, c, 56, 56, 64, 3, 1, 1, 1, 1, 1, 1);
      for (WinogradConv k : vectorKernels()) {
        int stride = k.transformedPlaneStride(s);
        assertEquals(1, stride / 16 % 2, k.name() + " C=" + c + ": " + stride + " floats");
        assertTrue(stride >= c * k.blockTiles(s), k.name() + " C=" + c);
        // The aliasing study's variant: planes a multiple of 4 KiB apart.
        WinogradConv aligned =
            new WinogradConv(k.tileSize(), false, new ScalarWinogradOps(), new ScalarEpilogueOps());
        assertEquals(0, aligned.transformedPlaneStride(s) % 1024, k.name() + " C=" + c);
      }
    }
  }

  @Test
  void usesTheVectorApiWhenTheModuleIsPresentAndNotWhenDisabled() {
    // The tests run with --add-modules jdk.incubator.vector (see the pom).
    assertEquals(KernelTesting.expectedOps("WinogradOps"), WinogradOps.get().getClass().getSimpleName());
    String before = System.getProperty("kiln.vector");
    System.setProperty("kiln.vector", "false");
    try {
      ScalarWinogradOps scalar = new ScalarWinogradOps();
      assertSame(scalar, VectorSupport.load(MethodHandles.lookup(), WinogradOps.class,
          "dev.kiln.runtime.kernels.conv.VectorWinogradOps", scalar));
    } finally {
      if (before == null) {
        System.clearProperty("kiln.vector");
      } else {
        System.setProperty("kiln.vector", before);
      }
    }
  }
}
