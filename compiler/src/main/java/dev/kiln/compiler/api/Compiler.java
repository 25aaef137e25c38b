package dev.kiln.compiler.api;

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
import dev.kiln.compiler.select.AlgorithmSelection;
import dev.kiln.compiler.select.AlgorithmSelector;
import dev.kiln.compiler.select.Autotuner;
import dev.kiln.compiler.select.MachineProfile;
import dev.kiln.compiler.select.SelectionTarget;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Kiln's pipeline in one place: import → passes → algorithm selection (which plans the memory of
 * its candidates and keeps the plan of its choice) → lowering.
 * Backends (Java source, bytecode, the interpreter, OpenCL) take the {@link Program} from here; the
 * OpenCL backend with its device's algorithms ({@link SelectionTarget}).
 */
public final class Compiler {
  private Compiler() {}

  public static CompileResult compile(Path model, CompileOptions options) {
    return compile(model, options, CompileListener.NONE);
  }

  /** The same, telling {@code listener} as each stage ends. */
  public static CompileResult compile(Path model, CompileOptions options, CompileListener listener) {
    return compile(load(model, options, listener), options, listener);
  }

  /**
   * For a target with its own algorithms: see
   * {@link #compile(Graph, CompileOptions, SelectionTarget, CompileListener)}.
   */
  public static CompileResult compile(Path model, CompileOptions options, SelectionTarget target,
      CompileListener listener) {
    return compile(load(model, options, listener), options, target, listener);
  }

  /** The import stage. */
  private static Graph load(Path model, CompileOptions options, CompileListener listener) {
    long start = System.nanoTime();
    Graph imported = ModelImporter.load(model, options.importOptions());
    listener.stageDone(CompileListener.Stage.IMPORT, System.nanoTime() - start);
    return imported;
  }

  public static CompileResult compile(Graph imported, CompileOptions options) {
    return compile(imported, options, CompileListener.NONE);
  }

  /**
   * With {@link CompileOptions#referenceKernels()} there is nothing to select: every convolution is
   * direct, the one algorithm whose arithmetic matches the interpreter's.
   */
  private static CompileResult compile(Graph imported, CompileOptions options,
      CompileListener listener) {
    if (options.referenceKernels()) {
      return compileDirect(imported, options, listener);
    }
    return compile(imported, options, cpu(options), listener);
  }

  /**
   * The pipeline for a target with its own convolution algorithms (the OpenCL device's, whose
   * weights and workspaces differ from the CPU's): the same selection stage, over {@code target}'s
   * algorithms and estimates, under the options' budget or mode. The target also decides how the
   * other layers lower; {@link CompileOptions#referenceKernels()}, {@link
   * CompileOptions#machineProfile()} and {@link CompileOptions#autotune()} are the CPU's and play
   * no part here.
   */
  public static CompileResult compile(Graph imported, CompileOptions options, SelectionTarget target,
      CompileListener listener) {
    long start = System.nanoTime();
    Graph optimized = optimize(imported, options);
    start = stageDone(listener, CompileListener.Stage.PASSES, start);
    AlgorithmSelection selection = select(optimized, options, target);
    start = stageDone(listener, CompileListener.Stage.SELECTION, start);
    Map<String, ConvChoice> choices = selection.convChoices();
    Program program = Lowering.lower(optimized, selection.plan(), choices, options.threads(),
        target.referenceKernels());
    stageDone(listener, CompileListener.Stage.LOWERING, start);
    // The selection proved the peak from the plan and its own count of the weights; the program
    // must hold exactly that, or the proof was about something else.
    if (program.memoryBytes() != selection.peakBytes()) {
      throw new IllegalStateException("the program holds " + program.memoryBytes()
          + " bytes but the selection planned " + selection.peakBytes() + " (weights "
          + (long) program.weightFloats() * Float.BYTES + " vs " + selection.weightBytes() + ")");
    }
    return new CompileResult(imported, optimized, choices, selection.plan(), program, selection);
  }

  /** Reference kernels everywhere, direct convolutions: no selection, so the plan is its own stage. */
  private static CompileResult compileDirect(Graph imported, CompileOptions options,
      CompileListener listener) {
    long start = System.nanoTime();
    Graph optimized = optimize(imported, options);
    start = stageDone(listener, CompileListener.Stage.PASSES, start);
    Map<String, ConvChoice> choices = directEverywhere(optimized);
    start = stageDone(listener, CompileListener.Stage.SELECTION, start);
    MemoryPlan plan = MemoryPlanner.plan(optimized, PlanOptions.DEFAULTS.withWorkspace(
        node -> Lowering.workspaceBytes(node, optimized, choices, options.threads(), true)));
    start = stageDone(listener, CompileListener.Stage.PLANNING, start);
    Program program = Lowering.lower(optimized, plan, choices, options.threads(), true);
    stageDone(listener, CompileListener.Stage.LOWERING, start);
    return new CompileResult(imported, optimized, choices, plan, program);
  }

  /**
   * The pipeline up to the algorithm selection (which includes the memory plan), without lowering:
   * what {@code kiln inspect} summarizes. Throws the same errors as {@link #compile} for an
   * infeasible budget.
   */
  public static AlgorithmSelection selectAlgorithms(Graph imported, CompileOptions options) {
    return selectAlgorithms(imported, options, cpu(options));
  }

  /**
   * The same for a target with its own algorithms (see
   * {@link #compile(Graph, CompileOptions, SelectionTarget, CompileListener)}).
   */
  public static AlgorithmSelection selectAlgorithms(Graph imported, CompileOptions options,
      SelectionTarget target) {
    return select(optimize(imported, options), options, target);
  }

  /** The CPU: the options' machine profile, else the calibrated one, else the built-in figures. */
  private static SelectionTarget cpu(CompileOptions options) {
    MachineProfile machine = options.machineProfile() != null ? options.machineProfile()
        : MachineProfile.cached();
    return SelectionTarget.cpu(machine, options.threads());
  }

  private static AlgorithmSelection select(Graph optimized, CompileOptions options,
      SelectionTarget target) {
    return AlgorithmSelector.select(optimized, new AlgorithmSelector.Request(options.threads(),
        options.memoryBudget(), options.memoryMode(), options.forcedAlgorithm(), target,
        options.autotune() ? Autotuner.DEFAULT_TIMING : null));
  }

  private static Graph optimize(Graph imported, CompileOptions options) {
    return options.optimize() ? Pipeline.standard().run(imported, PassContext.quiet()) : imported;
  }

  private static Map<String, ConvChoice> directEverywhere(Graph graph) {
    Map<String, ConvChoice> choices = new LinkedHashMap<>();
    for (Node n : graph.nodes()) {
      if (n.op() instanceof Conv || n.op() instanceof FusedConv) {
        choices.put(n.name(), ConvChooser.DIRECT.choose(n, Lowering.convShape(n, graph)));
      }
    }
    return choices;
  }

  /** Reports a stage that began at {@code start}; returns when the next one begins. */
  private static long stageDone(CompileListener listener, CompileListener.Stage stage, long start) {
    long now = System.nanoTime();
    listener.stageDone(stage, now - start);
    return System.nanoTime();
  }
}
