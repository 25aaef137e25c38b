package dev.kiln.compiler.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.kiln.compiler.KilnException;
import dev.kiln.compiler.api.CompileOptions;
import dev.kiln.compiler.api.Compiler;
import dev.kiln.compiler.codegen.opencl.OpenClTarget;
import dev.kiln.compiler.importer.ModelImporter;
import dev.kiln.compiler.ir.Cost;
import dev.kiln.compiler.ir.Graph;
import dev.kiln.compiler.ir.GraphPrinter;
import dev.kiln.compiler.ir.TensorType;
import dev.kiln.compiler.ir.Value;
import dev.kiln.compiler.passes.PassContext;
import dev.kiln.compiler.passes.Pipeline;
import dev.kiln.compiler.passes.Rewrite;
import dev.kiln.compiler.report.CompileReport;
import dev.kiln.compiler.report.LayerCost;
import dev.kiln.compiler.report.OptimizationReport;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/**
 * {@code kiln inspect}: per-layer shapes, parameters, FLOPs, bytes and arithmetic intensity, of the
 * imported or the optimized graph, and what the optimizer did.
 */
@Command(
    name = "inspect",
    mixinStandardHelpOptions = true,
    description = {
      "Prints each layer's op, output shape, parameters, FLOPs, bytes moved and"
          + " arithmetic intensity (FLOPs/byte), with totals: where a roofline analysis starts.",
      "Ends with the compiled model's summary: convolution algorithms, estimated latency, memory"
          + " peak against the budget (--memory-budget, --memory-mode); with --target opencl, the"
          + " device's.",
      "With --optimized, of the graph after Kiln's passes, with what they did.",
      "--dump-after and --trace-passes write to stderr, so --json output stays parseable."
    })
final class InspectCommand implements Callable<Integer> {
  /** {@code --dump-after all} dumps after every pass. */
  static final String ALL_PASSES = "all";

  @Spec CommandSpec spec;

  @Parameters(index = "0", paramLabel = "MODEL", description = "The model (.onnx or .json).")
  Path model;

  @Option(names = "--json", description = "Print JSON instead of a table.")
  boolean json;

  @Option(names = "--optimized",
      description = "Describe the graph after Kiln's optimization passes, and list the rewrites.")
  boolean optimized;

  @Option(names = "--dump-after", paramLabel = "PASS",
      description = "Print the graph after each run of PASS (a pass name, or 'all') to stderr."
          + " Implies --optimized.")
  List<String> dumpAfter = new ArrayList<>();

  @Option(names = "--trace-passes",
      description = "Log every rewrite that fired and every candidate refused, with the reason, to"
          + " stderr. Implies --optimized.")
  boolean tracePasses;

  @Option(names = "--target", paramLabel = "TARGET", defaultValue = "cpu",
      description = "Whose algorithm selection the summary shows: cpu or opencl (the device's"
          + " algorithms under the device memory budget); default: ${DEFAULT-VALUE}.")
  String target;

  @Mixin InputOptions inputOptions;

  @Mixin SelectionOptions selectionOptions;

  @Override
  public Integer call() throws Exception {
    if (!target.equals("cpu") && !target.equals("opencl")) {
      throw new KilnException("--target must be cpu or opencl, got '" + target + "'");
    }
    CompileOptions.Builder builder = CompileOptions.builder()
        .importOptions(inputOptions.importOptions());
    CompileOptions compileOptions = (target.equals("opencl")
        ? selectionOptions.applyToDevice(builder) : selectionOptions.applyTo(builder)).build();
    Graph graph = ModelImporter.load(model, inputOptions.importOptions());
    String summary = summary(graph, compileOptions);
    OptimizationReport optimization = null;
    if (optimized || tracePasses || !dumpAfter.isEmpty()) {
      Graph imported = graph;
      Pipeline pipeline = Pipeline.standard();
      PassContext ctx = passContext(pipeline, spec.commandLine().getErr());
      graph = pipeline.run(imported, ctx);
      optimization = OptimizationReport.of(imported, graph, ctx.log());
    }
    List<LayerCost> layers = LayerCost.of(graph);
    PrintWriter out = spec.commandLine().getOut();
    if (json) {
      ObjectMapper mapper = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
      ObjectNode root = toJson(mapper, graph, layers, optimization);
      root.put("summary", summary);
      out.println(mapper.writeValueAsString(root));
    } else {
      printTable(out, graph, layers);
      if (optimization != null) {
        printOptimization(out, optimization);
      }
      out.println("summary: " + summary);
    }
    return Main.OK;
  }

  /**
   * The algorithm selection's one-line summary for the compiled model. A model that cannot be
   * compiled can still be inspected: the line then says why, unless selection options were given
   * (an infeasible budget, say: then the error is the answer).
   */
  private String summary(Graph imported, CompileOptions options) {
    try {
      return CompileReport.summary(target.equals("opencl")
          ? Compiler.selectAlgorithms(imported, options, OpenClTarget.INSTANCE)
          : Compiler.selectAlgorithms(imported, options));
    } catch (KilnException e) {
      if (selectionOptions.given()) {
        throw e;
      }
      return "not compiled: " + e.getMessage();
    }
  }

  /** The trace and the dumps the options ask for, both to {@code err}. */
  private PassContext passContext(Pipeline pipeline, PrintWriter err) {
    List<String> dumped = new ArrayList<>();
    for (String requested : dumpAfter) {
      String match = requested.equalsIgnoreCase(ALL_PASSES) ? ALL_PASSES : null;
      for (String name : pipeline.passNames()) {
        if (name.equalsIgnoreCase(requested)) {
          match = name;
        }
      }
      if (match == null) {
        throw new KilnException("--dump-after: no pass named '" + requested + "'; the passes are "
            + String.join(", ", pipeline.passNames()) + " (or " + ALL_PASSES + ")");
      }
      dumped.add(match);
    }
    PassContext.Builder ctx = PassContext.builder();
    if (tracePasses) {
      ctx.trace(err::println);
    }
    if (!dumped.isEmpty()) {
      ctx.afterEachPass((pass, g) -> {
        if (dumped.contains(pass.name()) || dumped.contains(ALL_PASSES)) {
          err.println("// after " + pass.name());
          err.print(GraphPrinter.print(g));
          err.flush();
        }
      });
    }
    return ctx.build();
  }

  static ObjectNode toJson(ObjectMapper mapper, Graph graph, List<LayerCost> layers,
      OptimizationReport optimization) {
    ObjectNode root = mapper.createObjectNode();
    root.put("model", graph.source());
    ObjectNode graphNode = root.putObject("graph");
    graphNode.put("name", graph.name());
    if (optimization != null) {
      optimization.writeTo(graphNode);
    }
    root.put("opset", graph.opset());
    ArrayNode inputs = root.putArray("inputs");
    for (Value in : graph.inputs()) {
      inputs.addObject().put("name", in.name()).put("type", in.type().toString());
    }
    ArrayNode outputs = root.putArray("outputs");
    for (String out : graph.outputs()) {
      outputs.addObject().put("name", out).put("type", graph.type(out).toString());
    }
    ArrayNode array = root.putArray("layers");
    for (LayerCost l : layers) {
      ObjectNode o = array.addObject();
      o.put("name", l.name());
      o.put("op", l.op());
      ArrayNode shapes = o.putArray("outputs");
      for (TensorType t : l.outputTypes()) {
        shapes.add(t == null ? "" : t.toString());
      }
      putCost(o, l.cost());
      o.put("parameters", l.parameters());
    }
    Cost total = LayerCost.total(layers);
    ObjectNode totals = root.putObject("total");
    putCost(totals, total);
    totals.put("parameters", layers.stream().mapToLong(LayerCost::parameters).sum());
    totals.put("layers", layers.size());
    return root;
  }

  private static void putCost(ObjectNode o, Cost c) {
    o.put("flops", c.flops());
    o.put("parameterBytes", c.parameterBytes());
    o.put("bytesRead", c.bytesRead());
    o.put("bytesWritten", c.bytesWritten());
    o.put("bytes", c.bytesMoved());
    o.put("arithmeticIntensity", c.arithmeticIntensity());
  }

  private static void printTable(PrintWriter out, Graph graph, List<LayerCost> layers) {
    int nameWidth = Math.max(5, Math.min(40, layers.stream().mapToInt(l -> l.name().length()).max().orElse(5)));
    String row = "%-" + nameWidth + "s  %-20s %-20s %12s %12s %12s %9s%n";
    out.printf(Locale.ROOT, "%s (opset %d): %s%n", graph.source(), graph.opset(), graph.name());
    out.printf(Locale.ROOT, row, "layer", "op", "output", "params", "MFLOPs", "KB moved", "FLOP/B");
    for (LayerCost l : layers) {
      Cost c = l.cost();
      String shape = l.outputTypes().isEmpty() || l.outputTypes().get(0) == null
          ? "" : l.outputTypes().get(0).shape().toString();
      out.printf(Locale.ROOT, row, abbreviate(l.name(), nameWidth), l.op(), shape, l.parameters(),
          String.format(Locale.ROOT, "%.3f", c.flops() / 1e6),
          String.format(Locale.ROOT, "%.1f", c.bytesMoved() / 1024.0),
          String.format(Locale.ROOT, "%.2f", c.arithmeticIntensity()));
    }
    Cost total = LayerCost.total(layers);
    long params = layers.stream().mapToLong(LayerCost::parameters).sum();
    out.printf(Locale.ROOT, "total: %d layers, %d parameters, %.3f GFLOPs, %.2f MB moved,"
        + " %.2f FLOP/B%n", layers.size(), params, total.flops() / 1e9, total.bytesMoved() / 1e6,
        total.arithmeticIntensity());
  }

  /** {@code optimized: 61 -> 22 nodes, 45 rewrites (FoldConvBatchNorm 20, ...)}. */
  private static void printOptimization(PrintWriter out, OptimizationReport r) {
    int before = r.nodesBefore().values().stream().mapToInt(Integer::intValue).sum();
    int after = r.nodesAfter().values().stream().mapToInt(Integer::intValue).sum();
    Map<String, Integer> byPass = new LinkedHashMap<>();
    for (Rewrite w : r.rewrites()) {
      byPass.merge(w.pass(), 1, Integer::sum);
    }
    List<String> parts = new ArrayList<>();
    byPass.forEach((pass, n) -> parts.add(pass + " " + n));
    out.printf(Locale.ROOT, "optimized: %d -> %d nodes, %d rewrites (%s), %d candidates refused%n",
        before, after, r.rewrites().size(), String.join(", ", parts), r.refused().size());
  }

  private static String abbreviate(String s, int width) {
    return s.length() <= width ? s : s.substring(0, width - 1) + "…";
  }
}
