package dev.kiln.compiler.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.kiln.compiler.KilnException;
import org.junit.jupiter.api.Test;

class SelectionSettingsTest {
  @Test
  void parsesWhatUsersWrite() {
    assertEquals(new SelectionSettings(24L << 20, null, false), SelectionSettings.parse("24MiB", null, false));
    assertEquals(new SelectionSettings(100_000_000L, null, true), SelectionSettings.parse("100MB", "", true));
    assertEquals(new SelectionSettings(65536L, null, false), SelectionSettings.parse("65536", " ", false));
    assertEquals(new SelectionSettings(null, MemoryMode.LOW, false), SelectionSettings.parse(null, "low", false));
    assertEquals(new SelectionSettings(null, MemoryMode.BALANCED, false),
        SelectionSettings.parse("", "Balanced", false));
    assertEquals(SelectionSettings.DEFAULTS, SelectionSettings.parse(null, null, false));
  }

  @Test
  void badValuesNameTheOptionAsTheFrontEndSpellsIt() {
    assertEquals("--memory-budget: bad memory size '12XB': unknown unit 'XB' (use B, kB, KiB, MB,"
        + " MiB, GB or GiB)", message("12XB", null, "--memory-budget", "--memory-mode"));
    assertEquals("memoryBudget: bad memory size 'lots': expected e.g. 24MiB, 100MB or 65536",
        message("lots", null, "memoryBudget", "memoryMode"));
    assertEquals("--memory-mode 'quick': expected low, balanced or fast",
        message(null, "quick", "--memory-budget", "--memory-mode"));
    assertEquals("--memory-budget and --memory-mode exclude each other: give a byte budget or a"
        + " mode, not both", message("24MiB", "low", "--memory-budget", "--memory-mode"));
    assertEquals("memoryBudget and memoryMode exclude each other: give a byte budget or a mode, not"
        + " both", assertThrows(KilnException.class,
            () -> SelectionSettings.parse("1", "fast", false)).getMessage());
  }

  @Test
  void appliesToCompileOptions() {
    CompileOptions o = CompileOptions.builder()
        .selection(SelectionSettings.parse("24MiB", null, true)).build();
    assertEquals(24L << 20, o.memoryBudget());
    assertEquals(null, o.memoryMode());
    assertEquals(true, o.autotune());
    assertEquals(o, o.toBuilder().build());
  }

  private static String message(String budget, String mode, String budgetName, String modeName) {
    return assertThrows(KilnException.class,
        () -> SelectionSettings.parse(budget, mode, false, budgetName, modeName)).getMessage();
  }
}
