package dev.kiln.compiler.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * This process's resident memory from {@code /proc/self/status} (Linux): the peak ({@code VmHWM})
 * and the current size ({@code VmRSS}), in bytes; -1 where the file does not exist.
 */
public final class ProcessMemory {
  private static final Path STATUS = Path.of("/proc/self/status");

  private ProcessMemory() {}

  /** The peak resident set size so far. */
  public static long peakRssBytes() {
    return read("VmHWM:");
  }

  /** The resident set size now. */
  public static long rssBytes() {
    return read("VmRSS:");
  }

  static long read(String key) {
    try {
      for (String line : Files.readAllLines(STATUS)) {
        if (line.startsWith(key)) {
          // "VmHWM:	  812345 kB"
          String value = line.substring(key.length()).trim();
          return Long.parseLong(value.substring(0, value.indexOf(' '))) * 1024;
        }
      }
    } catch (IOException | RuntimeException e) {
      // Not Linux, or a format we do not know: report unknown rather than a wrong figure.
    }
    return -1;
  }
}
