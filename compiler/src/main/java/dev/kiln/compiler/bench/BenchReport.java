package dev.kiln.compiler.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.kiln.compiler.Version;
import dev.kiln.compiler.api.MemorySize;
import dev.kiln.compiler.report.CompiledLayer;
import dev.kiln.compiler.report.Roofline;
import java.io.PrintWriter;
import java.util.List;
import java.util.Locale;
import java.util.Objects;

/**
 * One {@code kiln bench MODEL} result, as text and as JSON. The JSON keys are a stable schema (a
 * test pins them): every key is always present, {@code null} where a part was not measured (no
 * {@code --profile}, no {@code --compare-ort}).
 *
 * @param model the model file as given
 * @param target {@code cpu} or {@code opencl}
 * @param device the CPU or OpenCL device and what runs on it
 * @param input where the input came from (files, or seeded random data)
 * @param compileMs import, passes, selection, planning, lowering and code generation
 * @param loadMs loading the generated class and its weights, making a session
 * @param firstRunMs the first run, the first warm-up run: never in the statistics
 * @param peakBytes what the model holds with one session: weights and arena ({@code
 *     KilnModel.memoryBytes()}; on OpenCL, device buffers)
 * @param peakRssBytes the whole process's peak resident memory (compiler, JVM and ONNX Runtime
 *     included); -1 where unknown
 * @param cpuShare the benchmark thread's CPU time over the timed phase's wall time, on one thread
 *     (NaN on more): below about 0.95, other processes took the core and the numbers carry their
 *     noise
 * @param profile null without {@code --profile}
 * @param layers every layer, with its measured time when the profile is valid
 * @param roofline the CPU's, or null on an OpenCL device (whose peaks Kiln does not know)
 * @param ort null without {@code --compare-ort}
 */
public record BenchReport(String model, String target, String device, String input, int threads,
    ModelBenchmark.Protocol protocol, ModelBenchmark.Warmups warmups, double compileMs,
    double loadMs, double firstRunMs, RunStats kiln, long peakBytes, long weightBytes, long arenaBytes,
    long peakRssBytes, double cpuShare, Profile profile, List<LayerRow> layers, Roofline roofline,
    OrtComparison ort) {

  public BenchReport {
    Objects.requireNonNull(kiln);
    layers = List.copyOf(layers);
  }

  /**
   * The profile's sum against the unprofiled mean. On the CPU the layers' times tile each profiled
   * run, so their sum must come within {@code [0.9, 1.02] × avgMs}: above, the timers cost too much
   * or warm-up leaked in; below, time went missing between layers. On an OpenCL device only the
   * upper bound applies: kernels' device times leave out transfers and launch gaps.
   *
   * @param opSumMs mean per profiled run of the summed layer times
   * @param profiledAvgMs mean of the profiled runs themselves
   * @param avgMs mean of the unprofiled runs
   */
  public record Profile(double opSumMs, double profiledAvgMs, double avgMs, boolean lowerBound) {
    public static final double UPPER = 1.02;
    public static final double LOWER = 0.9;

    public double ratio() {
      return opSumMs / avgMs;
    }

    public boolean holds() {
      return opSumMs <= UPPER * avgMs && (!lowerBound || opSumMs >= LOWER * avgMs);
    }

    /** {@code 0.9 × avgMs ≤ opSumMs ≤ 1.02 × avgMs}, as printed. */
    public String invariant() {
      return lowerBound
          ? String.format(Locale.ROOT, "%.2f × avgMs ≤ opSumMs ≤ %.2f × avgMs", LOWER, UPPER)
          : String.format(Locale.ROOT, "opSumMs ≤ %.2f × avgMs", UPPER);
    }
  }

  /** A layer and its mean time per profiled run in ms (NaN when not measured or not valid). */
  public record LayerRow(CompiledLayer layer, double ms) {
    public double gflops() {
      return layer.flops() / ms / 1e6;
    }
  }

  /**
   * ONNX Runtime beside Kiln.
   *
   * @param rssGrowthBytes resident memory the process gained from creating the ONNX Runtime
   *     session to the end of its first run: its native library, weights, arena and threads
   *     (approximate: the JVM's own memory may move in the same moment); -1 where unknown
   * @param maxAbsDiff the largest |Kiln − ONNX Runtime| over every output element
   * @param maxAbsOutput the largest |ONNX Runtime output|, for scale
   */
  public record OrtComparison(String version, RunStats stats, long rssGrowthBytes, double maxAbsDiff,
      double maxAbsOutput) {}

  /** Below this share of CPU time a one-thread benchmark was visibly slowed by other processes. */
  static final double BUSY_CPU_SHARE = 0.95;

  /** Kiln's median over ONNX Runtime's; below 1 Kiln is faster. */
  public double ratio() {
    return ort == null ? Double.NaN : kiln.medianMs() / ort.stats().medianMs();
  }

  /** Whether the per-layer times may be shown: profiled, and the invariant holds. */
  public boolean layerTimesValid() {
    return profile != null && profile.holds();
  }

  // ---- JSON ----

  public String toJson() {
    ObjectMapper mapper = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
    ObjectNode o = mapper.createObjectNode();
    o.put("kilnVersion", Version.KILN);
    o.put("date", java.time.OffsetDateTime.now(java.time.ZoneOffset.UTC).withNano(0).toString());
    o.put("model", model);
    o.put("target", target);
    o.put("device", device);
    o.put("machine", Machine.describe());
    put(o, "loadAverage", Machine.loadAverage());
    put(o, "cpuShare", cpuShare);
    o.put("input", input);
    o.put("threads", threads);
    o.put("warmupRuns", protocol.warmupRuns());
    o.put("warmupMs", protocol.warmupNanos() / 1e6);
    o.put("iterations", protocol.iterations());
    ObjectNode w = o.putObject("warmupRunsDone");
    w.put("kiln", warmups.kiln());
    w.put("profiled", warmups.profiled());
    w.put("ort", warmups.ort());
    put(o, "compileMs", compileMs);
    put(o, "loadMs", loadMs);
    put(o, "firstRunMs", firstRunMs);
    put(o, "avgMs", kiln.meanMs());
    put(o, "medianMs", kiln.medianMs());
    put(o, "minMs", kiln.minMs());
    put(o, "maxMs", kiln.maxMs());
    put(o, "p90Ms", kiln.p90Ms());
    put(o, "throughputPerSec", kiln.runsPerSecond());
    o.put("peakBytes", peakBytes);
    o.put("weightBytes", weightBytes);
    o.put("arenaBytes", arenaBytes);
    o.put("peakRssBytes", peakRssBytes);
    put(o, "opSumMs", profile == null ? Double.NaN : profile.opSumMs());
    put(o, "profiledAvgMs", profile == null ? Double.NaN : profile.profiledAvgMs());
    if (profile == null) {
      o.putNull("profileInvariant");
      o.putNull("profileInvariantHolds");
    } else {
      o.put("profileInvariant", profile.invariant());
      o.put("profileInvariantHolds", profile.holds());
    }
    ObjectNode r = o.putObject("roofline");
    put(r, "peakGflops", roofline == null ? Double.NaN : roofline.peakGflops());
    put(r, "bandwidthGBs", roofline == null ? Double.NaN : roofline.bandwidthGBs());
    put(r, "ridgeFlopPerByte", roofline == null ? Double.NaN : roofline.ridgeIntensity());
    if (roofline == null) {
      r.putNull("source");
    } else {
      r.put("source", roofline.source());
    }
    ArrayNode array = o.putArray("layers");
    boolean timed = layerTimesValid();
    for (LayerRow row : layers) {
      CompiledLayer l = row.layer();
      ObjectNode n = array.addObject();
      n.put("index", l.index());
      n.put("name", l.name());
      n.put("op", l.op());
      n.put("algorithm", l.algorithm());
      n.put("reason", l.reason());
      n.put("flops", l.flops());
      n.put("bytes", l.bytes());
      put(n, "intensity", l.arithmeticIntensity());
      if (roofline == null) {
        n.putNull("bound");
      } else {
        n.put("bound", l.flops() == 0 ? "none"
            : roofline.memoryBound(l.arithmeticIntensity()) ? "memory" : "compute");
      }
      double ms = timed ? row.ms() : Double.NaN;
      put(n, "ms", ms);
      put(n, "gflops", timed && l.flops() > 0 ? row.gflops() : Double.NaN);
      put(n, "rooflinePercent", timed && l.flops() > 0 && roofline != null
          ? roofline.percentOfRoof(row.gflops(), l.arithmeticIntensity()) : Double.NaN);
    }
    if (ort == null) {
      o.putNull("ortVersion");
    } else {
      o.put("ortVersion", ort.version());
    }
    put(o, "ortAvgMs", ort == null ? Double.NaN : ort.stats().meanMs());
    put(o, "ortMedianMs", ort == null ? Double.NaN : ort.stats().medianMs());
    put(o, "ortMinMs", ort == null ? Double.NaN : ort.stats().minMs());
    put(o, "ortMaxMs", ort == null ? Double.NaN : ort.stats().maxMs());
    put(o, "ortP90Ms", ort == null ? Double.NaN : ort.stats().p90Ms());
    put(o, "ratio", ratio());
    if (ort == null) {
      o.putNull("ortRssGrowthBytes");
    } else {
      o.put("ortRssGrowthBytes", ort.rssGrowthBytes());
    }
    put(o, "ortMaxAbsDiff", ort == null ? Double.NaN : ort.maxAbsDiff());
    try {
      return mapper.writeValueAsString(o) + "\n";
    } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
  }

  /** A number, or null for NaN (not measured): JSON has no NaN. */
  private static void put(ObjectNode o, String key, double value) {
    if (Double.isNaN(value) || Double.isInfinite(value)) {
      o.putNull(key);
    } else {
      o.put(key, value);
    }
  }

  // ---- text ----

  /** The human-readable report; a failed profile invariant is said instead of the layer table. */
  public void print(PrintWriter out) {
    out.printf(Locale.ROOT, "# kiln bench %s (kiln %s, %s)%n%n", model, Version.KILN,
        java.time.LocalDate.now());
    out.printf(Locale.ROOT, "- machine: %s%n", Machine.describe());
    out.printf(Locale.ROOT, "- target: %s, %s%s; input: %s%n", target, device,
        target.equals("cpu") ? String.format(Locale.ROOT, ", %d thread%s", threads,
            threads == 1 ? "" : "s") : "", input);
    out.printf(Locale.ROOT, "- compile %.0f ms, load %.0f ms, first run %.1f ms (not in the"
        + " statistics)%n", compileMs, loadMs, firstRunMs);
    out.printf(Locale.ROOT, "- protocol: untimed warm-up of each kind (at least %d runs and %.0f ms;"
        + " done: Kiln %d%s%s), then %d timed rounds alternating %s%n", protocol.warmupRuns(),
        protocol.warmupNanos() / 1e6, warmups.kiln(),
        profile != null ? ", profiled " + warmups.profiled() : "",
        ort != null ? ", ONNX Runtime " + warmups.ort() : "", protocol.iterations(),
        "Kiln" + (profile != null ? ", Kiln profiled" : "") + (ort != null ? ", ONNX Runtime" : ""));
    if (!Double.isNaN(cpuShare)) {
      out.printf(Locale.ROOT, "- the benchmark thread ran %.0f%% of the timed phase's wall time%s%n",
          100 * cpuShare, cpuShare < BUSY_CPU_SHARE
              ? String.format(Locale.ROOT, ": the machine was busy (load average %.1f), the numbers"
                  + " carry that noise", Machine.loadAverage()) : "");
    }
    out.println();
    out.println("| | mean ms | median ms | min ms | max ms | p90 ms | runs/s |");
    out.println("|---|---:|---:|---:|---:|---:|---:|");
    statsRow(out, "Kiln", kiln);
    if (ort != null) {
      statsRow(out, "ONNX Runtime " + ort.version(), ort.stats());
    }
    out.println();
    if (ort != null) {
      out.printf(Locale.ROOT, "Kiln / ONNX Runtime, median: %.2f (below 1: Kiln is faster);"
          + " outputs differ by at most %.2e (largest |output| %.3g)%n", ratio(), ort.maxAbsDiff(),
          ort.maxAbsOutput());
    }
    out.printf(Locale.ROOT,
        "Memory: Kiln peakBytes %s (weights %s + arena %s); process peak RSS %s%s%n",
        MemorySize.format(peakBytes), MemorySize.format(weightBytes), MemorySize.format(arenaBytes),
        peakRssBytes < 0 ? "unknown" : MemorySize.format(peakRssBytes),
        ort == null ? "" : "; ONNX Runtime's RSS growth (session + first run) "
            + (ort.rssGrowthBytes() < 0 ? "unknown" : MemorySize.format(ort.rssGrowthBytes())));
    if (roofline != null) {
      out.printf(Locale.ROOT,
          "Roofline: %.1f GFLOP/s peak, %.1f GB/s, ridge at %.1f FLOP/byte (%s)%n",
          roofline.peakGflops(), roofline.bandwidthGBs(), roofline.ridgeIntensity(),
          roofline.source());
    } else {
      out.println("Roofline: unknown for this device (the machine profile describes the CPU)");
    }
    if (profile == null) {
      out.println();
      return;
    }
    out.printf(Locale.ROOT, "%n## Profile%n%n");
    out.printf(Locale.ROOT, "opSumMs %.3f against avgMs %.3f: %.3f × avgMs; invariant %s %s."
        + " Profiled runs averaged %.3f ms.%n%n", profile.opSumMs(), profile.avgMs(), profile.ratio(),
        profile.invariant(), profile.holds() ? "holds" : "FAILS", profile.profiledAvgMs());
    if (!profile.holds()) {
      out.printf(Locale.ROOT, "The per-layer table is withheld: its times would not add up to the"
          + " run. A busy machine is the usual cause (load average %.1f%s); rerun with more"
          + " --iters, or when the machine is quiet.%n%n", Machine.loadAverage(),
          Double.isNaN(cpuShare) ? "" : String.format(Locale.ROOT,
              ", the benchmark thread ran %.0f%% of the time", 100 * cpuShare));
      return;
    }
    out.println("| # | layer | op | algorithm | ms | % | MFLOP | MB | FLOP/B | GFLOP/s | % roofline"
        + " | bound |");
    out.println("|---:|---|---|---|---:|---:|---:|---:|---:|---:|---:|---|");
    for (LayerRow row : layers) {
      CompiledLayer l = row.layer();
      boolean arithmetic = l.flops() > 0;
      out.printf(Locale.ROOT,
          "| %d | %s | %s | %s | %.3f | %.1f | %.1f | %.2f | %s | %s | %s | %s |%n",
          l.index(), cell(l.name()), cell(l.op()), cell(l.algorithm()), row.ms(),
          100 * row.ms() / profile.opSumMs(), l.flops() / 1e6, l.bytes() / 1e6,
          arithmetic ? String.format(Locale.ROOT, "%.1f", l.arithmeticIntensity()) : "-",
          arithmetic ? String.format(Locale.ROOT, "%.1f", row.gflops()) : "-",
          arithmetic && roofline != null ? String.format(Locale.ROOT, "%.0f%%",
              roofline.percentOfRoof(row.gflops(), l.arithmeticIntensity())) : "-",
          !arithmetic || roofline == null ? "-"
              : roofline.memoryBound(l.arithmeticIntensity()) ? "memory" : "compute");
    }
    out.println();
  }

  private static void statsRow(PrintWriter out, String what, RunStats s) {
    out.printf(Locale.ROOT, "| %s | %.3f | %.3f | %.3f | %.3f | %.3f | %.1f |%n", what, s.meanMs(),
        s.medianMs(), s.minMs(), s.maxMs(), s.p90Ms(), s.runsPerSecond());
  }

  /** A Markdown table cell: node names are untrusted and may hold '|' or line breaks. */
  private static String cell(String s) {
    return s.replace("\\", "\\\\").replace("|", "\\|").replace("\n", " ").replace("\r", " ");
  }
}
