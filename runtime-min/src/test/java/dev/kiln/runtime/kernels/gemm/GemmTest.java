package dev.kiln.runtime.kernels.gemm;

import static dev.kiln.runtime.kernels.KernelAssert.assertClose;
import static dev.kiln.runtime.kernels.KernelAssert.random;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.kiln.runtime.kernels.Epilogue;
import dev.kiln.runtime.kernels.Epilogue.Activation;
import dev.kiln.runtime.kernels.KernelInfo;
import dev.kiln.runtime.kernels.KernelTesting;
import dev.kiln.runtime.kernels.reference.ReferenceGemm;
import dev.kiln.runtime.kernels.simd.Vectorization;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** The packed GEMM against {@link ReferenceGemm}, for both operand orders, on this JVM's kernel path. */
class GemmTest {
  static Stream<Arguments> sizes() {
    int[][] mnk = {
        {1, 1, 1}, {1, 17, 5}, {3, 1, 7}, {8, 32, 16}, {9, 33, 17}, {7, 31, 3},
        {13, 100, 257}, {64, 49, 300}, {31, 64, 1}, {260, 45, 9}, {5, 300, 40},
        {1, 1000, 512}, {2, 10, 600}, {17, 257, 513}};
    List<Arguments> args = new ArrayList<>();
    for (int[] s : mnk) {
      args.add(Arguments.of(s[0], s[1], s[2]));
    }
    return args.stream();
  }

  /** Weights as A (convolutions): C = A·B with a per-row bias and ReLU fused. */
  @ParameterizedTest(name = "m={0} n={1} k={2}")
  @MethodSource("sizes")
  void packedATimesB(int m, int n, int k) {
    for (boolean transA : new boolean[] {false, true}) {
      int lda = (transA ? m : k) + 3;
      int ldb = n + 2;
      int ldc = n + 5;
      float[] a = random(1, (transA ? k : m) * lda);
      float[] b = random(2, k * ldb);
      float[] bias = random(3, m);
      Epilogue e = Epilogue.builder().bias(bias).activation(Activation.RELU).build();

      float[] expected = new float[m * ldc];
      ReferenceGemm.gemm(transA, false, m, n, k, 1f, a, 0, lda, b, 0, ldb, 0f, expected, 0, ldc);
      for (int i = 0; i < m; i++) {
        e.apply(i, expected, i * ldc, n, null, 0);
      }

      float[] packed = new float[Gemm.packedAFloats(m, k) + 1];
      Gemm.packA(m, k, a, 0, lda, transA, packed, 1);
      float[] c = new float[m * ldc];
      int workers = 2;
      int perWorker = Gemm.packedAWorkspaceFloats(n, k);
      float[] ws = new float[workers * perWorker];
      Arrays.fill(ws, Float.NaN);
      int tasks = Gemm.packedATasks(m, n);
      for (int w = 0; w < workers; w++) {
        Gemm.multiplyPackedA(m, n, k, packed, 1, b, 0, ldb, c, 0, ldc, e, 0, null, 0,
            ws, w * perWorker, tasks * w / workers, tasks * (w + 1) / workers);
      }
      maskPadding(expected, c, m, n, ldc);
      assertClose("packed A m=" + m + " n=" + n + " k=" + k + " transA=" + transA + " on "
          + KernelInfo.shortDescription(), k, expected, c, new int[] {m, ldc});
    }
  }

  /** Weights as B (fully connected layers, transB = 1): per-column bias. */
  @ParameterizedTest(name = "m={0} n={1} k={2}")
  @MethodSource("sizes")
  void aTimesPackedB(int m, int n, int k) {
    for (boolean transB : new boolean[] {true, false}) {
      int lda = k + 1;
      int ldb = (transB ? k : n) + 2;
      int ldc = n + 3;
      float[] a = random(4, m * lda);
      float[] b = random(5, (transB ? n : k) * ldb);
      float[] bias = random(6, n);
      Epilogue e = Epilogue.builder().bias(bias).build();

      float[] expected = new float[m * ldc];
      ReferenceGemm.gemm(false, transB, m, n, k, 1f, a, 0, lda, b, 0, ldb, 0f, expected, 0, ldc);
      for (int i = 0; i < m; i++) {
        for (int j = 0; j < n; j++) {
          e.apply(j, expected, i * ldc + j, 1, null, 0);
        }
      }
      float[] packed = new float[Gemm.packedBFloats(k, n)];
      Gemm.packB(k, n, b, 0, ldb, transB, packed, 0);
      float[] c = new float[m * ldc];
      float[] ws = new float[Gemm.packedBWorkspaceFloats(m, k)];
      Arrays.fill(ws, Float.NaN);
      Gemm.multiplyPackedB(m, n, k, a, 0, lda, false, packed, 0, c, 0, ldc, e, null, 0,
          ws, 0, 0, Gemm.packedBTasks(m, n));
      maskPadding(expected, c, m, n, ldc);
      assertClose("packed B m=" + m + " n=" + n + " k=" + k + " transB=" + transB + " on "
          + KernelInfo.shortDescription(), k, expected, c, new int[] {m, ldc});
    }
  }

  /** Columns between n and ldc are not part of C: the kernels must leave them alone (0 here). */
  private static void maskPadding(float[] expected, float[] c, int m, int n, int ldc) {
    for (int i = 0; i < m; i++) {
      for (int j = n; j < ldc; j++) {
        assertEquals(0f, c[i * ldc + j], "wrote outside C at row " + i + " column " + j);
        expected[i * ldc + j] = 0f;
      }
    }
  }

  /** A vector class that failed to load would fall back silently and leave the fast path untested. */
  @Test
  void microkernelFollowsTheKernelPath() {
    boolean vectorRun = !"false".equals(System.getProperty("kiln.test.expectVector"));
    assertEquals(vectorRun ? "VectorGemmMicrokernel" : "ScalarGemmMicrokernel",
        GemmMicrokernel.get().getClass().getSimpleName());
    assertEquals(vectorRun ? "VectorPeakFlops" : "ScalarPeakFlops",
        dev.kiln.runtime.kernels.simd.PeakFlops.get().getClass().getSimpleName());
  }

  @Test
  void emptyReductionStillAppliesTheEpilogue() {
    Epilogue e = Epilogue.builder().bias(new float[] {1f, -2f}).activation(Activation.RELU).build();
    float[] c = {9f, 9f, 9f, 9f, 9f, 9f};
    float[] ws = new float[Gemm.packedAWorkspaceFloats(3, 0)];
    Gemm.multiplyPackedA(2, 3, 0, new float[0], 0, new float[0], 0, 3, c, 0, 3, e, 0, null, 0,
        ws, 0, 0, Gemm.packedATasks(2, 3));
    assertEquals("[1.0, 1.0, 1.0, 0.0, 0.0, 0.0]", Arrays.toString(c));
  }

  @Test
  void blockingSplitsKEvenly() {
    assertEquals(1, Gemm.kBlocks(1));
    assertEquals(1, Gemm.kBlocks(Gemm.KC));
    assertEquals(2, Gemm.kBlocks(Gemm.KC + 1));
    assertEquals(192, Gemm.kBlockSize(576));
    assertEquals(Gemm.KC, Gemm.kBlockSize(4608));
    assertEquals(1, Gemm.kBlockSize(0));
  }

  @Test
  void fusedModeRecognizesWhatTheMicrokernelFuses() {
    float[] bias = {1f};
    assertEquals(0, GemmMicrokernel.fusedMode(Epilogue.NONE));
    assertEquals(GemmMicrokernel.FUSE_BIAS | GemmMicrokernel.FUSE_RELU,
        GemmMicrokernel.fusedMode(Epilogue.builder().bias(bias).activation(Activation.RELU).build()));
    assertEquals(GemmMicrokernel.FUSE_BIAS | GemmMicrokernel.FUSE_RESIDUAL | GemmMicrokernel.FUSE_CLIP,
        GemmMicrokernel.fusedMode(Epilogue.builder().bias(bias).residualAdd()
            .activation(Activation.CLIP, 0f, 6f).build()));
    assertEquals(GemmMicrokernel.NOT_FUSABLE, GemmMicrokernel.fusedMode(
        Epilogue.builder().activation(Activation.RELU).residualAdd().build()));
    assertEquals(GemmMicrokernel.NOT_FUSABLE, GemmMicrokernel.fusedMode(
        Epilogue.builder().activation(Activation.SIGMOID).build()));
    assertEquals(GemmMicrokernel.NOT_FUSABLE, GemmMicrokernel.fusedMode(
        Epilogue.builder().activation(Activation.RELU).activation(Activation.RELU).build()));
  }

  /** The fused epilogue must equal Epilogue.apply bit for bit, signed zeros and NaN included. */
  @Test
  void fusedEpilogueIsBitExactOnSpecialValues() {
    float[] values = {-0f, 0f, Float.NaN, -1f, 1f, 5.99f, 6f, 6.01f, Float.NEGATIVE_INFINITY,
        Float.POSITIVE_INFINITY, Float.MIN_VALUE, -Float.MIN_VALUE, 1e-30f, -7f, 3f, 0.5f, -0.5f,
        100f, -100f, 2f, -2f, 0.25f, 4f, -3f, 7f, 0f, -0f, Float.NaN, 1f, 2f, 3f, 4f, 5f, 6f, 7f};
    float[] residual = new float[values.length];
    for (int i = 0; i < residual.length; i++) {
      residual[i] = i % 3 == 0 ? -0f : (i % 3 == 1 ? 0f : -values[i]);
    }
    List<Epilogue> list = List.of(
        Epilogue.builder().activation(Activation.RELU).build(),
        Epilogue.builder().bias(new float[] {-0f}).activation(Activation.RELU).build(),
        Epilogue.builder().activation(Activation.CLIP, 0f, 6f).build(),
        Epilogue.builder().activation(Activation.CLIP, -0f, 6f).build(),
        Epilogue.builder().bias(new float[] {0.5f}).residualAdd().activation(Activation.CLIP, -1f, 2f)
            .build(),
        Epilogue.builder().residualAdd().activation(Activation.RELU).build(),
        Epilogue.builder().bias(new float[] {-0f}).residualAdd().build());
    GemmMicrokernel mk = GemmMicrokernel.get();
    for (Epilogue e : list) {
      int mode = GemmMicrokernel.fusedMode(e);
      float[] expected = values.clone();
      e.apply(0, expected, 0, expected.length, residual, 0);
      float[] actual = values.clone();
      mk.epilogue(mode, e, 0, GemmMicrokernel.clipBound(e, false), GemmMicrokernel.clipBound(e, true),
          actual, 0, actual.length, 1, actual.length, residual, 0);
      for (int i = 0; i < values.length; i++) {
        assertEquals(Float.floatToIntBits(expected[i]), Float.floatToIntBits(actual[i]),
            e + " on " + values[i] + " (residual " + residual[i] + "): " + actual[i] + " vs "
                + expected[i]);
      }
    }
  }

  /**
   * The tile that leaves registers finished must store exactly what the tile followed by the
   * epilogue pass stores; on the 8-row Vector API kernel it must also actually fuse.
   */
  @Test
  void tileWithEpilogueEqualsTileThenEpilogue() {
    GemmMicrokernel mk = GemmMicrokernel.get();
    int mr = mk.rows();
    int nr = mk.cols();
    int kc = 3;
    float[] a = new float[kc * Gemm.PANEL_ROWS];
    float[] b = new float[kc * Gemm.PANEL_COLS];
    float[] special = {Float.NaN, -7f, 6f, 6.01f, -0.5f, Float.POSITIVE_INFINITY,
        Float.NEGATIVE_INFINITY, 0f, 1e-30f, 2.5f};
    for (int i = 0; i < a.length; i++) {
      a[i] = i % Gemm.PANEL_ROWS == 0 ? 1f : (i % 5) * 0.25f - 0.5f;
    }
    for (int i = 0; i < b.length; i++) {
      b[i] = i < Gemm.PANEL_COLS && i % 3 == 0 ? special[i / 3 % special.length] : (i % 7) - 3f;
    }
    float[] bias = {-0f, 0.5f, Float.NaN, -6f, 3f, 0f, -1f, 1e-30f};
    boolean fuses = Vectorization.get().vectorized() && mr == 8;
    for (Epilogue e : List.of(
        Epilogue.builder().bias(bias).build(),
        Epilogue.builder().bias(bias).activation(Activation.RELU).build(),
        Epilogue.builder().bias(bias).activation(Activation.CLIP, 0f, 6f).build(),
        Epilogue.builder().bias(bias).activation(Activation.CLIP, -1f, 2f).build())) {
      int mode = GemmMicrokernel.fusedMode(e);
      float lo = GemmMicrokernel.clipBound(e, false);
      float hi = GemmMicrokernel.clipBound(e, true);
      float[] expected = new float[mr * nr + 5];
      mk.tile(kc, a, 0, b, 0, expected, 5, nr, false);
      mk.epilogue(mode, e, 0, lo, hi, expected, 5, nr, mr, nr, null, 0);
      float[] got = new float[expected.length];
      assertEquals(fuses, mk.tileWithEpilogue(kc, a, 0, b, 0, got, 5, nr, mode, e, 0, lo, hi),
          "whether " + mk + " fuses " + e);
      if (fuses) {
        KernelTesting.assertIdentical(mk + " " + e, new int[] {got.length}, expected, got);
      }
    }
  }

  /**
   * B read in place (rows a plane apart, as the 1×1 convolution reads its input) gives the same
   * floats as B packed, with and without accumulation, over a full and an edge row tile; the
   * floats between the rows' pieces are NaN, so reading any of them shows.
   */
  @Test
  void multiplyBlockReadsBInPlaceAsPacked() {
    assumeTrue(GemmMicrokernel.get().readsBInPlace(), GemmMicrokernel.get() + " packs B");
    int m = 13;
    int n = 2 * Gemm.PANEL_COLS;
    int kc = 19;
    int step = 70;
    float[] a = new float[Gemm.packedAFloats(m, kc)];
    Gemm.packA(m, kc, random(1, m * kc), 0, kc, false, a, 0);
    float[] rows = random(2, kc * step);
    float[] inPlace = new float[3 + kc * step];
    Arrays.fill(inPlace, Float.NaN);
    for (int k = 0; k < kc; k++) {
      System.arraycopy(rows, k * step, inPlace, 3 + k * step, n);
    }
    float[] packedB = new float[Gemm.packedBFloats(kc, n)];
    Gemm.packBlockRows(rows, 0, step, 0, kc, 0, n, packedB, 0);
    Epilogue e = Epilogue.builder().bias(random(3, m)).activation(Activation.RELU).build();
    float[] scratch = new float[Gemm.TILE_SCRATCH];
    for (boolean accumulate : new boolean[] {false, true}) {
      float[] expected = random(4, m * n);
      float[] got = expected.clone();
      Gemm.multiplyBlock(m, n, kc, a, 0, Gemm.PANEL_ROWS * kc, packedB, 0, Gemm.PANEL_COLS * kc,
          Gemm.PANEL_COLS, expected, 0, n, accumulate, e, 0, true, null, 0, scratch, 0);
      Gemm.multiplyBlock(m, n, kc, a, 0, Gemm.PANEL_ROWS * kc, inPlace, 3, Gemm.PANEL_COLS, step,
          got, 0, n, accumulate, e, 0, true, null, 0, scratch, 0);
      KernelTesting.assertIdentical(GemmMicrokernel.get() + " B rows " + step + " apart, accumulate "
          + accumulate, new int[] {m, n}, expected, got);
    }
  }
}
