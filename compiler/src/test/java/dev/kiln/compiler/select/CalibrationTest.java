package dev.kiln.compiler.select;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The cache sizes calibrate sizes its bandwidth copy by, read as Linux's sysfs lays them out. */
class CalibrationTest {
  private static void cache(Path dir, int index, String level, String size) throws IOException {
    Path d = Files.createDirectories(dir.resolve("index" + index));
    Files.writeString(d.resolve("level"), level + "\n");
    Files.writeString(d.resolve("size"), size + "\n");
  }

  @Test
  void lastLevelCacheIsTheDeepestLevelsLargestSize(@TempDir Path dir) throws IOException {
    cache(dir, 0, "1", "48K");
    cache(dir, 1, "1", "32K");
    cache(dir, 2, "2", "2048K");
    cache(dir, 3, "3", "307200K");
    assertEquals(307200L << 10, Calibration.lastLevelCacheBytes(dir));
    cache(dir, 4, "3", "512M");
    assertEquals(512L << 20, Calibration.lastLevelCacheBytes(dir), "a larger entry at the same level");
  }

  @Test
  void anUnreadableOrMissingDescriptionIsZero(@TempDir Path dir) throws IOException {
    assertEquals(0, Calibration.lastLevelCacheBytes(dir.resolve("absent")));
    assertEquals(0, Calibration.lastLevelCacheBytes(dir), "no index directories");
    cache(dir, 0, "1", "lots");
    assertEquals(0, Calibration.lastLevelCacheBytes(dir), "a size that is not a number");
  }
}
