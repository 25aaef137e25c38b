package dev.kiln.compiler.cli;

import dev.kiln.compiler.api.CompileListener;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.function.LongSupplier;

/**
 * The progress lines of a compile, one per stage with its time ({@code kiln: passes 1.24 s}). Short
 * compiles stay silent: lines are held back until the compile has run {@code thresholdNanos}, then
 * the held ones are printed and later ones as their stage ends.
 */
final class StageProgress implements CompileListener {
  private final PrintWriter err;
  private final long thresholdNanos;
  private final LongSupplier clock;
  private final long start;
  private final List<String> held = new ArrayList<>();
  private boolean printing;

  StageProgress(PrintWriter err, long thresholdNanos, LongSupplier clock) {
    this.err = err;
    this.thresholdNanos = thresholdNanos;
    this.clock = clock;
    this.start = clock.getAsLong();
  }

  @Override
  public void stageDone(Stage stage, long nanos) {
    stageDone(stage.displayName(), nanos);
  }

  /** A stage outside {@link dev.kiln.compiler.api.Compiler} (emission, the report). */
  void stageDone(String stage, long nanos) {
    held.add(String.format(Locale.ROOT, "kiln: %-9s %7.2f s", stage, nanos / 1e9));
    if (!printing && clock.getAsLong() - start >= thresholdNanos) {
      printing = true;
    }
    if (printing) {
      held.forEach(err::println);
      held.clear();
      err.flush();
    }
  }
}
