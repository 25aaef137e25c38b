package dev.kiln.compiler.api;

import dev.kiln.compiler.KilnException;

/**
 * The algorithm selection's options as users write them, parsed once for every front end: {@code
 * kiln compile}, {@code run} and {@code bench} ({@code --memory-budget 24MiB}, {@code --memory-mode
 * low}, {@code --autotune}) and the Maven plugin ({@code <memoryBudget>24MiB</memoryBudget>}).
 * Apply with {@link CompileOptions.Builder#selection}.
 *
 * @param memoryBudget bytes, or {@code null}
 * @param memoryMode {@code null} when not given (fast, unless there is a budget)
 */
public record SelectionSettings(Long memoryBudget, MemoryMode memoryMode, boolean autotune) {
  /** Nothing given: no limit, estimated costs. */
  public static final SelectionSettings DEFAULTS = new SelectionSettings(null, null, false);

  /**
   * Parses the settings; {@code null} or blank strings mean "not given".
   *
   * @param budget e.g. {@code 24MiB}, {@code 100MB}, {@code 65536} (see {@link MemorySize#parse})
   * @param mode {@code low}, {@code balanced} or {@code fast}
   * @param budgetName and {@code modeName}: how the front end spells the options, for messages
   *     ({@code --memory-budget}, or the plugin's {@code memoryBudget})
   * @throws KilnException naming the option, e.g. {@code --memory-mode 'quick': expected low,
   *     balanced or fast}
   */
  public static SelectionSettings parse(String budget, String mode, boolean autotune,
      String budgetName, String modeName) {
    boolean hasBudget = budget != null && !budget.isBlank();
    boolean hasMode = mode != null && !mode.isBlank();
    if (hasBudget && hasMode) {
      throw new KilnException(budgetName + " and " + modeName + " exclude each other: give a byte"
          + " budget or a mode, not both");
    }
    Long bytes = null;
    if (hasBudget) {
      try {
        bytes = MemorySize.parse(budget);
      } catch (KilnException e) {
        throw new KilnException(budgetName + ": " + e.getMessage());
      }
    }
    MemoryMode parsedMode = null;
    if (hasMode) {
      try {
        parsedMode = MemoryMode.parse(mode);
      } catch (KilnException e) {
        throw new KilnException(modeName + " '" + mode + "': expected low, balanced or fast");
      }
    }
    return new SelectionSettings(bytes, parsedMode, autotune);
  }

  /** {@link #parse} with the Maven plugin's parameter names, {@code memoryBudget} and {@code memoryMode}. */
  public static SelectionSettings parse(String budget, String mode, boolean autotune) {
    return parse(budget, mode, autotune, "memoryBudget", "memoryMode");
  }
}
