package dev.kiln.compiler.api;

import dev.kiln.compiler.importer.ImportOptions;
import dev.kiln.compiler.select.MachineProfile;
import java.util.Objects;

/**
 * Everything a compilation takes besides the model. Immutable; build with {@link #builder()}.
 *
 * @param importOptions input shapes for the importer
 * @param optimize run the optimization passes (on by default)
 * @param forcedAlgorithm a convolution algorithm (by name, e.g. "direct") to use for every layer
 *     it supports instead of selecting one, or {@code null}
 * @param threads the most threads a session of the compiled model may use: the arena holds kernel
 *     workspace for that many (default: this machine's processors)
 * @param memoryBudget the most bytes a model instance may hold (weights + arena), or {@code null}
 * @param memoryMode how to trade memory for speed when no budget is given, or {@code null} for the
 *     default ({@link MemoryMode#FAST}: no limit)
 * @param autotune time every candidate algorithm on each layer at compile time instead of estimating
 * @param machineProfile the machine the cost model estimates for, or {@code null} for {@link
 *     MachineProfile#cached()} (the calibrated one, else the built-in figures), read when compiling
 * @param referenceKernels lower every operator to runtime-min's reference kernels (and convolutions
 *     to the direct algorithm, with no selection): slow, but bit-identical to the graph interpreter,
 *     for tests and debugging
 */
public record CompileOptions(ImportOptions importOptions, boolean optimize, String forcedAlgorithm,
    int threads, Long memoryBudget, MemoryMode memoryMode, boolean autotune,
    MachineProfile machineProfile, boolean referenceKernels) {
  public static final CompileOptions DEFAULTS = builder().build();

  public CompileOptions {
    Objects.requireNonNull(importOptions, "importOptions");
    if (threads < 1) {
      throw new dev.kiln.compiler.KilnException("threads must be at least 1, got " + threads);
    }
    if (memoryBudget != null && memoryMode != null) {
      throw new dev.kiln.compiler.KilnException(
          "give a memory budget or a memory mode, not both (budget " + memoryBudget + " bytes, mode "
              + memoryMode.cliName() + ")");
    }
    if (memoryBudget != null && memoryBudget <= 0) {
      throw new dev.kiln.compiler.KilnException("the memory budget must be positive, got " + memoryBudget);
    }
  }

  public static Builder builder() {
    return new Builder();
  }

  public Builder toBuilder() {
    return new Builder().importOptions(importOptions).optimize(optimize).forcedAlgorithm(forcedAlgorithm)
        .threads(threads).memoryBudget(memoryBudget).memoryMode(memoryMode).autotune(autotune)
        .machineProfile(machineProfile).referenceKernels(referenceKernels);
  }

  /** Builds {@link CompileOptions}. */
  public static final class Builder {
    private ImportOptions importOptions = ImportOptions.DEFAULTS;
    private boolean optimize = true;
    private String forcedAlgorithm;
    private int threads = Runtime.getRuntime().availableProcessors();
    private Long memoryBudget;
    private MemoryMode memoryMode;
    private boolean autotune;
    private MachineProfile machineProfile;
    private boolean referenceKernels;

    private Builder() {}

    /**
     * The budget, mode and autotune options as users write them (CLI, Maven plugin): see {@link
     * SelectionSettings#parse}.
     */
    public Builder selection(SelectionSettings settings) {
      return memoryBudget(settings.memoryBudget()).memoryMode(settings.memoryMode())
          .autotune(settings.autotune());
    }

    public Builder autotune(boolean value) {
      this.autotune = value;
      return this;
    }

    public Builder machineProfile(MachineProfile value) {
      this.machineProfile = value;
      return this;
    }

    public Builder referenceKernels(boolean value) {
      this.referenceKernels = value;
      return this;
    }

    /** The most bytes a model instance may hold, or {@code null} for none. */
    public Builder memoryBudget(Long bytes) {
      this.memoryBudget = bytes;
      return this;
    }

    public Builder memoryMode(MemoryMode mode) {
      this.memoryMode = mode;
      return this;
    }

    public Builder threads(int value) {
      this.threads = value;
      return this;
    }

    public Builder forcedAlgorithm(String name) {
      this.forcedAlgorithm = name;
      return this;
    }

    public Builder importOptions(ImportOptions value) {
      this.importOptions = value;
      return this;
    }

    public Builder optimize(boolean value) {
      this.optimize = value;
      return this;
    }

    public CompileOptions build() {
      return new CompileOptions(importOptions, optimize, forcedAlgorithm, threads, memoryBudget,
          memoryMode, autotune, machineProfile, referenceKernels);
    }
  }
}
