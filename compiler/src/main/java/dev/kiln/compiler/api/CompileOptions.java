package dev.kiln.compiler.api;

import dev.kiln.compiler.importer.ImportOptions;
import java.util.Objects;

/**
 * Everything a compilation takes besides the model. Immutable; build with {@link #builder()}.
 *
 * @param importOptions input shapes for the importer
 * @param optimize run the optimization passes (on by default)
 */
public record CompileOptions(ImportOptions importOptions, boolean optimize) {
  public static final CompileOptions DEFAULTS = builder().build();

  public CompileOptions {
    Objects.requireNonNull(importOptions, "importOptions");
  }

  public static Builder builder() {
    return new Builder();
  }

  public Builder toBuilder() {
    return new Builder().importOptions(importOptions).optimize(optimize);
  }

  /** Builds {@link CompileOptions}. */
  public static final class Builder {
    private ImportOptions importOptions = ImportOptions.DEFAULTS;
    private boolean optimize = true;

    private Builder() {}

    public Builder importOptions(ImportOptions value) {
      this.importOptions = value;
      return this;
    }

    public Builder optimize(boolean value) {
      this.optimize = value;
      return this;
    }

    public CompileOptions build() {
      return new CompileOptions(importOptions, optimize);
    }
  }
}
