package dev.kiln.compiler.cli;

import static dev.kiln.compiler.cli.CliErrorsTest.kiln;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.kiln.compiler.select.AlgorithmSelector;
import dev.kiln.compiler.cli.CliErrorsTest.Result;
import dev.kiln.compiler.io.Npy;
import dev.kiln.compiler.ir.Tensor;
import dev.kiln.compiler.select.MachineProfile;
import dev.kiln.compiler.select.SelectionTesting;
import dev.kiln.compiler.testing.Attr;
import dev.kiln.compiler.testing.ModelBuilder;
import dev.kiln.compiler.testing.TensorAssert;
import dev.kiln.compiler.testing.Tensors;
import dev.kiln.runtime.kernels.conv.ConvKernel;
import dev.kiln.runtime.kernels.conv.ConvKernels;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** --memory-budget, --memory-mode, --autotune and --machine on compile, run, inspect and bench; kiln calibrate. */
class SelectionCliTest {
  /** Pinned so the messages and numbers are the same on every machine. */
  private static final String[] PINNED = {"--threads", "2", "--machine", "builtin"};

  @TempDir Path dir;
  private Path model;
  private Path out;

  @BeforeEach
  void writeModel() throws IOException {
    model = dir.resolve("small.onnx");
    Files.write(model, SelectionTesting.smallNet());
    out = dir.resolve("out");
  }

  private Result compile(String... extra) {
    List<String> args = new ArrayList<>(List.of("compile", model.toString(), "-o", out.toString()));
    args.addAll(List.of(PINNED));
    args.addAll(List.of(extra));
    return kiln(args.toArray(new String[0]));
  }

  private void assertUserError(String message, Result r) {
    assertEquals(Main.USER_ERROR, r.status(), r.err());
    assertEquals("kiln: " + message + "\n", r.err().replace(System.lineSeparator(), "\n"));
    assertEquals("", r.out());
  }

  @Test
  void anInfeasibleBudgetIsOneLineAndWritesNothing() {
    Result r = compile("--memory-budget", "1KiB", "--report", dir.resolve("report.json").toString());
    assertUserError("small.onnx: the memory budget of 1.0 KiB (1024 bytes) is below this model's"
        + " minimum feasible peak of 274.9 KiB (281472 bytes); the largest consumers are the arena of"
        + " activations, scratch and I/O (126.0 KiB), the weights of 'conv4' (81.0 KiB) and the"
        + " weights of 'conv2' (36.0 KiB)", r);
    assertFalse(Files.exists(out), "nothing written");
    assertFalse(Files.exists(dir.resolve("report.json")), "no report");
  }

  @Test
  void badOptionValuesNameTheOption() {
    assertUserError("--memory-budget: bad memory size '12XB': unknown unit 'XB' (use B, kB, KiB,"
        + " MB, MiB, GB or GiB)", compile("--memory-budget", "12XB"));
    assertUserError("--memory-mode 'quick': expected low, balanced or fast",
        compile("--memory-mode", "quick"));
    assertUserError("--memory-budget and --memory-mode exclude each other: give a byte budget or a"
        + " mode, not both", compile("--memory-budget", "24MiB", "--memory-mode", "low"));
    assertUserError("--memory-budget: memory size '0' is out of range",
        compile("--memory-budget", "0"));
    Path none = dir.resolve("none.json");
    assertUserError(none + ": no such machine profile (kiln calibrate -o FILE writes one)",
        kiln("compile", model.toString(), "-o", out.toString(), "--machine", none.toString()));
    assertFalse(Files.exists(out), "nothing written");
    // The same mixin on the other commands, checked before the model is even read.
    assertUserError("--memory-mode 'quick': expected low, balanced or fast",
        kiln("inspect", dir.resolve("missing.onnx").toString(), "--memory-mode", "quick"));
    assertUserError("--memory-mode 'quick': expected low, balanced or fast",
        kiln("run", dir.resolve("missing.onnx").toString(), "-i", "x.npy", "--memory-mode", "quick"));
    assertUserError("--memory-mode 'quick': expected low, balanced or fast",
        kiln("bench", "--kernels", "--memory-mode", "quick"));
  }

  @Test
  void compileWritesAReportThatKeepsTheBudget() throws IOException {
    Result r = compile("--memory-budget", "600000", "--class", "Small");
    assertEquals(Main.OK, r.status(), r.err());
    Path report = out.resolve("Small.report.json");
    List<String> lines = r.out().lines().toList();
    assertEquals("wrote " + report, lines.get(lines.size() - 2));
    // Just under the fast peak (635.8 KiB): Winograd's +63 KiB on conv4 no longer fits.
    assertEquals("summary: 5 convolutions (tiled 3, depthwise 1, gemm-1x1 1), estimated 0.12 ms,"
        + " peak 557.1 KiB of a 585.9 KiB budget", lines.get(lines.size() - 1));
    JsonNode memory = new ObjectMapper().readTree(Files.readString(report)).get("memory");
    assertEquals(600_000, memory.get("budgetBytes").asLong());
    assertTrue(memory.get("peakBytes").asLong() <= 600_000);

    Path elsewhere = dir.resolve("reports/small.json");
    assertEquals(Main.OK, compile("--memory-mode", "low", "--report", elsewhere.toString()).status());
    JsonNode low = new ObjectMapper().readTree(Files.readString(elsewhere));
    assertEquals("low", low.get("selection").get("mode").asText());
    long minimum = low.get("memory").get("minimumPeakBytes").asLong();
    assertEquals(AlgorithmSelector.lowBudget(minimum), low.get("memory").get("budgetBytes").asLong());
    assertTrue(low.get("memory").get("peakBytes").asLong() <= AlgorithmSelector.lowBudget(minimum));
  }

  @Test
  void runTakesTheSameOptionsAndComputesTheSame() {
    Path input = dir.resolve("x.npy");
    Npy.write(input, Tensors.random(3, 1, 16, 24, 24));
    Path fast = dir.resolve("fast.npy");
    Path low = dir.resolve("low.npy");
    Result r = kiln("run", model.toString(), "-i", input.toString(), "-o", fast.toString(),
        "--threads", "2");
    assertEquals(Main.OK, r.status(), r.err());
    r = kiln("run", model.toString(), "-i", input.toString(), "-o", low.toString(), "--threads", "2",
        "--memory-mode", "low", "--machine", "builtin");
    assertEquals(Main.OK, r.status(), r.err());
    Tensor expected = Npy.read(fast);
    TensorAssert.assertClose(expected, Npy.read(low), 1e-4, "low vs fast");

    assertUserError("--autotune times the CPU's algorithms on this machine; nothing measures the"
        + " device's, so it does not go with --target opencl",
        kiln("run", model.toString(), "-i", input.toString(), "--target", "opencl", "--autotune"));
    assertUserError("small.onnx: the memory budget of 1000 B (1000 bytes) is below this model's"
        + " minimum feasible peak of 274.9 KiB (281472 bytes); the largest consumers are the arena of"
        + " activations, scratch and I/O (126.0 KiB), the weights of 'conv4' (81.0 KiB) and the"
        + " weights of 'conv2' (36.0 KiB)", kiln("run", model.toString(), "-i", input.toString(),
            "--threads", "2", "--machine", "builtin", "--memory-budget", "1000"));
  }

  @Test
  void inspectEndsWithTheSummary() {
    Result r = kiln("inspect", model.toString(), "--memory-mode", "low", "--machine", "builtin");
    assertEquals(Main.OK, r.status(), r.err());
    List<String> lines = r.out().lines().toList();
    String last = lines.get(lines.size() - 1);
    assertTrue(last.startsWith("summary: 5 convolutions (") && last.endsWith(
        " (low: within 1% of the minimum, 274.9 KiB)"), last);
    assertEquals(Main.USER_ERROR, kiln("inspect", model.toString(), "--memory-budget", "1").status());
  }

  /**
   * With --target opencl the same options choose the device's algorithms, the budget and the modes
   * being of the device memory; autotuning and the machine profile, about the CPU, are refused.
   */
  @Test
  void openClTakesTheModesAndReportsTheDeviceChoices() throws IOException {
    Path report = dir.resolve("device.json");
    Result r = kiln("compile", model.toString(), "-o", out.toString(), "--target", "opencl",
        "--threads", "2", "--memory-mode", "low", "--report", report.toString());
    assertEquals(Main.OK, r.status(), r.err());
    List<String> lines = r.out().lines().toList();
    assertEquals("summary: 5 convolutions (cl-tiled 5), estimated 7.79 µs, peak 270.8 KiB (low:"
        + " within 1% of the minimum, 270.8 KiB)", lines.get(lines.size() - 1));
    JsonNode low = new ObjectMapper().readTree(Files.readString(report));
    assertEquals("low", low.get("selection").get("mode").asText());
    assertEquals("nominal OpenCL device (assumed figures, not measured)",
        low.get("machine").get("source").asText());
    assertEquals(low.get("memory").get("minimumPeakBytes"), low.get("memory").get("peakBytes"));

    r = kiln("compile", model.toString(), "-o", out.toString(), "--target", "opencl", "--threads",
        "2", "--memory-mode", "fast", "--report", report.toString());
    assertEquals(Main.OK, r.status(), r.err());
    lines = r.out().lines().toList();
    assertEquals("summary: 5 convolutions (cl-tiled 3, cl-winograd-f2x2 2), estimated 6.20 µs, peak"
        + " 761.8 KiB (fast: no budget; the minimum is 270.8 KiB)", lines.get(lines.size() - 1));
    // kiln inspect shows the same line (the device's peaks do not depend on the threads).
    r = kiln("inspect", model.toString(), "--target", "opencl");
    assertEquals(Main.OK, r.status(), r.err());
    lines = r.out().lines().toList();
    assertEquals("summary: 5 convolutions (cl-tiled 3, cl-winograd-f2x2 2), estimated 6.20 µs, peak"
        + " 761.8 KiB (fast: no budget; the minimum is 270.8 KiB)", lines.get(lines.size() - 1));
    r = kiln("inspect", model.toString(), "--target", "opencl", "--memory-mode", "balanced");
    lines = r.out().lines().toList();
    assertTrue(lines.get(lines.size() - 1).endsWith(" (balanced: the knee of the speed/memory"
        + " frontier; the minimum is 270.8 KiB)"), r.out());

    Path none = dir.resolve("none");
    assertUserError("--machine is the CPU's cost profile; the device's algorithms are estimated with"
        + " nominal figures, so it does not go with --target opencl",
        kiln("compile", model.toString(), "-o", none.toString(), "--target", "opencl", "--machine",
            "builtin"));
    assertUserError("--autotune times the CPU's algorithms on this machine; nothing measures the"
        + " device's, so it does not go with --target opencl",
        kiln("compile", model.toString(), "-o", none.toString(), "--target", "opencl", "--autotune"));
    assertUserError("small.onnx: the device memory budget of 1.0 KiB (1024 bytes) is below this"
        + " model's minimum feasible peak of 270.8 KiB (277248 bytes); the largest consumers are the"
        + " arena of activations, scratch and I/O (126.0 KiB), the weights of 'conv4' (81.0 KiB) and"
        + " the weights of 'conv2' (36.0 KiB)", kiln("compile", model.toString(), "-o",
            none.toString(), "--target", "opencl", "--threads", "2", "--memory-budget", "1KiB"));
    assertFalse(Files.exists(none), "nothing written");
  }

  @Test
  void benchSaysWhereTheOptionsBelong() {
    assertUserError("--memory-budget, --memory-mode, --autotune and --machine choose a model's"
        + " algorithms; --kernels times every algorithm on its own",
        kiln("bench", "--kernels", "--memory-budget", "24MiB"));
  }

  @Test
  void autotuneRecordsMeasuredTimesInTheReport() throws IOException {
    // One small layer keeps the timing short; 64 channels keep Winograd within 10× of tiled's
    // estimate, so more than one candidate is timed.
    Path one = dir.resolve("one.onnx");
    Files.write(one, new ModelBuilder(13).input("x", 1, 64, 12, 12)
        .initializer("w", Tensors.random(9, 64, 64, 3, 3))
        .namedNode("conv", "Conv", List.of("x", "w"), List.of("y"), Attr.ints("pads", 1, 1, 1, 1))
        .output("y").build().toByteArray());
    Path report = dir.resolve("one.json");
    Result r = kiln("compile", one.toString(), "-o", out.toString(), "--autotune", "--report",
        report.toString(), "--threads", "1", "--machine", "builtin");
    assertEquals(Main.OK, r.status(), r.err());
    assertTrue(r.out().contains(" (convolutions measured), "), r.out());
    JsonNode root = new ObjectMapper().readTree(Files.readString(report));
    assertTrue(root.get("selection").get("autotune").asBoolean());
    JsonNode layer = root.get("layers").get(0);
    assertTrue(layer.get("measuredNanos").asDouble() > 0, layer.toString());
    int measured = 0;
    for (JsonNode c : layer.get("candidates")) {
      measured += c.has("measuredNanos") ? 1 : 0;
    }
    assertTrue(measured >= 2, layer.toString());
  }

  @Test
  void calibrateWritesAProfileThatCompileUses() throws IOException {
    Path profile = dir.resolve("machine.json");
    Result r = kiln("calibrate", "--quick", "-o", profile.toString());
    assertEquals(Main.OK, r.status(), r.err());
    assertTrue(r.out().endsWith("wrote " + profile + System.lineSeparator()), r.out());
    MachineProfile p = MachineProfile.read(profile);
    assertTrue(p.peakGflopsPerCore() > 0 && p.bandwidthGBps() > 0, p.toString());
    for (ConvKernel k : ConvKernels.all()) {
      assertTrue(p.efficiency().containsKey(k.name()), k.name() + " measured: " + p.efficiency());
    }
    // Warm kernels: tiled runs at about half the peak, the direct loop at under 1%. Timed before C2
    // had compiled them (warm-ups too short), both came out near 0.003.
    assertTrue(p.efficiencyOf("tiled") > 10 * p.efficiencyOf("direct"), p.efficiency().toString());
    Path report = dir.resolve("r.json");
    assertEquals(Main.OK, kiln("compile", model.toString(), "-o", out.toString(), "--machine",
        profile.toString(), "--report", report.toString()).status());
    JsonNode machine = new ObjectMapper().readTree(Files.readString(report)).get("machine");
    assertEquals(profile.toString(), machine.get("source").asText());
    assertEquals(p.peakGflopsPerCore(), machine.get("peakGflopsPerCore").asDouble());
  }
}
