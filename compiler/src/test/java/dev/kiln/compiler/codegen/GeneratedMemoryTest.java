package dev.kiln.compiler.codegen;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kiln.compiler.api.CompileResult;
import dev.kiln.compiler.api.MemoryMode;
import dev.kiln.compiler.report.CompileReport;
import dev.kiln.compiler.select.SelectionTesting;
import dev.kiln.runtime.KilnModel;
import org.junit.jupiter.api.Test;

/**
 * The budget proof holds for generated classes too: a model instance of the Java source and of the
 * bytecode reports through {@code memoryBytes()} exactly the report's {@code memory.peakBytes}.
 */
class GeneratedMemoryTest {
  @Test
  void generatedClassesHoldExactlyTheReportedPeak() {
    for (MemoryMode mode : MemoryMode.values()) {
      CompileResult r = SelectionTesting.compile(SelectionTesting.smallNetGraph(), mode);
      long reported = CompileReport.toJson(r).get("memory").get("peakBytes").asLong();
      CodegenOptions options = CodegenOptions.of("dev.kiln.memory", "Small" + mode.cliName());
      try (KilnModel source = GeneratedClasses.loadSource(Codegen.generate(r.program(), Target.JAVA,
              options));
          KilnModel bytecode = GeneratedClasses.loadBytecode(Codegen.generate(r.program(),
              Target.BYTECODE, options))) {
        assertEquals(reported, source.memoryBytes(), mode + " source");
        assertEquals(reported, bytecode.memoryBytes(), mode + " bytecode");
      }
      Long budget = r.selection().budgetBytes();
      assertTrue(budget == null || reported <= budget, mode.toString());
    }
  }
}
