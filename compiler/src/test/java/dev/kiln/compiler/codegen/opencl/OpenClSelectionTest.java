package dev.kiln.compiler.codegen.opencl;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.kiln.compiler.KilnException;
import dev.kiln.compiler.api.CompileOptions;
import dev.kiln.compiler.api.CompileResult;
import dev.kiln.compiler.api.MemoryMode;
import dev.kiln.compiler.exec.GraphInterpreter;
import dev.kiln.compiler.exec.ProgramModel;
import dev.kiln.compiler.ir.Graph;
import dev.kiln.compiler.ir.Tensor;
import dev.kiln.compiler.report.CompileReport;
import dev.kiln.compiler.select.AlgorithmSelection;
import dev.kiln.compiler.select.Candidate;
import dev.kiln.compiler.select.KernelChoice;
import dev.kiln.compiler.select.SelectionTesting;
import dev.kiln.compiler.testing.TensorAssert;
import dev.kiln.compiler.testing.Tensors;
import dev.kiln.runtime.opencl.OpenClModel;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/**
 * The device's convolution algorithms come from the same selection stage as the CPU's: on the
 * selection tests' small network (two Winograd-able layers, a strided one, a 1×1, a depthwise one),
 * the device's candidates and estimate under a device memory budget or mode.
 */
class OpenClSelectionTest {
  private static final Graph NET = SelectionTesting.smallNetGraph();
  private static final String WINOGRAD = "cl-winograd-f2x2";
  private static final String TILED = "cl-tiled";

  private static CompileOptions.Builder options() {
    return CompileOptions.builder().threads(SelectionTesting.THREADS);
  }

  private static CompileResult compile(MemoryMode mode) {
    return OpenClBackend.compile(NET, options().memoryMode(mode).build());
  }

  private static CompileResult compile(long budget) {
    return OpenClBackend.compile(NET, options().memoryBudget(budget).build());
  }

  /** Every peak the selection proves is the device memory the program holds. */
  private static void assertProved(CompileResult r, String what) {
    assertEquals(r.selection().peakBytes(), OpenClBackend.deviceBytes(r.program()), what);
    assertEquals(r.selection().plan(), r.program().plan(), what);
  }

  private static Map<String, String> algorithms(AlgorithmSelection s) {
    Map<String, String> algorithms = new TreeMap<>();
    s.choices().forEach((layer, c) -> algorithms.put(layer, c.algorithm()));
    return algorithms;
  }

  @Test
  void withoutABudgetEachLayerGetsItsFastestDeviceAlgorithm() {
    CompileResult r = compile(MemoryMode.FAST);
    AlgorithmSelection s = r.selection();
    assertProved(r, "fast");
    assertNull(s.budgetBytes());
    assertEquals(Map.of("conv1", WINOGRAD, "conv2", TILED, "conv3", TILED, "conv4", WINOGRAD,
        "dw", TILED), algorithms(s));
    for (KernelChoice c : s.choices().values()) {
      double fastest = c.candidates().stream().mapToDouble(Candidate::nanos).min().orElseThrow();
      assertEquals(fastest, c.chosen().nanos(), c.layer());
    }
    KernelChoice conv4 = s.choices().get("conv4");
    Candidate tiled = candidate(conv4, TILED);
    assertEquals(String.format(Locale.ROOT, "cl-winograd-f2x2: %.1fx faster than cl-tiled, +63.0 KiB"
        + " weights, no budget", tiled.nanos() / conv4.chosen().nanos()), conv4.reason());
    assertEquals((16 - 9) * 48 * 48 * Float.BYTES, conv4.weightBytes() - tiled.weightBytes());
    // The hard gates: stride 2, 1×1 and depthwise leave the tiled algorithm alone.
    assertEquals("cl-tiled: the only algorithm that supports this layer",
        s.choices().get("conv2").reason());
    assertEquals(1, s.choices().get("dw").candidates().size());
  }

  @Test
  void lowIsTiledEverywhereAndBalancedLiesBetween() {
    CompileResult low = compile(MemoryMode.LOW);
    CompileResult balanced = compile(MemoryMode.BALANCED);
    CompileResult fast = compile(MemoryMode.FAST);
    for (CompileResult r : new CompileResult[] {low, balanced, fast}) {
      assertProved(r, r.selection().mode().toString());
    }
    assertTrue(low.selection().choices().values().stream().allMatch(c -> c.algorithm().equals(TILED)));
    assertEquals(low.selection().peakBytes(), low.selection().minimumPeakBytes());
    CompileResult allTiled = OpenClBackend.compile(NET, options().forcedAlgorithm(TILED).build());
    assertEquals(OpenClBackend.deviceBytes(allTiled.program()), low.selection().peakBytes(),
        "nothing needs less device memory than the tiled algorithm everywhere");
    long lowPeak = low.selection().peakBytes();
    long balancedPeak = balanced.selection().peakBytes();
    long fastPeak = fast.selection().peakBytes();
    assertTrue(lowPeak <= balancedPeak && balancedPeak <= fastPeak, lowPeak + " " + balancedPeak
        + " " + fastPeak);
    assertTrue(lowPeak < fastPeak);
    assertTrue(fast.selection().estimatedNanos() <= balanced.selection().estimatedNanos()
        && balanced.selection().estimatedNanos() <= low.selection().estimatedNanos());
  }

  /**
   * A budget between the all-tiled and the all-Winograd device memory: Winograd where it fits, the
   * tiled algorithm where the budget keeps it out, and the proved peak is the program's.
   */
  @Test
  void aBudgetBetweenAllTiledAndAllWinogradGivesAMixThatFits() {
    long low = compile(MemoryMode.LOW).selection().peakBytes();
    long fast = compile(MemoryMode.FAST).selection().peakBytes();
    CompileResult conv4Only = compile(fast - 1);
    assertProved(conv4Only, "one byte short");
    AlgorithmSelection s = conv4Only.selection();
    assertTrue(s.peakBytes() <= fast - 1, s.peakBytes() + " > " + (fast - 1));
    Map<String, String> algorithms = algorithms(s);
    assertEquals(1, algorithms.values().stream().filter(WINOGRAD::equals).count(), algorithms.toString());
    KernelChoice excluded = s.choices().values().stream()
        .filter(c -> c.algorithm().equals(TILED) && c.candidates().size() == 2).findFirst()
        .orElseThrow();
    assertTrue(excluded.reason().startsWith("cl-tiled: cl-winograd-f2x2 would exceed the budget by "),
        excluded.reason());

    double previous = Double.POSITIVE_INFINITY;
    for (int i = 0; i <= 8; i++) {
      long budget = low + (fast - low) * i / 8;
      CompileResult r = compile(budget);
      assertProved(r, "budget " + budget);
      assertTrue(r.selection().peakBytes() <= budget, budget + ": peak " + r.selection().peakBytes());
      assertTrue(r.selection().estimatedNanos() <= previous, "budget " + budget);
      previous = r.selection().estimatedNanos();
    }
    assertEquals(compile(MemoryMode.FAST).selection().estimatedNanos(), previous);
  }

  @Test
  void anInfeasibleDeviceBudgetNamesTheMinimumAndTheLargestConsumers() {
    long minimum = compile(MemoryMode.LOW).selection().peakBytes();
    assertEquals(277_248, minimum);
    KilnException e = assertThrows(KilnException.class, () -> compile(minimum - 1));
    assertEquals("small.onnx: the device memory budget of 270.7 KiB (277247 bytes) is below this"
        + " model's minimum feasible peak of 270.8 KiB (277248 bytes); the largest consumers are the"
        + " arena of activations, scratch and I/O (126.0 KiB), the weights of 'conv4' (81.0 KiB) and"
        + " the weights of 'conv2' (36.0 KiB)", e.getMessage());
    assertEquals(minimum, compile(minimum).selection().peakBytes(), "the minimum itself is feasible");
  }

  /** Every mode's device program computes what the graph computes: on the CPU twin, and on a device. */
  @Test
  void everyModeComputesWhatTheGraphComputes() {
    Tensor input = Tensors.random(42, 1, 16, 24, 24);
    Tensor expected = GraphInterpreter.run(NET, Map.of("image", input)).get("logits");
    for (MemoryMode mode : MemoryMode.values()) {
      try (ProgramModel model = new ProgramModel(compile(mode).program())) {
        TensorAssert.assertClose(expected, Tensor.adopt(expected.shape(),
            model.run(input.toFloatArray())), 1e-4, mode + ", the device program on the CPU");
      }
    }
    long low = compile(MemoryMode.LOW).selection().peakBytes();
    long fast = compile(MemoryMode.FAST).selection().peakBytes();
    CompileResult mixed = compile((low + fast) / 2);
    try (OpenClModel device = OpenClTesting.load(mixed)) {
      float[] actual = device.run(Map.of("image", input.toFloatArray())).get("logits");
      TensorAssert.assertClose(expected, Tensor.adopt(expected.shape(), actual), 1e-4,
          "a mixed selection on " + device.context().describe());
    }
  }

  @Test
  void theReportAndSummaryShowTheDeviceChoices() {
    CompileResult r = compile(MemoryMode.FAST);
    JsonNode report = CompileReport.toJson(r);
    assertEquals("nominal OpenCL device (assumed figures, not measured)",
        report.get("machine").get("source").asText());
    assertEquals("fast", report.get("selection").get("mode").asText());
    assertEquals(2, report.get("selection").get("algorithms").get(WINOGRAD).asInt());
    assertEquals(OpenClBackend.deviceBytes(r.program()), report.get("memory").get("peakBytes").asLong());
    assertTrue(CompileReport.summary(r.selection()).startsWith(
        "5 convolutions (cl-tiled 3, cl-winograd-f2x2 2), estimated "), CompileReport.summary(r.selection()));
  }

  @Test
  void autotuningAndCpuAlgorithmsAreRefused() {
    assertEquals("autotuning times the CPU's algorithms on this machine; nothing measures the"
        + " device's, so it does not go with the OpenCL target", assertThrows(KilnException.class,
            () -> OpenClBackend.compile(NET, options().autotune(true).build())).getMessage());
    assertEquals("no convolution algorithm 'winograd-f4' (known: cl-winograd-f2x2, cl-tiled)",
        assertThrows(KilnException.class, () -> OpenClBackend.compile(NET,
            options().forcedAlgorithm("winograd-f4").build())).getMessage());
  }

  private static Candidate candidate(KernelChoice c, String algorithm) {
    return c.candidates().stream().filter(k -> k.algorithm().equals(algorithm)).findFirst()
        .orElseThrow();
  }
}
