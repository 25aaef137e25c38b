package dev.kiln.compiler.cli;

import dev.kiln.compiler.KilnException;
import dev.kiln.compiler.api.CompileOptions;
import dev.kiln.compiler.api.SelectionSettings;
import dev.kiln.compiler.codegen.opencl.OpenClBackend;
import dev.kiln.compiler.select.MachineProfile;
import java.nio.file.Path;
import picocli.CommandLine.Option;

/**
 * {@code --memory-budget}, {@code --memory-mode}, {@code --autotune} and {@code --machine}: how the
 * algorithm selection trades memory for speed, shared by every command that compiles a model
 * ({@code compile}, {@code run}, {@code bench}, {@code inspect}). Parsed by {@link
 * SelectionSettings}, as the Maven plugin's parameters are, so both give the same messages.
 */
final class SelectionOptions {
  /** {@code --machine builtin}: the built-in figures even when a calibrated profile exists. */
  static final String BUILT_IN = "builtin";

  @Option(names = "--memory-budget", paramLabel = "SIZE",
      description = "The most bytes a model instance may hold (weights + arena with activations,"
          + " scratch and I/O), e.g. 24MiB, 100MB, 65536; algorithms are chosen for the best"
          + " estimated speed within it. An infeasible budget is an error that names the minimum."
          + " With --target opencl: the device memory the model may hold.")
  String memoryBudget;

  @Option(names = "--memory-mode", paramLabel = "MODE",
      description = "Without a budget: low (the minimum feasible peak), balanced (the knee of the"
          + " speed/memory frontier) or fast (no limit; the default).")
  String memoryMode;

  @Option(names = "--autotune",
      description = "Time every candidate algorithm on each convolution at compile time (warm-up"
          + " excluded) instead of estimating; the times go into the report. Slower to compile.")
  boolean autotune;

  @Option(names = "--machine", paramLabel = "FILE",
      description = "The machine profile the cost model uses (written by kiln calibrate; default:"
          + " ~/.kiln/machine.json when it exists, else the built-in figures; 'builtin' for those).")
  String machine;

  SelectionSettings settings() {
    return SelectionSettings.parse(memoryBudget, memoryMode, autotune, "--memory-budget",
        "--memory-mode");
  }

  /** Whether any of the options was given. */
  boolean given() {
    return memoryBudget != null || memoryMode != null || autotune || machine != null;
  }

  MachineProfile machineProfile() {
    if (machine == null) {
      return MachineProfile.cached();
    }
    return machine.equals(BUILT_IN) ? MachineProfile.BUILT_IN : MachineProfile.read(Path.of(machine));
  }

  /**
   * {@code --target opencl}: the device memory the model may hold ({@code --memory-budget}), or no
   * limit. The modes, autotuning and the machine profile are about the CPU's algorithms and are
   * refused rather than ignored.
   */
  long deviceBudget() {
    if (memoryMode != null || autotune || machine != null) {
      throw new KilnException("--memory-mode, --autotune and --machine choose the CPU's algorithms;"
          + " with --target opencl give --memory-budget, the device memory the model may hold");
    }
    Long budget = settings().memoryBudget();
    return budget == null ? OpenClBackend.NO_BUDGET : budget;
  }

  CompileOptions.Builder applyTo(CompileOptions.Builder builder) {
    return builder.selection(settings()).machineProfile(machineProfile());
  }
}
