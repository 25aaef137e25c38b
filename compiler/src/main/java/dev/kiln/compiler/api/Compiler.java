package dev.kiln.compiler.api;

import dev.kiln.compiler.KilnException;
import dev.kiln.compiler.importer.ModelImporter;
import dev.kiln.compiler.ir.Graph;
import dev.kiln.compiler.ir.Node;
import dev.kiln.compiler.lower.ConvChoice;
import dev.kiln.compiler.lower.ConvChooser;
import dev.kiln.compiler.lower.Lowering;
import dev.kiln.compiler.lower.Program;
import dev.kiln.compiler.memory.MemoryPlan;
import dev.kiln.compiler.memory.MemoryPlanner;
import dev.kiln.compiler.memory.PlanOptions;
import dev.kiln.compiler.ops.Conv;
import dev.kiln.compiler.ops.FusedConv;
import dev.kiln.compiler.passes.PassContext;
import dev.kiln.compiler.passes.Pipeline;
import dev.kiln.runtime.kernels.conv.ConvKernel;
import dev.kiln.runtime.kernels.conv.ConvKernels;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Function;

/**
 * Kiln's pipeline in one place: import → passes → algorithm selection → memory plan → lowering.
 * Backends (Java source, bytecode, the interpreter) take the {@link Program} from here.
 */
public final class Compiler {
  private Compiler() {}

  public static CompileResult compile(Path model, CompileOptions options) {
    return compile(model, options, CompileListener.NONE);
  }

  /** The same, telling {@code listener} as each stage ends. */
  public static CompileResult compile(Path model, CompileOptions options, CompileListener listener) {
    long start = System.nanoTime();
    Graph imported = ModelImporter.load(model, options.importOptions());
    listener.stageDone(CompileListener.Stage.IMPORT, System.nanoTime() - start);
    return compile(imported, options, optimized -> chooseAlgorithms(optimized, options), listener);
  }

  public static CompileResult compile(Graph imported, CompileOptions options) {
    return compile(imported, options, optimized -> chooseAlgorithms(optimized, options));
  }

  /**
   * The pipeline with a backend's own convolution algorithms (the OpenCL device's, whose weights
   * and workspaces differ from the CPU's): {@code selection} gets the optimized graph and returns
   * the choice for every convolution in it.
   */
  public static CompileResult compile(Graph imported, CompileOptions options,
      Function<Graph, Map<String, ConvChoice>> selection) {
    return compile(imported, options, selection, CompileListener.NONE);
  }

  private static CompileResult compile(Graph imported, CompileOptions options,
      Function<Graph, Map<String, ConvChoice>> selection, CompileListener listener) {
    long start = System.nanoTime();
    Graph optimized = options.optimize()
        ? Pipeline.standard().run(imported, PassContext.quiet())
        : imported;
    start = stageDone(listener, CompileListener.Stage.PASSES, start);
    Map<String, ConvChoice> choices = selection.apply(optimized);
    start = stageDone(listener, CompileListener.Stage.SELECTION, start);
    MemoryPlan plan = MemoryPlanner.plan(optimized, PlanOptions.DEFAULTS.withWorkspace(
        node -> Lowering.workspaceBytes(node, optimized, choices, options.threads(),
            options.referenceKernels())));
    start = stageDone(listener, CompileListener.Stage.PLANNING, start);
    Program program = Lowering.lower(optimized, plan, choices, options.threads(),
        options.referenceKernels());
    stageDone(listener, CompileListener.Stage.LOWERING, start);
    return new CompileResult(imported, optimized, choices, plan, program);
  }

  /** Reports a stage that began at {@code start}; returns when the next one begins. */
  private static long stageDone(CompileListener listener, CompileListener.Stage stage, long start) {
    long now = System.nanoTime();
    listener.stageDone(stage, now - start);
    return System.nanoTime();
  }

  private static Map<String, ConvChoice> chooseAlgorithms(Graph graph, CompileOptions options) {
    ConvChooser chooser = ConvChooser.FIRST_SUPPORTING;
    if (options.referenceKernels()) {
      chooser = ConvChooser.DIRECT;
    } else if (options.forcedAlgorithm() != null) {
      ConvKernel forced;
      try {
        forced = ConvKernels.byName(options.forcedAlgorithm());
      } catch (IllegalArgumentException e) {
        throw new KilnException(e.getMessage());
      }
      chooser = (node, shape) -> forced.supports(shape)
          ? ConvChoice.of(forced, "forced by the options")
          : ConvChooser.FIRST_SUPPORTING.choose(node, shape);
    }
    Map<String, ConvChoice> choices = new LinkedHashMap<>();
    for (Node n : graph.nodes()) {
      if (n.op() instanceof Conv || n.op() instanceof FusedConv) {
        choices.put(n.name(), chooser.choose(n, Lowering.convShape(n, graph)));
      }
    }
    return choices;
  }

}
