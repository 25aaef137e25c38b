package dev.kiln.compiler.report;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.kiln.compiler.Version;
import dev.kiln.compiler.api.CompileResult;
import dev.kiln.compiler.api.MemoryMode;
import dev.kiln.compiler.api.MemorySize;
import dev.kiln.compiler.io.AtomicFiles;
import dev.kiln.compiler.lower.KernelCall;
import dev.kiln.compiler.lower.Program;
import dev.kiln.compiler.memory.MemoryPlan;
import dev.kiln.compiler.select.AlgorithmSelection;
import dev.kiln.compiler.select.Candidate;
import dev.kiln.compiler.select.CostModel;
import dev.kiln.compiler.select.KernelChoice;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * {@code report.json}: what a compilation decided and what the model will hold. {@code kiln compile}
 * writes it beside the generated class ({@code P/Name.report.json}, or {@code --report FILE}); the
 * benchmark's report.html and the Maven plugin extend the tree {@link #toJson} returns.
 *
 * <pre>
 * { "kiln", "model", "graph", "threads",
 *   "machine":   the cost model's figures and where they come from,
 *   "selection": { "mode", "autotune", "estimatedNanos", "algorithms": { name: count } },
 *   "memory":    { "budgetBytes" (null: no limit), "peakBytes" = weightBytes + arenaBytes,
 *                  "weightBytes", "arenaBytes", "ioBytes", "workspaceBytes", "lowerBoundBytes",
 *                  "noReuseBytes", "efficiency", "minimumPeakBytes", "strategy" },
 *   "layers": [ { "name", "op", "algorithm", "flops", "weightBytes", "workspaceBytes",
 *                 "estimatedNanos", "measuredNanos"?, "reason", "candidates": [ ... ] } ] }
 * </pre>
 *
 * {@code memory.peakBytes} is exactly what the compiled model's {@code memoryBytes()} reports. The
 * memory numbers besides it are the plan's (see docs/memory-planning.md): the arena includes the
 * scratch ({@code workspaceBytes} is the largest scratch buffer) and the input and output slots
 * ({@code ioBytes}). Layers are listed in execution order; nodes the plan eliminated (views, Concats
 * written in place) run no code and are left out.
 */
public final class CompileReport {
  private static final ObjectMapper MAPPER = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

  private CompileReport() {}

  /** The report of a compilation with a selection stage (for the CPU or a device). */
  public static ObjectNode toJson(CompileResult result) {
    AlgorithmSelection selection = requireSelection(result);
    Program program = result.program();
    MemoryPlan plan = program.plan();
    ObjectNode root = MAPPER.createObjectNode();
    root.put("kiln", Version.KILN);
    root.put("model", result.optimized().source());
    root.put("graph", result.optimized().name());
    root.put("threads", selection.threads());

    root.set("machine", selection.target().describe());

    ObjectNode sel = root.putObject("selection");
    sel.put("mode", modeName(selection));
    sel.put("autotune", selection.autotuned());
    sel.put("estimatedNanos", selection.estimatedNanos());
    ObjectNode counts = sel.putObject("algorithms");
    selection.algorithmCounts().forEach(counts::put);

    ObjectNode memory = root.putObject("memory");
    if (selection.budgetBytes() == null) {
      memory.putNull("budgetBytes");
    } else {
      memory.put("budgetBytes", selection.budgetBytes());
    }
    memory.put("peakBytes", program.memoryBytes());
    memory.put("weightBytes", (long) program.weightFloats() * Float.BYTES);
    memory.put("arenaBytes", plan.arenaBytes());
    memory.put("ioBytes", ioBytes(program));
    memory.put("workspaceBytes", plan.workspaceBytes());
    memory.put("lowerBoundBytes", plan.lowerBoundBytes());
    memory.put("noReuseBytes", plan.noReuseBytes());
    memory.put("efficiency", plan.efficiency());
    memory.put("minimumPeakBytes", selection.minimumPeakBytes());
    memory.put("strategy", plan.strategy());

    ArrayNode layers = root.putArray("layers");
    Map<String, KernelCall> firstCall = new LinkedHashMap<>();
    for (KernelCall call : program.calls()) {
      firstCall.putIfAbsent(call.layer(), call);
    }
    for (String layer : plan.schedule()) {
      if (plan.isEliminated(layer)) {
        continue;
      }
      KernelChoice choice = selection.choices().get(layer);
      if (choice != null) {
        layers.add(convLayer(choice));
      } else {
        layers.add(otherLayer(layer, firstCall.get(layer), selection.otherLayers().get(layer),
            program.weightFloatsByLayer().getOrDefault(layer, 0)));
      }
    }
    return root;
  }

  private static ObjectNode convLayer(KernelChoice c) {
    ObjectNode o = MAPPER.createObjectNode();
    o.put("name", c.layer());
    o.put("op", c.op());
    o.put("algorithm", c.algorithm());
    putCandidate(o, c.chosen());
    o.put("reason", c.reason());
    ArrayNode candidates = o.putArray("candidates");
    for (Candidate k : c.candidates()) {
      ObjectNode e = candidates.addObject();
      e.put("algorithm", k.algorithm());
      putCandidate(e, k);
    }
    return o;
  }

  private static void putCandidate(ObjectNode o, Candidate c) {
    o.put("flops", c.flops());
    o.put("weightBytes", c.weightBytes());
    o.put("workspaceBytes", c.workspaceBytes());
    o.put("estimatedNanos", c.estimatedNanos());
    if (c.measured()) {
      o.put("measuredNanos", c.measuredNanos());
    }
  }

  private static ObjectNode otherLayer(String layer, KernelCall call, CostModel.Estimate estimate,
      int weightFloats) {
    ObjectNode o = MAPPER.createObjectNode();
    o.put("name", layer);
    o.put("op", call == null ? "" : call.opType());
    o.put("algorithm", call == null ? "" : call.owner().getSimpleName() + "." + call.method());
    o.put("flops", estimate == null ? 0 : estimate.flops());
    o.put("weightBytes", (long) weightFloats * Float.BYTES);
    o.put("workspaceBytes", 0);
    o.put("estimatedNanos", estimate == null ? 0 : estimate.nanos());
    o.put("reason", "the one implementation of " + (call == null ? "this layer" : call.opType()));
    return o;
  }

  /** Writes {@link #toJson} to {@code file}, atomically. */
  public static void write(Path file, CompileResult result) {
    AtomicFiles.write(file, (toString(result) + "\n").getBytes(StandardCharsets.UTF_8));
  }

  public static String toString(CompileResult result) {
    try {
      return MAPPER.writeValueAsString(toJson(result));
    } catch (JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
  }

  /**
   * One line for the terminal: {@code 20 convolutions (winograd-f4 8, tiled 6, ...), estimated
   * 15.1 ms, peak 55.9 MiB of a 56.0 MiB budget}.
   */
  public static String summary(AlgorithmSelection s) {
    List<String> counts = new ArrayList<>();
    s.algorithmCounts().entrySet().stream()
        .sorted(Map.Entry.<String, Integer>comparingByValue().reversed())
        .forEach(e -> counts.add(e.getKey() + " " + e.getValue()));
    String convs = s.choices().size() + (s.choices().size() == 1 ? " convolution" : " convolutions")
        + (counts.isEmpty() ? "" : " (" + String.join(", ", counts) + ")");
    String peak = "peak " + MemorySize.format(s.peakBytes());
    if (s.mode() == null) {
      peak += " of a " + MemorySize.format(s.budgetBytes()) + " budget";
    } else if (s.mode() == MemoryMode.LOW) {
      peak += " (low: within 1% of the minimum, " + MemorySize.format(s.minimumPeakBytes()) + ")";
    } else if (s.mode() == MemoryMode.BALANCED) {
      peak += " (balanced: the knee of the speed/memory frontier; the minimum is "
          + MemorySize.format(s.minimumPeakBytes()) + ")";
    } else {
      peak += " (fast: no budget; the minimum is " + MemorySize.format(s.minimumPeakBytes()) + ")";
    }
    return String.format(Locale.ROOT, "%s, estimated %s%s, %s", convs, time(s.estimatedNanos()),
        s.autotuned() ? " (convolutions measured)" : "", peak);
  }

  /** "15.07 ms", or "7.31 µs" below a tenth of a millisecond (a small model on a GPU-class device). */
  static String time(double nanos) {
    return nanos >= 100_000 ? String.format(Locale.ROOT, "%.2f ms", nanos / 1e6)
        : String.format(Locale.ROOT, "%.2f µs", nanos / 1e3);
  }

  private static String modeName(AlgorithmSelection s) {
    return s.mode() == null ? "budget" : s.mode().cliName();
  }

  private static long ioBytes(Program program) {
    long floats = 0;
    for (Program.IoSlot slot : program.inputs()) {
      floats += slot.elements();
    }
    for (Program.IoSlot slot : program.outputs()) {
      floats += slot.elements();
    }
    return floats * Float.BYTES;
  }

  private static AlgorithmSelection requireSelection(CompileResult result) {
    if (result.selection() == null) {
      throw new IllegalArgumentException("no report for a compilation without a selection stage"
          + " (reference kernels)");
    }
    return result.selection();
  }
}
