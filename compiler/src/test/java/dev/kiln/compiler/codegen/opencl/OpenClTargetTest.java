package dev.kiln.compiler.codegen.opencl;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kiln.compiler.ir.Cost;
import dev.kiln.compiler.select.CostModel;
import dev.kiln.runtime.kernels.ConvShape;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The device's candidates and nominal estimate (no device needed). */
class OpenClTargetTest {
  private static final OpenClTarget DEVICE = OpenClTarget.INSTANCE;

  /** A 3×3, stride 1, "same" padding convolution. */
  private static ConvShape same3x3(int batch, int channels, int size, int maps) {
    return new ConvShape(batch, channels, size, size, maps, size, size, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1, 1);
  }

  private static double winogradOverTiled(ConvShape s) {
    return DEVICE.estimate(ClWinogradConv.INSTANCE, s).nanos() / DEVICE.estimate(ClTiledConv.INSTANCE, s).nanos();
  }

  @Test
  void theEstimateIsTheDocumentedCount() {
    // 2 × 8 × 13 × 11 → 16 maps, 13 × 11: T = 2 · 7 · 6 = 84 tiles, P = 2 · 143 outputs per map.
    ConvShape s = new ConvShape(2, 8, 13, 11, 16, 13, 11, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1, 1);
    long input = 2 * 8 * 13 * 11;
    long output = 2 * 16 * 13 * 11;
    CostModel.Estimate tiled = DEVICE.estimate(ClTiledConv.INSTANCE, s);
    assertEquals(2L * 16 * 8 * 9 * 286, tiled.flops());
    assertEquals(4 * (input + 16 * 8 * 9 + output), tiled.bytes());
    CostModel.Estimate winograd = DEVICE.estimate(ClWinogradConv.INSTANCE, s);
    assertEquals(2L * 16 * 16 * 8 * 84 + 32L * 8 * 84 + 24L * 16 * 84, winograd.flops());
    assertEquals(4 * (input + 16 * 16 * 8 + output + 2 * 16 * 8 * 84 + 2 * 16 * 16 * 84), winograd.bytes());
    assertEquals(tiled.flops() / OpenClTarget.NOMINAL_GFLOPS + tiled.bytes() / OpenClTarget.NOMINAL_GBPS,
        tiled.nanos(), 1e-9);
    assertEquals(winograd.flops() / OpenClTarget.NOMINAL_GFLOPS
        + winograd.bytes() / OpenClTarget.NOMINAL_GBPS, winograd.nanos(), 1e-9);

    Cost pool = new Cost(1000, 0, 4000, 2000);
    assertEquals(1000 / OpenClTarget.NOMINAL_GFLOPS + 6000 / OpenClTarget.NOMINAL_GBPS,
        DEVICE.estimate(pool).nanos(), 1e-9);
  }

  /**
   * The rule the device followed before the estimate, now its consequence (the proof is in {@link
   * OpenClTarget}): with fewer than 8 input or output channels the tiled algorithm is faster, on
   * every map size and batch, however many channels the other side has.
   */
  @Test
  void fewerThanEightInputOrOutputChannelsNeverPayForWinograd() {
    List<Integer> others = List.of(1, 2, 3, 5, 7, 8, 9, 16, 33, 64, 256, 1024, 4096);
    List<Integer> sizes = List.of(1, 2, 3, 4, 7, 8, 13, 14, 28, 56, 112, 224);
    for (int few = 1; few < 8; few++) {
      for (int other : others) {
        for (int size : sizes) {
          for (int batch : List.of(1, 3)) {
            for (ConvShape s : List.of(same3x3(batch, few, size, other), same3x3(batch, other, size, few))) {
              assertTrue(winogradOverTiled(s) > 1, s + ": Winograd " + winogradOverTiled(s) + "x tiled's time");
            }
          }
        }
      }
    }
  }

  /** Where Winograd pays: ResNet's 3×3 layers; where it does not: small layers of few channels. */
  @ParameterizedTest
  @CsvSource({
      "64, 56, 64, true",
      "128, 28, 128, true",
      "256, 14, 256, true",
      "512, 7, 512, true",
      "16, 55, 64, true",
      "8, 13, 16, false",
      "3, 32, 16, false",
      "12, 64, 12, false",
      "16, 64, 16, true"})
  void winogradPaysOnLargeLayers(int channels, int size, int maps, boolean pays) {
    ConvShape s = same3x3(1, channels, size, maps);
    assertEquals(pays, winogradOverTiled(s) < 1, s + ": Winograd " + winogradOverTiled(s) + "x tiled's time");
  }

  @Test
  void theFiguresAreNominalAndSaySo() {
    assertEquals("{\"source\":\"nominal OpenCL device (assumed figures, not measured)\",\"gflops\":2000.0,"
        + "\"bandwidthGBps\":1000.0}", DEVICE.describe().toString());
    assertEquals(List.of(ClWinogradConv.INSTANCE, ClTiledConv.INSTANCE), DEVICE.kernels());
    assertEquals(ClTiledConv.INSTANCE, DEVICE.generic());
    assertTrue(DEVICE.referenceKernels());
  }
}
