package dev.kiln.compiler.select;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.kiln.compiler.KilnException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class MachineProfileTest {
  @TempDir Path dir;

  @Test
  void writesAndReadsBack() {
    MachineProfile p = new MachineProfile("measured", "2026-11-21T22:00:00Z", "Vector API", 150.5, 12.25,
        Map.of("tiled", 0.61, "winograd-f4", 0.4));
    Path file = dir.resolve("sub/machine.json");
    p.write(file);
    MachineProfile back = MachineProfile.read(file);
    assertEquals(file.toString(), back.source());
    assertEquals(new MachineProfile(file.toString(), p.measuredAt(), p.kernels(), 150.5, 12.25,
        p.efficiency()), back);
  }

  @Test
  void anAlgorithmNobodyMeasuredGetsTheBuiltInFactorOrAPessimisticOne() {
    MachineProfile p = new MachineProfile("x", "", "", 100, 10, Map.of("tiled", 0.7));
    assertEquals(0.7, p.efficiencyOf("tiled"));
    assertEquals(MachineProfile.BUILT_IN.efficiencyOf("winograd-f2"), p.efficiencyOf("winograd-f2"));
    assertEquals(MachineProfile.UNKNOWN_EFFICIENCY, p.efficiencyOf("fft"));
  }

  @Test
  void badFilesAreUserErrorsThatSayWhatToDo() throws IOException {
    Path missing = dir.resolve("none.json");
    assertEquals(missing + ": no such machine profile (kiln calibrate -o FILE writes one)",
        assertThrows(KilnException.class, () -> MachineProfile.read(missing)).getMessage());

    Path notProfile = dir.resolve("other.json");
    Files.writeString(notProfile, "{\"peakGflopsPerCore\": 100}");
    assertEquals(notProfile + ": not a machine profile (peakGflopsPerCore, bandwidthGBps and"
        + " efficiency are required; run kiln calibrate again)",
        assertThrows(KilnException.class, () -> MachineProfile.read(notProfile)).getMessage());

    Path badValue = dir.resolve("bad.json");
    Files.writeString(badValue, "{\"peakGflopsPerCore\": 100, \"bandwidthGBps\": 10,"
        + " \"efficiency\": {\"tiled\": -1}}");
    assertEquals(badValue + ": efficiency of tiled must be in (0, 16], got -1.0",
        assertThrows(KilnException.class, () -> MachineProfile.read(badValue)).getMessage());

    Path broken = dir.resolve("broken.json");
    Files.writeString(broken, "{");
    assertEquals(true, assertThrows(KilnException.class, () -> MachineProfile.read(broken))
        .getMessage().startsWith(broken + ": cannot read the machine profile: "));
  }

  @Test
  void theTestsNeverReadTheUsersProfile() {
    // The build points the property into target/, where no profile is written.
    assertEquals(MachineProfile.BUILT_IN, MachineProfile.cached());
    assertEquals(Path.of(System.getProperty(MachineProfile.PROPERTY)), MachineProfile.defaultPath());
  }
}
