package dev.kiln.compiler.api;

import dev.kiln.compiler.ir.Graph;
import dev.kiln.compiler.lower.ConvChoice;
import dev.kiln.compiler.lower.Program;
import dev.kiln.compiler.memory.MemoryPlan;
import java.util.Map;

/**
 * What a compilation produced at each stage.
 *
 * @param imported the graph as imported
 * @param optimized the graph after the passes (the same graph when optimization is off)
 * @param choices the algorithm of each convolution, by node name
 * @param plan the memory plan of the optimized graph
 * @param program the lowered program every backend consumes
 */
public record CompileResult(Graph imported, Graph optimized, Map<String, ConvChoice> choices,
    MemoryPlan plan, Program program) {
  public CompileResult {
    choices = Map.copyOf(choices);
  }
}
