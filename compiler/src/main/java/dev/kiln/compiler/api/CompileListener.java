package dev.kiln.compiler.api;

import java.util.Locale;

/**
 * Told when each stage of {@link Compiler#compile} ends, with its wall time: for progress lines
 * ({@code kiln compile}) and build logs. Called on the compiling thread; must not throw.
 */
@FunctionalInterface
public interface CompileListener {
  CompileListener NONE = (stage, nanos) -> {};

  void stageDone(Stage stage, long nanos);

  /**
   * The stages in the order they run. The selection plans the memory of its candidates and keeps
   * the plan of its choice (for the CPU and the OpenCL device alike), so PLANNING is reported only
   * when nothing is selected (reference kernels); otherwise SELECTION includes it.
   */
  enum Stage {
    IMPORT, PASSES, SELECTION, PLANNING, LOWERING;

    /** {@code import}, {@code passes}, ...: how progress lines name the stage. */
    public String displayName() {
      return name().toLowerCase(Locale.ROOT);
    }
  }
}
