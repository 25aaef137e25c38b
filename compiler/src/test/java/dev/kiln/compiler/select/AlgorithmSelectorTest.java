package dev.kiln.compiler.select;

import static dev.kiln.compiler.select.SelectionTesting.compile;
import static dev.kiln.compiler.select.SelectionTesting.options;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kiln.compiler.KilnException;
import dev.kiln.compiler.api.CompileResult;
import dev.kiln.compiler.api.Compiler;
import dev.kiln.compiler.api.MemoryMode;
import dev.kiln.compiler.bench.Timing;
import dev.kiln.compiler.exec.GraphInterpreter;
import dev.kiln.compiler.exec.ProgramModel;
import dev.kiln.compiler.ir.Graph;
import dev.kiln.compiler.ir.Tensor;
import dev.kiln.compiler.testing.TensorAssert;
import dev.kiln.compiler.testing.Tensors;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The selection on a small network: modes, budgets, the proof, reasons and errors. */
class AlgorithmSelectorTest {
  private static final Graph NET = SelectionTesting.smallNetGraph();

  /**
   * The fully connected layer packs its input into scratch: the selection plans that scratch too,
   * in every mode, so the peak it proves is the program's to the byte.
   */
  @Test
  void theScratchOfLayersThatAreNotConvolutionsIsPlannedAndCounted() {
    for (MemoryMode mode : MemoryMode.values()) {
      CompileResult r = compile(NET, mode);
      assertTrue(r.selection().plan().scratch("fc") != null, mode + ": no scratch planned for fc");
      assertEquals(r.selection().peakBytes(), r.program().memoryBytes(), mode.toString());
    }
  }

  @Test
  void fastTakesEachLayersFastestCandidateAndHasNoBudget() {
    AlgorithmSelection s = compile(NET, MemoryMode.FAST).selection();
    assertNull(s.budgetBytes());
    assertEquals(MemoryMode.FAST, s.mode());
    for (KernelChoice c : s.choices().values()) {
      double fastest = c.candidates().stream().mapToDouble(Candidate::nanos).min().orElseThrow();
      assertEquals(fastest, c.chosen().nanos(), c.layer());
    }
    assertEquals("winograd-f2", s.choices().get("conv4").algorithm());
    // A stride-2 convolution never gets Winograd (the hard gate), a depthwise one its own kernel.
    assertTrue(s.choices().get("conv2").candidates().stream()
        .noneMatch(c -> c.algorithm().startsWith("winograd")));
    assertEquals("depthwise", s.choices().get("dw").algorithm());
  }

  @Test
  void noBudgetMeansFast() {
    AlgorithmSelection none = Compiler.compile(NET, options().build()).selection();
    AlgorithmSelection fast = compile(NET, MemoryMode.FAST).selection();
    assertEquals(fast.peakBytes(), none.peakBytes());
    assertEquals(fast.estimatedNanos(), none.estimatedNanos());
  }

  /**
   * Low keeps within 1% of the minimum peak, so no convolution grows its weights by more than
   * that; inside it, a few bytes of a kernel's tables buy a faster kernel (the depthwise layer's
   * 384 bytes of masks: the direct convolution would be about 20 times slower).
   */
  @Test
  void lowStaysWithinOnePercentOfTheMinimumPeak() {
    AlgorithmSelection low = compile(NET, MemoryMode.LOW).selection();
    long slack = AlgorithmSelector.lowBudget(low.minimumPeakBytes()) - low.minimumPeakBytes();
    assertEquals(low.minimumPeakBytes() / 100, slack);
    assertEquals(low.minimumPeakBytes() + slack, (long) low.budgetBytes());
    assertTrue(low.peakBytes() <= low.budgetBytes(), low.peakBytes() + " > " + low.budgetBytes());
    for (KernelChoice c : low.choices().values()) {
      long least = c.candidates().stream().mapToLong(Candidate::weightBytes).min().orElseThrow();
      assertTrue(c.weightBytes() <= least + slack, c.layer() + ": " + c.reason());
    }
    assertEquals("depthwise", low.choices().get("dw").algorithm(), low.choices().get("dw").reason());
    // Nothing planned anywhere is below the minimum: every mode's and budget's peak is at least it.
    assertTrue(compile(NET, MemoryMode.FAST).selection().peakBytes() > low.peakBytes());
  }

  @Test
  void balancedLiesBetweenLowAndFast() {
    AlgorithmSelection low = compile(NET, MemoryMode.LOW).selection();
    AlgorithmSelection balanced = compile(NET, MemoryMode.BALANCED).selection();
    AlgorithmSelection fast = compile(NET, MemoryMode.FAST).selection();
    assertTrue(low.peakBytes() <= balanced.peakBytes() && balanced.peakBytes() <= fast.peakBytes());
    assertTrue(fast.estimatedNanos() <= balanced.estimatedNanos()
        && balanced.estimatedNanos() <= low.estimatedNanos());
    assertEquals(balanced.peakBytes(), (long) balanced.budgetBytes());
  }

  /** The promise and the monotonicity, on every budget from the minimum to beyond the fast peak. */
  @Test
  void everyBudgetIsKeptAndALargerOneIsNeverSlower() {
    long low = compile(NET, MemoryMode.LOW).selection().peakBytes();
    long fast = compile(NET, MemoryMode.FAST).selection().peakBytes();
    double previous = Double.POSITIVE_INFINITY;
    int steps = 40;
    for (int i = 0; i <= steps; i++) {
      long budget = low + (fast + 4096 - low) * i / steps;
      CompileResult r = compile(NET, budget);
      AlgorithmSelection s = r.selection();
      assertTrue(s.peakBytes() <= budget, budget + ": peak " + s.peakBytes());
      assertEquals(s.peakBytes(), r.program().memoryBytes(), "the program holds the planned peak");
      assertTrue(s.estimatedNanos() <= previous, budget + ": " + s.estimatedNanos() + " > " + previous);
      previous = s.estimatedNanos();
    }
    assertEquals(compile(NET, MemoryMode.FAST).selection().estimatedNanos(), previous,
        "a budget above the fast peak buys the fast choice");
  }

  @Test
  void theModelInstanceHoldsExactlyThePeak() {
    for (MemoryMode mode : MemoryMode.values()) {
      CompileResult r = compile(NET, mode);
      try (ProgramModel model = new ProgramModel(r.program())) {
        assertEquals(r.selection().peakBytes(), model.memoryBytes(), mode.toString());
      }
      assertEquals((long) r.program().weightFloats() * Float.BYTES, r.selection().weightBytes());
      assertEquals(r.selection().plan(), r.program().plan());
    }
  }

  @Test
  void everyModeComputesWhatTheGraphComputes() {
    Tensor input = Tensors.random(42, 1, 16, 24, 24);
    Tensor expected = GraphInterpreter.run(NET, Map.of("image", input)).get("logits");
    for (MemoryMode mode : MemoryMode.values()) {
      try (ProgramModel model = new ProgramModel(compile(NET, mode).program())) {
        float[] actual = model.run(input.toFloatArray());
        TensorAssert.assertClose(expected, Tensor.adopt(expected.shape(), actual), 1e-4,
            mode.toString());
      }
    }
  }

  @Test
  void anInfeasibleBudgetNamesTheMinimumAndTheThreeLargestConsumers() {
    long minimum = compile(NET, MemoryMode.LOW).selection().minimumPeakBytes();
    assertEquals(281_472, minimum);
    KilnException e = assertThrows(KilnException.class, () -> compile(NET, minimum - 1));
    assertEquals("small.onnx: the memory budget of 274.9 KiB (281471 bytes) is below this model's"
        + " minimum feasible peak of 274.9 KiB (281472 bytes); the largest consumers are the arena of"
        + " activations, scratch and I/O (126.0 KiB), the weights of 'conv4' (81.0 KiB) and the"
        + " weights of 'conv2' (36.0 KiB)", e.getMessage());
    assertEquals(minimum, compile(NET, minimum).selection().peakBytes(), "the minimum itself is feasible");
  }

  @Test
  void reasonsSayWhatWonAndWhatTheBudgetKeptOut() {
    Map<String, KernelChoice> fast = compile(NET, MemoryMode.FAST).selection().choices();
    KernelChoice conv4 = fast.get("conv4");
    Candidate tiled = candidate(conv4, "tiled");
    assertEquals(String.format(java.util.Locale.ROOT,
        "Winograd F(2,3): %.1fx faster than tiled, +62.6 KiB weights, no budget",
        tiled.nanos() / conv4.chosen().nanos()), conv4.reason());
    // 63 KiB more than the 3×3 weights, less tiled's own 384 bytes of flat-row masks.
    assertEquals(63 * 1024 - 384, conv4.weightBytes() - tiled.weightBytes());
    assertEquals("depthwise: 18.7x faster than direct, +384 B weights, no budget",
        fast.get("dw").reason());

    // One byte short of the fast peak: something has to give, and its reason says what and by how much.
    long fastPeak = compile(NET, MemoryMode.FAST).selection().peakBytes();
    AlgorithmSelection tight = compile(NET, fastPeak - 1).selection();
    List<String> blocked = tight.choices().values().stream().map(KernelChoice::reason)
        .filter(r -> r.contains(" would exceed the budget by ")).toList();
    assertFalse(blocked.isEmpty(), tight.choices().toString());

    Map<String, KernelChoice> low = compile(NET, MemoryMode.LOW).selection().choices();
    assertEquals("direct: tiled would exceed the budget by 234.0 KiB",
        low.get("conv4").reason());
  }

  /**
   * On a 1×1 layer tiled is gemm-1x1 with a dearer B, so it is no candidate there even when a
   * profile rates it far higher; it still runs where it is forced.
   */
  @Test
  void tiledIsNoCandidateWhereGemm1x1Applies() {
    MachineProfile tiledRatedHigh = new MachineProfile("test", "2026-11-22", "test", 160, 10,
        Map.of("tiled", 0.9, "gemm-1x1", 0.2));
    KernelChoice conv3 = Compiler.compile(NET, options().machineProfile(tiledRatedHigh).build())
        .selection().choices().get("conv3");
    assertEquals("gemm-1x1", conv3.algorithm());
    assertTrue(conv3.candidates().stream().noneMatch(c -> c.algorithm().equals("tiled")),
        conv3.candidates().toString());
    assertEquals("tiled", Compiler.compile(NET, options().forcedAlgorithm("tiled").build())
        .selection().choices().get("conv3").algorithm());
  }

  @Test
  void aForcedAlgorithmIsUsedWhereItApplies() {
    AlgorithmSelection s = Compiler.compile(NET, options().forcedAlgorithm("winograd-f4").build())
        .selection();
    assertEquals("winograd-f4", s.choices().get("conv4").algorithm());
    assertEquals("Winograd F(4,3): forced by the options", s.choices().get("conv4").reason());
    assertEquals(1, s.choices().get("conv4").candidates().size());
    assertEquals("tiled", s.choices().get("conv2").algorithm(), "stride 2: selected as usual");

    KilnException e = assertThrows(KilnException.class,
        () -> Compiler.compile(NET, options().forcedAlgorithm("fft").build()));
    assertEquals("no convolution algorithm 'fft' (known: gemm-1x1, depthwise, winograd-f4,"
        + " winograd-f2, winograd-f6, tiled, direct)", e.getMessage());
  }

  @Test
  void autotuneTimesTheCandidatesWorthTimingAndChoosesByTheTimes() {
    Timing quick = new Timing(1, 1_000_000L, 100_000L);
    AlgorithmSelection s = AlgorithmSelector.select(NET, new AlgorithmSelector.Request(1, null,
        MemoryMode.FAST, null, MachineProfile.BUILT_IN, quick));
    assertTrue(s.autotuned());
    for (KernelChoice c : s.choices().values()) {
      double bestEstimate = c.candidates().stream().mapToDouble(Candidate::estimatedNanos).min()
          .orElseThrow();
      for (Candidate k : c.candidates()) {
        boolean worth = k.estimatedNanos() <= Autotuner.SKIP_FACTOR * bestEstimate;
        assertEquals(worth, k.measured(), c.layer() + " " + k.algorithm());
        assertTrue(!k.measured() || k.measuredNanos() > 0);
      }
      double fastest = c.candidates().stream().mapToDouble(Candidate::nanos).min().orElseThrow();
      assertEquals(fastest, c.chosen().nanos(), c.layer());
    }
    // The direct convolution of the 24×24 layer is far slower by the estimate: not timed.
    assertFalse(candidate(s.choices().get("conv1"), "direct").measured());
  }

  private static Candidate candidate(KernelChoice c, String algorithm) {
    return c.candidates().stream().filter(k -> k.algorithm().equals(algorithm)).findFirst()
        .orElseThrow();
  }
}
