package dev.kiln.compiler.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.kiln.compiler.api.CompileResult;
import dev.kiln.compiler.api.MemoryMode;
import dev.kiln.compiler.ir.Graph;
import dev.kiln.compiler.memory.MemoryPlan;
import dev.kiln.compiler.select.SelectionTesting;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CompileReportTest {
  private static final Graph NET = SelectionTesting.smallNetGraph();

  @TempDir Path dir;

  private static List<String> keys(JsonNode node) {
    List<String> keys = new ArrayList<>();
    node.fieldNames().forEachRemaining(keys::add);
    return keys;
  }

  @Test
  void memoryIsTheProgramsAndThePlans() throws IOException {
    long budget = SelectionTesting.compile(NET, MemoryMode.BALANCED).selection().peakBytes() + 1000;
    CompileResult r = SelectionTesting.compile(NET, budget);
    Path file = dir.resolve("r/small.report.json");
    CompileReport.write(file, r);
    JsonNode root = new ObjectMapper().readTree(Files.readString(file));

    assertEquals(List.of("kiln", "model", "graph", "threads", "machine", "selection", "memory", "layers"),
        keys(root));
    assertEquals("small.onnx", root.get("model").asText());
    assertEquals(2, root.get("threads").asInt());
    assertEquals("built-in", root.get("machine").get("source").asText());
    assertEquals("budget", root.get("selection").get("mode").asText());
    assertFalse(root.get("selection").get("autotune").asBoolean());

    JsonNode memory = root.get("memory");
    assertEquals(List.of("budgetBytes", "peakBytes", "weightBytes", "arenaBytes", "ioBytes",
        "workspaceBytes", "lowerBoundBytes", "noReuseBytes", "efficiency", "minimumPeakBytes",
        "strategy"), keys(memory));
    MemoryPlan plan = r.program().plan();
    assertEquals(budget, memory.get("budgetBytes").asLong());
    assertEquals(r.program().memoryBytes(), memory.get("peakBytes").asLong());
    assertEquals(memory.get("weightBytes").asLong() + memory.get("arenaBytes").asLong(),
        memory.get("peakBytes").asLong());
    assertTrue(memory.get("peakBytes").asLong() <= budget);
    assertEquals(plan.arenaBytes(), memory.get("arenaBytes").asLong());
    assertEquals(plan.lowerBoundBytes(), memory.get("lowerBoundBytes").asLong());
    assertEquals(plan.noReuseBytes(), memory.get("noReuseBytes").asLong());
    assertEquals(plan.workspaceBytes(), memory.get("workspaceBytes").asLong());
    assertEquals(plan.efficiency(), memory.get("efficiency").asDouble());
    assertEquals((16 * 24 * 24 + 10) * 4, memory.get("ioBytes").asLong());
    assertEquals(r.selection().minimumPeakBytes(), memory.get("minimumPeakBytes").asLong());
  }

  @Test
  void everyLayerThatRunsIsListedAndConvolutionsExplainTheirChoice() throws IOException {
    CompileResult r = SelectionTesting.compile(NET, MemoryMode.FAST);
    JsonNode root = new ObjectMapper().readTree(CompileReport.toString(r));
    JsonNode layers = root.get("layers");
    List<String> names = new ArrayList<>();
    layers.forEach(l -> names.add(l.get("name").asText()));
    // relu1 is fused into conv1, add into conv4; flatten is a view.
    assertEquals(List.of("conv1", "conv2", "conv3", "conv4", "dw", "gap", "fc"), names);
    double total = 0;
    for (JsonNode layer : layers) {
      assertEquals(List.of("name", "op", "algorithm", "flops", "weightBytes", "workspaceBytes",
          "estimatedNanos", "reason"), keys(layer).stream().filter(k -> !k.equals("candidates")).toList());
      total += layer.get("estimatedNanos").asDouble();
    }
    assertEquals(root.get("selection").get("estimatedNanos").asDouble(), total, 1e-6 * total);

    JsonNode conv4 = layers.get(3);
    assertEquals("kiln.FusedConv", conv4.get("op").asText());
    assertEquals("winograd-f2", conv4.get("algorithm").asText());
    assertTrue(conv4.get("reason").asText().startsWith("Winograd F(2,3): "), conv4.toString());
    List<String> candidates = new ArrayList<>();
    conv4.get("candidates").forEach(c -> candidates.add(c.get("algorithm").asText()));
    assertEquals(List.of("winograd-f4", "winograd-f2", "winograd-f6", "tiled", "direct"), candidates);
    JsonNode chosen = conv4.get("candidates").get(1);
    assertEquals(chosen.get("weightBytes"), conv4.get("weightBytes"));
    assertEquals(chosen.get("estimatedNanos"), conv4.get("estimatedNanos"));

    JsonNode fc = layers.get(6);
    assertEquals("Gemm", fc.get("op").asText());
    assertEquals((long) r.program().weightFloatsByLayer().get("fc") * Float.BYTES,
        fc.get("weightBytes").asLong());
    assertFalse(fc.has("candidates"));
  }

  @Test
  void theSummaryIsOneLine() {
    assertEquals("5 convolutions (tiled 2, depthwise 1, gemm-1x1 1, winograd-f2 1), estimated 0.11 ms, peak"
        + " 637.9 KiB (fast: no budget; the minimum is 274.9 KiB)",
        CompileReport.summary(SelectionTesting.compile(NET, MemoryMode.FAST).selection()));
    assertEquals("5 convolutions (direct 3, depthwise 1, gemm-1x1 1), estimated 10.92 ms, peak"
        + " 275.3 KiB (low: within 1% of the minimum, 274.9 KiB)",
        CompileReport.summary(SelectionTesting.compile(NET, MemoryMode.LOW).selection()));
    long budget = 400_000;
    String line = CompileReport.summary(SelectionTesting.compile(NET, budget).selection());
    assertTrue(line.endsWith(" of a 390.6 KiB budget"), line);
  }
}
