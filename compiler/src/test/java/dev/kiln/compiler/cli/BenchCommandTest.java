package dev.kiln.compiler.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import ai.onnxruntime.OrtEnvironment;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.kiln.compiler.io.Npy;
import dev.kiln.compiler.testing.Attr;
import dev.kiln.compiler.testing.ModelBuilder;
import dev.kiln.compiler.testing.Tensors;
import dev.kiln.compiler.testing.Xhtml;
import dev.kiln.runtime.opencl.OpenClContext;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.w3c.dom.Document;

/**
 * {@code kiln bench MODEL} end to end, on a small conv net: the JSON schema (pinned: scripts read
 * it), ONNX Runtime from the class path and from {@code --ort-jar}, and its one-line errors. Timing
 * values are never asserted, only that they are there.
 */
class BenchCommandTest {
  /** Every top-level key, in order. Adding a key is fine (add it here); renaming one breaks users. */
  static final List<String> KEYS = List.of("kilnVersion", "date", "model", "target", "device",
      "machine", "loadAverage", "cpuShare", "input", "threads", "warmupRuns", "warmupMs",
      "iterations", "warmupRunsDone", "compileMs", "loadMs", "firstRunMs", "avgMs", "medianMs", "minMs", "maxMs",
      "p90Ms", "throughputPerSec", "peakBytes", "weightBytes", "arenaBytes", "peakRssBytes",
      "opSumMs", "profiledAvgMs", "profileInvariant", "profileInvariantHolds", "roofline", "layers",
      "ortVersion", "ortAvgMs", "ortMedianMs", "ortMinMs", "ortMaxMs", "ortP90Ms", "ratio",
      "ortRssGrowthBytes", "ortMaxAbsDiff");
  static final List<String> LAYER_KEYS = List.of("index", "name", "op", "algorithm", "reason",
      "flops", "bytes", "intensity", "bound", "ms", "gflops", "rooflinePercent");
  static final List<String> ROOFLINE_KEYS = List.of("peakGflops", "bandwidthGBs",
      "ridgeFlopPerByte", "source");

  @TempDir Path dir;

  private Path model;
  private Path input;
  private String out;
  private String err;

  @BeforeEach
  void writeModel() throws IOException {
    model = dir.resolve("small.onnx");
    Files.write(model, new ModelBuilder(13)
        .input("x", 1, 3, 12, 12)
        .initializer("w", Tensors.random(1, 8, 3, 3, 3))
        .initializer("b", Tensors.random(2, 8))
        .initializer("fc", Tensors.random(3, 5, 8))
        .namedNode("conv", "Conv", List.of("x", "w", "b"), List.of("c"), Attr.ints("pads", 1, 1, 1, 1))
        .namedNode("relu", "Relu", List.of("c"), List.of("r"))
        .namedNode("gap", "GlobalAveragePool", List.of("r"), List.of("g"))
        .namedNode("flatten", "Flatten", List.of("g"), List.of("f"))
        .namedNode("fc", "Gemm", List.of("f", "fc"), List.of("y"), Attr.i("transB", 1))
        .output("y")
        .build()
        .toByteArray());
    input = dir.resolve("x.npy");
    Npy.write(input, Tensors.random(4, 1, 3, 12, 12));
  }

  private int kiln(String... args) {
    StringWriter o = new StringWriter();
    StringWriter e = new StringWriter();
    int status = Main.execute(args, new PrintWriter(o), new PrintWriter(e));
    out = o.toString().replace("\r\n", "\n");
    err = e.toString().replace("\r\n", "\n");
    return status;
  }

  private int bench(String... extra) {
    List<String> args = new ArrayList<>(List.of("bench", model.toString(), "-i", input.toString(),
        "--warmup", "2", "--warmup-ms", "0", "--iters", "3"));
    args.addAll(List.of(extra));
    return kiln(args.toArray(String[]::new));
  }

  private static List<String> keys(JsonNode node) {
    List<String> keys = new ArrayList<>();
    for (Iterator<String> it = node.fieldNames(); it.hasNext(); ) {
      keys.add(it.next());
    }
    return keys;
  }

  @Test
  void jsonKeysAreTheSameWithAndWithoutProfileAndOnnxRuntime() throws IOException {
    Path plain = dir.resolve("plain.json");
    assertEquals(Main.OK, bench("--json", plain.toString()), err);
    JsonNode p = new ObjectMapper().readTree(plain.toFile());
    assertEquals(KEYS, keys(p));
    assertEquals(ROOFLINE_KEYS, keys(p.get("roofline")));
    assertEquals(3, p.get("layers").size(), "conv (with the ReLU fused), gap, gemm (the flatten"
        + " is a view): " + p.get("layers"));
    for (JsonNode layer : p.get("layers")) {
      assertEquals(LAYER_KEYS, keys(layer));
      assertTrue(layer.get("ms").isNull(), "not profiled: " + layer);
    }
    assertTrue(p.get("opSumMs").isNull() && p.get("ortMedianMs").isNull() && p.get("ratio").isNull());
    assertTrue(p.get("avgMs").asDouble() > 0 && p.get("p90Ms").asDouble() >= p.get("minMs").asDouble());
    assertEquals(1, p.get("threads").asInt());
    assertEquals(3, p.get("iterations").asInt());
    assertTrue(p.get("warmupRunsDone").get("kiln").asInt() >= 2);
    assertEquals(0, p.get("warmupRunsDone").get("ort").asInt());

    Path full = dir.resolve("full.json");
    assertEquals(Main.OK, bench("--profile", "--compare-ort", "--json", full.toString()), err);
    JsonNode f = new ObjectMapper().readTree(full.toFile());
    assertEquals(KEYS, keys(f));
    assertEquals("1.29.0", f.get("ortVersion").asText());
    assertTrue(f.get("ortMedianMs").asDouble() > 0 && f.get("ratio").asDouble() > 0, f.toString());
    assertTrue(f.get("ortMaxAbsDiff").asDouble() < 1e-4, "the same model on the same input: " + f);
    assertTrue(f.get("opSumMs").asDouble() > 0 && f.get("profileInvariantHolds").isBoolean());
    JsonNode conv = f.get("layers").get(0);
    assertEquals(LAYER_KEYS, keys(conv));
    assertEquals("conv", conv.get("name").asText());
    assertEquals(2L * 8 * 12 * 12 * 27 + 2L * 8 * 12 * 12, conv.get("flops").asLong(),
        "a multiply-add per weight and output, and bias and ReLU once per output");
    if (f.get("profileInvariantHolds").asBoolean()) {
      assertTrue(conv.get("ms").asDouble() > 0 && conv.get("rooflinePercent").asDouble() > 0);
    } else {
      assertTrue(conv.get("ms").isNull(), "times withheld when the invariant fails");
    }
  }

  @Test
  void textReportShowsTheInvariantAndEitherTheTableOrWhyNot() {
    assertEquals(Main.OK, bench("--profile"), err);
    assertTrue(out.contains("| Kiln |"), out);
    assertTrue(out.contains("## Profile"), out);
    boolean holds = out.contains("≤ 1.02 × avgMs holds");
    assertEquals(holds, out.contains("| # | layer | op | algorithm | ms |"), out);
    assertEquals(!holds, out.contains("The per-layer table is withheld"), out);
    assertEquals(!holds, err.contains("kiln: profile invariant fails"), err);
  }

  @Test
  void onnxRuntimeFromAJarNamedAtRunTime() throws Exception {
    Path ortJar = Path.of(OrtEnvironment.class.getProtectionDomain().getCodeSource().getLocation()
        .toURI());
    Path json = dir.resolve("jar.json");
    assertEquals(Main.OK, bench("--compare-ort", "--ort-jar", ortJar.toString(), "--json",
        json.toString()), err);
    assertEquals("1.29.0", new ObjectMapper().readTree(json.toFile()).get("ortVersion").asText());
  }

  @Test
  void htmlReportOfMeasuredLayers() throws Exception {
    Path html = dir.resolve("report.html");
    assertEquals(Main.OK, bench("--profile", "--html", html.toString()), err);
    Document doc = Xhtml.parse(Files.readString(html));
    assertEquals(3, doc.getElementsByTagNameNS(Xhtml.SVG, "circle").getLength(),
        "one point per layer with arithmetic (conv, gap, gemm)");
  }

  @Test
  void openClTargetTimesToTheReadBackWithTheSameSchema() throws IOException {
    String reason = OpenClContext.unavailableReason();
    assumeTrue(reason == null, () -> "OpenCL tests skipped: " + reason);
    Path json = dir.resolve("opencl.json");
    assertEquals(Main.OK, bench("--target", "opencl", "--profile", "--json", json.toString()), err);
    JsonNode j = new ObjectMapper().readTree(json.toFile());
    assertEquals("opencl", j.get("target").asText());
    assertTrue(j.get("device").asText().length() > 0 && j.get("avgMs").asDouble() > 0, j.toString());
    assertTrue(j.get("opSumMs").asDouble() > 0, "kernels' device time: " + j);
    assertEquals("opSumMs ≤ 1.02 × avgMs", j.get("profileInvariant").asText(),
        "transfers and launch gaps are in no kernel: no lower bound on a device");
    assertEquals(3, j.get("layers").size());
    assertTrue(j.get("roofline").get("peakGflops").isNull(), "the CPU's roofline is not the device's");
    assertEquals(KEYS, keys(j));
  }

  @Test
  void oneLineErrors() throws IOException {
    assertEquals(Main.USER_ERROR, kiln("bench"));
    assertEquals("kiln: nothing to benchmark: give a MODEL, or --kernels for the kernel suite\n", err);
    assertEquals(Main.USER_ERROR, kiln("bench", model.toString(), "--kernels"));
    assertEquals("kiln: give a MODEL or --kernels, not both\n", err);
    assertEquals(Main.USER_ERROR, kiln("bench", model.toString(), "--gemm", "8x8x8"));
    assertEquals("kiln: --gemm is for the kernel suite (--kernels), not for a MODEL\n", err);
    assertEquals(Main.USER_ERROR, kiln("bench", "--kernels", "--profile"));
    assertEquals("kiln: --profile is for model benchmarks: give a MODEL\n", err);
    assertEquals(Main.USER_ERROR, kiln("bench", dir.resolve("none.onnx").toString()));
    assertEquals("kiln: " + dir.resolve("none.onnx") + ": no such model file\n", err);
    assertEquals(Main.USER_ERROR, bench("--compare-ort", "--ort-jar", dir.resolve("ort.jar").toString()));
    assertEquals("kiln: --ort-jar " + dir.resolve("ort.jar") + ": no such file\n", err);
    assertEquals(Main.USER_ERROR, bench("--memory-budget", "lots"));
    assertEquals("kiln: --memory-budget: bad memory size 'lots': expected e.g. 24MiB, 100MB or 65536\n", err);
    Path json = dir.resolve("small.json");
    Files.writeString(json, "{}");
    assertEquals(Main.USER_ERROR, kiln("bench", json.toString(), "--compare-ort"));
    assertEquals("kiln: --compare-ort needs an ONNX model (ONNX Runtime cannot read small.json)\n", err);
    assertEquals(Main.USER_ERROR, kiln("bench", model.toString(), "--compare-ort", "--target", "opencl"));
    assertEquals("kiln: --compare-ort runs ONNX Runtime's CPU provider beside Kiln's CPU code; it does"
        + " not go with --target opencl\n", err);
    assertEquals(Main.USER_ERROR, kiln("bench", model.toString(), "--html", "r.html", "--target",
        "opencl"));
    assertEquals("kiln: --html draws the CPU's roofline; it does not go with --target opencl\n", err);
  }
}
