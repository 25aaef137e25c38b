package dev.kiln.compiler.select;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kiln.compiler.ir.Cost;
import dev.kiln.runtime.kernels.ConvShape;
import dev.kiln.runtime.kernels.conv.ConvKernels;
import java.util.Map;
import org.junit.jupiter.api.Test;

class CostModelTest {
  /** Batch 1, square, stride 1, "same" padding. */
  private static ConvShape same(int in, int out, int size, int k) {
    int pad = k / 2;
    return new ConvShape(1, in, size, size, out, size, size, k, k, 1, 1, pad, pad, pad, pad, 1, 1, 1);
  }

  @Test
  void gemmColumnsArePaddedAsTheKernelTilesThem() {
    assertEquals(64, CostModel.paddedColumns(49));
    assertEquals(208, CostModel.paddedColumns(196), "6 whole panels and a half-width one for 4");
    assertEquals(784, CostModel.paddedColumns(784), "24 whole panels and a half-width one for 16");
    assertEquals(176, CostModel.paddedColumns(169));
    assertEquals(3136, CostModel.paddedColumns(3136));
    assertEquals(256 + 16, CostModel.paddedColumns(257));
    assertEquals(256 + 32, CostModel.paddedColumns(256 + 17));
    // 512→512 3×3 on 7×7: 2 · 512 rows · 4608 · 64 padded columns.
    assertEquals(2L * 512 * 4608 * 64, CostModel.flops(ConvKernels.TILED, same(512, 512, 7, 3)));
  }

  @Test
  void winogradCountsItsGemmOnLanesOfSixteenTilesPlusTheTransforms() {
    // F(4,3) on 7×7: 2×2 tiles, paid as 16 lanes; α = 6.
    long tiles = 4;
    long gemm = 2L * 36 * 512 * 512 * 16;
    long input = 4L * 216 * 512 * tiles;
    long output = 2L * (4 * 36 + 16 * 6) * 512 * tiles;
    assertEquals(gemm + input + output, CostModel.flops(ConvKernels.WINOGRAD_F4, same(512, 512, 7, 3)));
    // On a 56×56 map the GEMMs do 2.25x (F(2,3)) and 4x (F(4,3)) fewer multiplies than the direct
    // convolution; the transforms and padding take some of it back.
    ConvShape big = same(64, 64, 56, 3);
    long direct = CostModel.flops(ConvKernels.DIRECT, big);
    assertEquals(2L * 64 * 64 * 9 * 56 * 56, direct);
    assertTrue(CostModel.flops(ConvKernels.WINOGRAD_F2, big) < direct * 0.55);
    assertTrue(CostModel.flops(ConvKernels.WINOGRAD_F4, big) < direct * 0.35);
  }

  @Test
  void shortReductionsGetAShareOfTheEfficiency() {
    assertEquals(0.25, CostModel.shapeFactor(ConvKernels.GEMM_1X1, same(16, 64, 28, 1)));
    assertEquals(1.0, CostModel.shapeFactor(ConvKernels.TILED, same(16, 64, 28, 3)), "K = 144");
    assertEquals(0.5, CostModel.shapeFactor(ConvKernels.WINOGRAD_F4, same(32, 64, 28, 3)));
    assertEquals(1.0, CostModel.shapeFactor(ConvKernels.DIRECT, same(1, 1, 28, 1)));
  }

  @Test
  void timeIsTheRooflineOfComputeAndActivationsPlusTheWeightsStream() {
    MachineProfile m = new MachineProfile("test", "", "", 100, 10, Map.of("tiled", 0.5));
    ConvShape s = same(64, 64, 56, 3);
    CostModel one = new CostModel(m, 1);
    CostModel.Estimate e = one.estimate(ConvKernels.TILED, s);
    double weights = Float.BYTES * ConvKernels.TILED.packedWeightFloats(s) / 10.0;
    assertEquals(e.flops() / (100 * 0.5) + weights, e.nanos(), 1e-6, "compute-bound, plus the weights");
    assertEquals(CostModel.bytes(ConvKernels.TILED, s), e.bytes());
    // Two threads halve the compute term (this layer has 13 tasks), not the weights' stream.
    assertEquals((e.nanos() - weights) / 2 + weights,
        new CostModel(m, 2).estimate(ConvKernels.TILED, s).nanos(), 1e-6);
    // A layer that moves much and computes little is bandwidth-bound.
    CostModel.Estimate other = one.estimate(new Cost(1000, 0, 1_000_000, 1_000_000));
    assertEquals(2_000_000 / 10.0, other.nanos(), 1e-9);
  }

  @Test
  void withTheBuiltInFiguresWinogradWinsResNetsThreeByThreeLayersAsMeasured() {
    CostModel model = new CostModel(MachineProfile.BUILT_IN, 1);
    // docs/performance.md: F(4,3) fastest on 56×56 and 28×28, F(2,3) on 7×7, both beat tiled.
    assertTrue(nanos(model, "winograd-f4", same(64, 64, 56, 3)) < nanos(model, "winograd-f2", same(64, 64, 56, 3)));
    assertTrue(nanos(model, "winograd-f2", same(512, 512, 7, 3)) < nanos(model, "winograd-f4", same(512, 512, 7, 3)));
    assertTrue(nanos(model, "winograd-f4", same(512, 512, 7, 3)) < nanos(model, "winograd-f6", same(512, 512, 7, 3)));
    for (int[] layer : new int[][] {{64, 56}, {128, 28}, {256, 14}, {512, 7}}) {
      ConvShape s = same(layer[0], layer[0], layer[1], 3);
      double best = Math.min(nanos(model, "winograd-f2", s), nanos(model, "winograd-f4", s));
      assertTrue(best < nanos(model, "tiled", s), s.toString());
    }
  }

  @Test
  void theWeightsStreamDecidesBetweenWinogradsOfEqualArithmetic() {
    // ResNet-18's 14×14 layers: F(4,3) stores 9 MiB of weights, F(2,3) 4 MiB. Alone (weights hot)
    // both ran 1.3 ms; in the whole model F(4,3) took 2.2-2.4 ms and F(2,3) 1.9-2.1 ms
    // (docs/conv-algorithms.md, "Weights from memory"). Without the stream term F(4,3) would win.
    CostModel model = new CostModel(MachineProfile.BUILT_IN, 1);
    ConvShape s = same(256, 256, 14, 3);
    assertTrue(nanos(model, "winograd-f2", s) < nanos(model, "winograd-f4", s));
    double computeF2 = nanos(model, "winograd-f2", s)
        - Float.BYTES * ConvKernels.WINOGRAD_F2.packedWeightFloats(s) / MachineProfile.BUILT_IN.bandwidthGBps();
    double computeF4 = nanos(model, "winograd-f4", s)
        - Float.BYTES * ConvKernels.WINOGRAD_F4.packedWeightFloats(s) / MachineProfile.BUILT_IN.bandwidthGBps();
    assertTrue(computeF4 < computeF2, "on arithmetic alone F(4,3) is the faster");
  }

  private static double nanos(CostModel model, String algorithm, ConvShape s) {
    return model.estimate(ConvKernels.byName(algorithm), s).nanos();
  }
}
