package dev.kiln.compiler.api;

import dev.kiln.compiler.importer.ModelImporter;
import dev.kiln.compiler.ir.Graph;
import dev.kiln.compiler.ir.Node;
import dev.kiln.compiler.lower.ConvChoice;
import dev.kiln.compiler.lower.Lowering;
import dev.kiln.compiler.lower.Program;
import dev.kiln.compiler.memory.MemoryPlan;
import dev.kiln.compiler.memory.MemoryPlanner;
import dev.kiln.compiler.memory.PlanOptions;
import dev.kiln.compiler.passes.PassContext;
import dev.kiln.compiler.passes.Pipeline;
import dev.kiln.compiler.select.AlgorithmSelection;
import dev.kiln.compiler.select.AlgorithmSelector;
import dev.kiln.compiler.select.Autotuner;
import dev.kiln.compiler.select.MachineProfile;
import dev.kiln.runtime.kernels.ConvShape;
import java.nio.file.Path;
import java.util.Map;
import java.util.function.Function;

/**
 * Kiln's pipeline in one place: import → passes → algorithm selection (which plans the memory of
 * its candidates and keeps the plan of its choice) → lowering.
 * Backends (Java source, bytecode, the interpreter) take the {@link Program} from here.
 */
public final class Compiler {
  private Compiler() {}

  public static CompileResult compile(Path model, CompileOptions options) {
    return compile(ModelImporter.load(model, options.importOptions()), options);
  }

  public static CompileResult compile(Graph imported, CompileOptions options) {
    Graph optimized = optimize(imported, options);
    AlgorithmSelection selection = select(optimized, options);
    Map<String, ConvChoice> choices = selection.convChoices();
    Program program = Lowering.lower(optimized, selection.plan(), choices, options.threads());
    // The selection proved the peak from the plan and its own count of the weights; the program
    // must hold exactly that, or the proof was about something else.
    if (program.memoryBytes() != selection.peakBytes()) {
      throw new IllegalStateException("the program holds " + program.memoryBytes()
          + " bytes but the selection planned " + selection.peakBytes() + " (weights "
          + (long) program.weightFloats() * Float.BYTES + " vs " + selection.weightBytes() + ")");
    }
    return new CompileResult(imported, optimized, choices, selection.plan(), program, selection);
  }

  /**
   * The pipeline with a backend's own convolution algorithms (the OpenCL device's, whose weights
   * and workspaces differ from the CPU's): {@code selection} gets the optimized graph and returns
   * the choice for every convolution in it.
   */
  public static CompileResult compile(Graph imported, CompileOptions options,
      Function<Graph, Map<String, ConvChoice>> selection) {
    Graph optimized = optimize(imported, options);
    Map<String, ConvChoice> choices = selection.apply(optimized);
    MemoryPlan plan = MemoryPlanner.plan(optimized, PlanOptions.DEFAULTS.withWorkspace(
        node -> workspaceBytes(node, optimized, choices, options.threads())));
    Program program = Lowering.lower(optimized, plan, choices, options.threads());
    return new CompileResult(imported, optimized, choices, plan, program);
  }

  /**
   * The pipeline up to the algorithm selection (which includes the memory plan), without lowering:
   * what {@code kiln inspect} summarizes. Throws the same errors as {@link #compile} for an
   * infeasible budget.
   */
  public static AlgorithmSelection selectAlgorithms(Graph imported, CompileOptions options) {
    return select(optimize(imported, options), options);
  }

  private static AlgorithmSelection select(Graph optimized, CompileOptions options) {
    MachineProfile machine = options.machineProfile() != null ? options.machineProfile()
        : MachineProfile.cached();
    return AlgorithmSelector.select(optimized, new AlgorithmSelector.Request(options.threads(),
        options.memoryBudget(), options.memoryMode(), options.forcedAlgorithm(), machine,
        options.autotune() ? Autotuner.DEFAULT_TIMING : null));
  }

  private static Graph optimize(Graph imported, CompileOptions options) {
    return options.optimize() ? Pipeline.standard().run(imported, PassContext.quiet()) : imported;
  }

  private static long workspaceBytes(Node node, Graph graph, Map<String, ConvChoice> choices,
      int threads) {
    ConvChoice c = choices.get(node.name());
    if (c == null) {
      return 0;
    }
    ConvShape shape = Lowering.convShape(node, graph);
    return (long) c.kernel().workspaceFloats(shape, threads) * Float.BYTES;
  }
}
