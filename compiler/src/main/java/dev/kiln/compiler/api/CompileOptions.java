package dev.kiln.compiler.api;

import dev.kiln.compiler.importer.ImportOptions;
import java.util.Objects;

/**
 * Everything a compilation takes besides the model. Immutable; build with {@link #builder()}.
 *
 * @param importOptions input shapes for the importer
 * @param optimize run the optimization passes (on by default)
 * @param forcedAlgorithm a convolution algorithm (by name, e.g. "direct") to use for every layer
 *     it supports instead of selecting one, or {@code null}
 */
public record CompileOptions(ImportOptions importOptions, boolean optimize, String forcedAlgorithm) {
  public static final CompileOptions DEFAULTS = builder().build();

  public CompileOptions {
    Objects.requireNonNull(importOptions, "importOptions");
  }

  public static Builder builder() {
    return new Builder();
  }

  public Builder toBuilder() {
    return new Builder().importOptions(importOptions).optimize(optimize).forcedAlgorithm(forcedAlgorithm);
  }

  /** Builds {@link CompileOptions}. */
  public static final class Builder {
    private ImportOptions importOptions = ImportOptions.DEFAULTS;
    private boolean optimize = true;
    private String forcedAlgorithm;

    private Builder() {}

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
      return new CompileOptions(importOptions, optimize, forcedAlgorithm);
    }
  }
}
