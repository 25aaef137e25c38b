package dev.kiln.compiler.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kiln.compiler.select.MachineProfile;
import java.util.Map;
import org.junit.jupiter.api.Test;

class MachinePeaksTest {
  @Test
  void theBuiltInProfileKeepsTheBuiltInPeaks() {
    assertSame(MachinePeaks.BUILT_IN, MachinePeaks.of(MachineProfile.BUILT_IN));
  }

  /** A calibrated core adds compute per thread; its one-thread bandwidth is the roof for all. */
  @Test
  void aCalibratedProfileGivesItsPeakPerCoreAndItsBandwidth() {
    MachineProfile calibrated = new MachineProfile("/home/u/.kiln/machine.json",
        "2026-11-21T22:00:00Z", "Vector API", 150.5, 12.25, Map.of("tiled", 0.6));
    MachinePeaks peaks = MachinePeaks.of(calibrated);
    assertEquals(150.5, peaks.peakGflops(1), 1e-9);
    assertEquals(301.0, peaks.peakGflops(2), 1e-9);
    assertEquals(12.25, peaks.bandwidthGBs(1), 1e-9);
    assertEquals(12.25, peaks.bandwidthGBs(2), 1e-9);
    assertTrue(peaks.source().contains("2026-11-21T22:00:00Z"), peaks.source());
  }
}
