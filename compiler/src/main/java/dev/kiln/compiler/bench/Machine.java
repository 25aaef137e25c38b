package dev.kiln.compiler.bench;

import dev.kiln.runtime.kernels.KernelInfo;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;

/** What benchmark reports say about the machine they ran on. */
public final class Machine {
  private Machine() {}

  /** The CPU's model name from {@code /proc/cpuinfo}, else the architecture. */
  public static String cpuModel() {
    try {
      for (String line : Files.readAllLines(Path.of("/proc/cpuinfo"))) {
        if (line.startsWith("model name")) {
          return line.substring(line.indexOf(':') + 1).trim();
        }
      }
    } catch (IOException | RuntimeException e) {
      // Not Linux: the architecture has to do.
    }
    return System.getProperty("os.arch");
  }

  public static int processors() {
    return Runtime.getRuntime().availableProcessors();
  }

  /** {@code 25.0.3 (OpenJDK 64-Bit Server VM)}. */
  public static String java() {
    return System.getProperty("java.version") + " (" + System.getProperty("java.vm.name") + ")";
  }

  /** The load average over the last minute, or NaN where the OS does not say. */
  public static double loadAverage() {
    return java.lang.management.ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage();
  }

  /** One line: CPU, processors, Java and the kernels in use. */
  public static String describe() {
    return String.format(Locale.ROOT, "%s, %d available processors; Java %s; kernels: %s", cpuModel(),
        processors(), java(), KernelInfo.description());
  }
}
