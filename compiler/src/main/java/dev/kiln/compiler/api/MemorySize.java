package dev.kiln.compiler.api;

import dev.kiln.compiler.KilnException;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Byte sizes as users write them: {@code 24MiB}, {@code 100MB}, {@code 1.5GiB}, {@code 65536}.
 * Binary units (KiB, MiB, GiB) are powers of 1024, decimal ones (kB/KB, MB, GB) powers of 1000;
 * a bare number is bytes.
 */
public final class MemorySize {
  private static final Pattern SIZE = Pattern.compile("(\\d+(?:\\.\\d+)?)\\s*([a-zA-Z]*)");

  private MemorySize() {}

  public static long parse(String text) {
    Matcher m = SIZE.matcher(text.trim());
    if (!m.matches()) {
      throw new KilnException("bad memory size '" + text + "': expected e.g. 24MiB, 100MB or 65536");
    }
    double value = Double.parseDouble(m.group(1));
    long unit = switch (m.group(2).toLowerCase(Locale.ROOT)) {
      case "", "b" -> 1L;
      case "k", "kb" -> 1000L;
      case "kib" -> 1L << 10;
      case "m", "mb" -> 1000L * 1000;
      case "mib" -> 1L << 20;
      case "g", "gb" -> 1000L * 1000 * 1000;
      case "gib" -> 1L << 30;
      default -> throw new KilnException("bad memory size '" + text
          + "': unknown unit '" + m.group(2) + "' (use B, kB, KiB, MB, MiB, GB or GiB)");
    };
    double bytes = value * unit;
    if (bytes < 1 || bytes > Long.MAX_VALUE / 2) {
      throw new KilnException("memory size '" + text + "' is out of range");
    }
    return (long) bytes;
  }

  /** {@code 23.4 MiB}, for messages and reports. */
  public static String format(long bytes) {
    if (bytes < 1024) {
      return bytes + " B";
    }
    String[] units = {"KiB", "MiB", "GiB", "TiB"};
    double v = bytes;
    int u = -1;
    do {
      v /= 1024;
      u++;
    } while (v >= 1024 && u < units.length - 1);
    return String.format(Locale.ROOT, "%.1f %s", v, units[u]);
  }
}
