package dev.kiln.compiler.select;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.kiln.compiler.KilnException;
import dev.kiln.compiler.io.AtomicFiles;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collections;
import java.util.Iterator;
import java.util.Map;
import java.util.TreeMap;

/**
 * What the cost model knows about the machine: one core's FP32 peak, the memory bandwidth, and each
 * convolution algorithm's efficiency (achieved FLOP rate over the peak, on layers where it is
 * compute-bound, counting the FLOPs {@link CostModel} counts for it). {@code kiln calibrate} measures
 * them and caches them in {@code ~/.kiln/machine.json}; {@link #BUILT_IN} serves when there is none.
 *
 * @param source where the numbers come from: {@code "built-in"} or the file they were read from
 * @param measuredAt when {@code kiln calibrate} measured them (ISO-8601), or "" for the built-in ones
 * @param kernels the kernel path they were measured on ({@code KernelInfo.description()})
 * @param peakGflopsPerCore one core's FP32 FMA peak, GFLOP/s
 * @param bandwidthGBps memory bandwidth for data that does not fit in the caches, GB/s (bytes/ns)
 * @param efficiency by algorithm name ({@code "tiled"}, {@code "winograd-f4"}, ...; {@code
 *     "other"} for the non-convolution layers); an algorithm without an entry gets the built-in
 *     factor, or {@link #UNKNOWN_EFFICIENCY}
 */
public record MachineProfile(String source, String measuredAt, String kernels, double peakGflopsPerCore,
    double bandwidthGBps, Map<String, Double> efficiency) {
  /** The system property naming the profile file (tests point it into the build directory). */
  public static final String PROPERTY = "kiln.machine";
  /** The efficiency of a kernel nobody measured: pessimistic, so it wins only where nothing else runs. */
  public static final double UNKNOWN_EFFICIENCY = 0.05;
  /** The efficiency key of the layers that are not convolutions. */
  public static final String OTHER = "other";

  private static final ObjectMapper MAPPER = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

  /**
   * The development machine's figures, rounded from three runs of {@code kiln calibrate} on it
   * (2026-11-21: a 2-core Intel Xeon with AVX-512, Temurin 25 with the Vector API, shared with
   * other builds, so ±15%; docs/conv-algorithms.md has one run in full). {@code tiled} and the
   * bandwidth are from four runs on 2026-11-22: tiled's packers had become faster (flat and
   * phase rows, 0.76–0.93 against 0.65 the day before), and calibrate's copy now leaves the L3
   * (10.5–11.8 GB/s, the rate at which weights streamed inside ResNet-18). The scalar fallback is
   * 10–30× slower for Winograd; the built-in figures assume the Vector API, on which compiled
   * models are meant to run.
   */
  public static final MachineProfile BUILT_IN = new MachineProfile("built-in", "",
      "Vector API, 512-bit (built-in figures)", 160.0, 11.0, Map.of(
          "gemm-1x1", 0.72,
          "tiled", 0.80,
          "winograd-f2", 0.57,
          "winograd-f4", 0.40,
          "winograd-f6", 0.30,
          "depthwise", 0.11,
          "direct", 0.004,
          OTHER, 0.02));

  public MachineProfile {
    if (!(peakGflopsPerCore > 0) || !(bandwidthGBps > 0)) {
      throw new KilnException(source + ": peakGflopsPerCore and bandwidthGBps must be positive, got "
          + peakGflopsPerCore + " and " + bandwidthGBps);
    }
    TreeMap<String, Double> sorted = new TreeMap<>(efficiency);
    for (Map.Entry<String, Double> e : sorted.entrySet()) {
      if (!(e.getValue() > 0) || e.getValue() > 16) {
        throw new KilnException(source + ": efficiency of " + e.getKey() + " must be in (0, 16], got "
            + e.getValue());
      }
    }
    efficiency = Collections.unmodifiableMap(sorted);
  }

  /** The achieved share of the peak for {@code algorithm}: measured, built in, or a pessimistic guess. */
  public double efficiencyOf(String algorithm) {
    Double e = efficiency.get(algorithm);
    if (e == null) {
      e = BUILT_IN.efficiency.get(algorithm);
    }
    return e == null ? UNKNOWN_EFFICIENCY : e;
  }

  /** {@code ~/.kiln/machine.json}, or the file the {@value #PROPERTY} system property names. */
  public static Path defaultPath() {
    String configured = System.getProperty(PROPERTY);
    return configured != null && !configured.isEmpty() ? Path.of(configured)
        : Path.of(System.getProperty("user.home"), ".kiln", "machine.json");
  }

  /** The calibrated profile at {@link #defaultPath()}, or {@link #BUILT_IN} when there is none. */
  public static MachineProfile cached() {
    Path path = defaultPath();
    return Files.isRegularFile(path) ? read(path) : BUILT_IN;
  }

  public static MachineProfile read(Path file) {
    if (!Files.isRegularFile(file)) {
      throw new KilnException(file + ": no such machine profile (kiln calibrate -o FILE writes one)");
    }
    JsonNode root;
    try {
      root = MAPPER.readTree(Files.readString(file, StandardCharsets.UTF_8));
    } catch (IOException e) {
      throw new KilnException(file + ": cannot read the machine profile: " + e.getMessage()
          + " (run kiln calibrate again, or delete the file to use the built-in figures)");
    }
    if (root == null || !root.isObject() || !root.path("peakGflopsPerCore").isNumber()
        || !root.path("bandwidthGBps").isNumber() || !root.path("efficiency").isObject()) {
      throw new KilnException(file + ": not a machine profile (peakGflopsPerCore, bandwidthGBps and"
          + " efficiency are required; run kiln calibrate again)");
    }
    Map<String, Double> efficiency = new TreeMap<>();
    for (Iterator<Map.Entry<String, JsonNode>> it = root.get("efficiency").fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> e = it.next();
      if (!e.getValue().isNumber()) {
        throw new KilnException(file + ": efficiency of " + e.getKey() + " is not a number");
      }
      efficiency.put(e.getKey(), e.getValue().asDouble());
    }
    return new MachineProfile(file.toString(), root.path("measuredAt").asText(""),
        root.path("kernels").asText(""), root.get("peakGflopsPerCore").asDouble(),
        root.get("bandwidthGBps").asDouble(), efficiency);
  }

  /** The profile as JSON (what {@link #read} reads back), {@code source} left out. */
  public ObjectNode toJson() {
    ObjectNode o = MAPPER.createObjectNode();
    o.put("measuredAt", measuredAt);
    o.put("kernels", kernels);
    o.put("peakGflopsPerCore", peakGflopsPerCore);
    o.put("bandwidthGBps", bandwidthGBps);
    ObjectNode e = o.putObject("efficiency");
    efficiency.forEach(e::put);
    return o;
  }

  public void write(Path file) {
    try {
      AtomicFiles.write(file, (MAPPER.writeValueAsString(toJson()) + "\n")
          .getBytes(StandardCharsets.UTF_8));
    } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
  }
}
