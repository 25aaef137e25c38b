package dev.kiln.compiler.api;

import dev.kiln.compiler.KilnException;
import java.util.Locale;

/** How a compile trades memory for speed when the user gives no byte budget. */
public enum MemoryMode {
  /**
   * The fastest selection within 1% of the smallest feasible peak: nothing that grows the weights
   * or the scratch by more than that, and a few bytes of a fast kernel's tables do not buy the
   * direct convolution (see {@code AlgorithmSelector.lowBudget}).
   */
  LOW,
  /** The best speed per byte, up to the knee where more memory stops paying (see conv-algorithms.md). */
  BALANCED,
  /** No limit: the fastest estimate. */
  FAST;

  /** {@code low}, {@code balanced}, {@code fast}: the CLI and Maven plugin spelling. */
  public String cliName() {
    return name().toLowerCase(Locale.ROOT);
  }

  public static MemoryMode parse(String text) {
    for (MemoryMode m : values()) {
      if (m.cliName().equals(text.trim().toLowerCase(Locale.ROOT))) {
        return m;
      }
    }
    throw new KilnException("memory mode '" + text + "' is not one of low, balanced, fast");
  }
}
