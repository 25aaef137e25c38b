package dev.kiln.compiler.cli;

import dev.kiln.compiler.KilnException;
import dev.kiln.compiler.api.CompileOptions;
import dev.kiln.compiler.api.SelectionSettings;
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
      description = "Without a budget: low (within 1% of the minimum feasible peak), balanced (the"
          + " knee of the speed/memory frontier) or fast (no limit; the default). With --target"
          + " opencl: of the device memory.")
  String memoryMode;

  @Option(names = "--autotune",
      description = "Time every candidate algorithm on each convolution at compile time (warm-up"
          + " excluded) instead of estimating; the times go into the report. Slower to compile."
          + " Not with --target opencl.")
  boolean autotune;

  @Option(names = "--machine", paramLabel = "FILE",
      description = "The machine profile the cost model uses (written by kiln calibrate; default:"
          + " ~/.kiln/machine.json when it exists, else the built-in figures; 'builtin' for those)."
          + " Not with --target opencl.")
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
   * {@code --target opencl}: the budget (the device memory the model may hold) or the mode, for the
   * same selection stage over the device's algorithms. Autotuning and the machine profile are about
   * the CPU's algorithms (nothing here measures the device) and are refused rather than ignored.
   */
  CompileOptions.Builder applyToDevice(CompileOptions.Builder builder) {
    refuseCpuOnlyOptions();
    return builder.selection(settings());
  }

  /** Fails, naming the option, when {@code --autotune} or {@code --machine} was given. */
  void refuseCpuOnlyOptions() {
    if (autotune) {
      throw new KilnException("--autotune times the CPU's algorithms on this machine; nothing"
          + " measures the device's, so it does not go with --target opencl");
    }
    if (machine != null) {
      throw new KilnException("--machine is the CPU's cost profile; the device's algorithms are"
          + " estimated with nominal figures, so it does not go with --target opencl");
    }
  }

  CompileOptions.Builder applyTo(CompileOptions.Builder builder) {
    return builder.selection(settings()).machineProfile(machineProfile());
  }
}
