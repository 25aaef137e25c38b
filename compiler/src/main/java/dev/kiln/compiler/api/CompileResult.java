package dev.kiln.compiler.api;

import dev.kiln.compiler.ir.Graph;
import dev.kiln.compiler.lower.ConvChoice;
import dev.kiln.compiler.lower.Program;
import dev.kiln.compiler.memory.MemoryPlan;
import dev.kiln.compiler.select.AlgorithmSelection;
import java.util.Map;

/**
 * What a compilation produced at each stage.
 *
 * @param imported the graph as imported
 * @param optimized the graph after the passes (the same graph when optimization is off)
 * @param choices the algorithm of each convolution, by node name
 * @param plan the memory plan of the optimized graph
 * @param program the lowered program every backend consumes
 * @param selection the selection stage's explained decisions and memory proof, for the CPU or a
 *     device; {@code null} with reference kernels, where nothing is selected
 */
public record CompileResult(Graph imported, Graph optimized, Map<String, ConvChoice> choices,
    MemoryPlan plan, Program program, AlgorithmSelection selection) {
  public CompileResult {
    choices = Map.copyOf(choices);
  }

  /** A result without a selection stage (reference kernels, or algorithms chosen by the caller). */
  public CompileResult(Graph imported, Graph optimized, Map<String, ConvChoice> choices,
      MemoryPlan plan, Program program) {
    this(imported, optimized, choices, plan, program, null);
  }
}
