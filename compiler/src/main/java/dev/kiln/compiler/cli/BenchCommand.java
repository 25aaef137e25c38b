package dev.kiln.compiler.cli;

import dev.kiln.compiler.KilnException;
import dev.kiln.compiler.Version;
import dev.kiln.compiler.api.SelectionSettings;
import dev.kiln.compiler.bench.BenchReport;
import dev.kiln.compiler.bench.KernelBenchmark;
import dev.kiln.compiler.bench.KernelBenchmark.ConvLayer;
import dev.kiln.compiler.bench.KernelBenchmark.ConvResult;
import dev.kiln.compiler.bench.KernelBenchmark.GemmResult;
import dev.kiln.compiler.bench.Machine;
import dev.kiln.compiler.bench.ModelBench;
import dev.kiln.compiler.bench.ModelBenchmark;
import dev.kiln.compiler.bench.OrtRunner;
import dev.kiln.compiler.bench.Timing;
import dev.kiln.compiler.io.AtomicFiles;
import dev.kiln.compiler.io.TensorFiles;
import dev.kiln.compiler.ir.Tensor;
import dev.kiln.compiler.report.HtmlReport;
import dev.kiln.compiler.report.MachinePeaks;
import dev.kiln.compiler.select.MachineProfile;
import dev.kiln.runtime.kernels.KernelInfo;
import dev.kiln.runtime.parallel.ThreadTeam;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code kiln bench}: measurements printed as Markdown tables, ready for docs/performance.md. With a
 * MODEL, the model as users run it ({@link ModelBench}): latency statistics, memory, with {@code
 * --profile} per-layer times checked against the whole run, with {@code --compare-ort} ONNX Runtime
 * on the same input and threads. {@code --kernels} runs the kernel suite (FMA peak, GEMM shapes,
 * convolution algorithms per layer).
 */
@Command(
    name = "bench",
    mixinStandardHelpOptions = true,
    description = {
      "Benchmarks a compiled model (the generated class, as users run it) or, with --kernels,"
          + " Kiln's kernels. Warm-up runs are never timed or profiled.",
      "Example: kiln bench resnet18.onnx --threads 2 --profile --compare-ort --ort-jar"
          + " onnxruntime-1.29.0.jar --json r18.json",
      "Example: kiln bench --kernels --layers-of resnet18.onnx --threads 2"
    })
final class BenchCommand implements Callable<Integer> {
  @Spec CommandSpec spec;

  @Parameters(index = "0", arity = "0..1", paramLabel = "MODEL",
      description = "The model (.onnx or .json) to benchmark.")
  Path model;

  @Option(names = "--kernels", description = "Run the kernel suite: the machine's FMA peak, the GEMM"
      + " shapes, and the convolution layers of the models given with --layers-of.")
  boolean kernels;

  @Option(names = "--layers-of", paramLabel = "MODEL",
      description = "With --kernels: time every convolution algorithm on each distinct convolution"
          + " of this model (repeatable).")
  List<Path> layerModels = new ArrayList<>();

  @Option(names = "--numerics", description = "With --layers-of: also compare every algorithm's"
      + " output with a float64 evaluation of the layer (slow).")
  boolean numerics;

  @Option(names = "--gemm", paramLabel = "MxNxK", split = ",",
      description = "With --kernels: GEMM shapes (default: ResNet-18's im2col shapes 64x3136x576,"
          + " 128x784x1152, 256x196x2304, 512x49x4608, and 512x512x512).")
  List<String> gemmShapes = new ArrayList<>();

  @Option(names = "--threads", paramLabel = "N", defaultValue = "1",
      description = "Threads: of the model's session (and ONNX Runtime's intra-op threads), or of"
          + " the convolution layers and the threaded GEMM column (default: ${DEFAULT-VALUE}).")
  int threads;

  @Option(names = "--runs", paramLabel = "N", defaultValue = "7",
      description = "With --kernels: timed runs per measurement; the median is reported (default:"
          + " ${DEFAULT-VALUE}).")
  int runs;

  @Option(names = "--min-run-ms", paramLabel = "MS", defaultValue = "40",
      description = "With --kernels: shortest timed run; short operations repeat within a run"
          + " (default: ${DEFAULT-VALUE}).")
  int minRunMillis;

  @Option(names = "--warmup-ms", paramLabel = "MS", defaultValue = "500",
      description = "Shortest untimed warm-up per measurement (for a model: per kind of run); it"
          + " goes on while calls still get faster (C2 compiling the Vector API code), up to 10x"
          + " this (default: ${DEFAULT-VALUE}).")
  int warmupMillis;

  @Option(names = "--warmup", paramLabel = "W", defaultValue = "10",
      description = "Fewest untimed warm-up runs of the model, per kind of run (default:"
          + " ${DEFAULT-VALUE}).")
  int warmupRuns;

  @Option(names = "--iters", paramLabel = "K", defaultValue = "20",
      description = "Timed runs of the model, per kind of run (default: ${DEFAULT-VALUE}).")
  int iterations;

  @Option(names = "--profile", description = "Also time every layer, in separate profiled runs;"
      + " shows FLOPs, bytes and the roofline per layer, and checks that the layers add up to the"
      + " unprofiled mean.")
  boolean profile;

  @Option(names = "--compare-ort", description = "Run ONNX Runtime's CPU provider on the same model,"
      + " input and threads, alternating with Kiln's runs.")
  boolean compareOrt;

  @Option(names = "--ort-jar", paramLabel = "FILE",
      description = "ONNX Runtime's jar (" + OrtRunner.ARTIFACT + "), which kiln.jar does not"
          + " bundle; not needed when it is on the class path.")
  Path ortJar;

  @Option(names = {"-i", "--input"}, paramLabel = "[NAME=]FILE",
      description = "Input data (.npy or .pb); inputs without a file get seeded random values"
          + " uniform in [-1, 1).")
  List<String> inputs = new ArrayList<>();

  @Option(names = "--json", paramLabel = "FILE", description = "Also write the results as JSON.")
  Path json;

  @Option(names = "--html", paramLabel = "FILE",
      description = "Also write report.html: the roofline with the measured layers, the memory plan"
          + " and the algorithm table.")
  Path html;

  @Option(names = "--target", paramLabel = "TARGET", defaultValue = "cpu",
      description = "cpu (the generated class) or opencl (the OpenCL program on a device, timed to"
          + " the read-back; --profile gives each kernel's device time); default: ${DEFAULT-VALUE}.")
  String target;

  @Option(names = "--opencl-device", paramLabel = "DEVICE",
      description = "With --target opencl: a device index, gpu, cpu, or part of its name.")
  String openClDevice;

  @Mixin InputOptions inputOptions;

  @Mixin SelectionOptions selectionOptions;

  @Override
  public Integer call() {
    if (model != null && kernels) {
      throw new KilnException("give a MODEL or --kernels, not both");
    }
    if (model != null) {
      return benchModel();
    }
    if (!kernels) {
      throw new KilnException(
          "nothing to benchmark: give a MODEL, or --kernels for the kernel suite");
    }
    if (selectionOptions.given()) {
      // Parsed first, so a bad value is reported as such rather than as misplaced.
      selectionOptions.settings();
      throw new KilnException("--memory-budget, --memory-mode, --autotune and --machine choose a"
          + " model's algorithms; --kernels times every algorithm on its own");
    }
    for (String modelOnly : List.of("--warmup", "--iters", "--profile", "--compare-ort", "--ort-jar",
        "--input", "--json", "--html", "--target", "--opencl-device",
        "--input-shape")) {
      if (spec.commandLine().getParseResult().hasMatchedOption(modelOnly)) {
        throw new KilnException(modelOnly + " is for model benchmarks: give a MODEL");
      }
    }
    if (threads < 1 || runs < 1 || minRunMillis < 0 || warmupMillis < 0) {
      throw new KilnException("--threads and --runs must be at least 1, --min-run-ms and --warmup-ms"
          + " not negative");
    }
    for (Path model : layerModels) {
      if (!Files.isRegularFile(model)) {
        throw new KilnException(model + ": no such model file");
      }
    }
    List<int[]> shapes = gemmShapes.isEmpty() ? KernelBenchmark.DEFAULT_GEMM_SHAPES : parseShapes();
    PrintWriter out = spec.commandLine().getOut();
    Main.announceKernels(spec.commandLine().getErr());
    KernelBenchmark bench = new KernelBenchmark(
        new Timing(runs, warmupMillis * 1_000_000L, minRunMillis * 1_000_000L));

    out.printf(Locale.ROOT, "# kiln bench --kernels (kiln %s, %s)%n%n", Version.KILN, LocalDate.now());
    out.printf(Locale.ROOT, "- kernels: %s%n", KernelInfo.description());
    out.printf(Locale.ROOT, "- machine: %s, %d available processors; Java %s%n", Machine.cpuModel(),
        Machine.processors(), Machine.java());
    out.printf(Locale.ROOT, "- timing: median of %d runs of at least %d ms after %d ms of warm-up%n%n",
        runs, minRunMillis, warmupMillis);
    out.flush();

    KernelBenchmark.Peak peak = bench.peak();
    out.printf(Locale.ROOT, "## Peak FP32, one core%n%n| loop | GFLOP/s | GFLOP/s by CPU time |"
        + " best by CPU time |%n|---|---:|---:|---:|%n| %s, 12 chains | %.1f | %.1f | %.1f |%n%n",
        peak.loop(), peak.gflops(), peak.medianCpuGflops(), peak.bestCpuGflops());
    out.printf(Locale.ROOT, "%% of peak below is of the best CPU-time peak, %.1f GFLOP/s.%n%n",
        peak.bestCpuGflops());
    out.flush();

    try (ThreadTeam team = new ThreadTeam(threads)) {
      if (team.threads() > 1) {
        printDispatch(out, bench, team);
      }
      printGemm(out, bench, shapes, team, peak.bestCpuGflops());
      for (Path model : layerModels) {
        printConvLayers(out, bench, model, team, peak.bestCpuGflops(), numerics);
      }
    }
    return Main.OK;
  }

  private int benchModel() {
    for (String kernelOnly : List.of("--layers-of", "--numerics", "--gemm", "--runs", "--min-run-ms")) {
      if (spec.commandLine().getParseResult().hasMatchedOption(kernelOnly)) {
        throw new KilnException(kernelOnly + " is for the kernel suite (--kernels), not for a MODEL");
      }
    }
    if (!Files.isRegularFile(model)) {
      throw new KilnException(model + ": no such model file");
    }
    if (!target.equals("cpu") && !target.equals("opencl")) {
      throw new KilnException("--target must be cpu or opencl, got '" + target + "'");
    }
    if (threads < 1 || iterations < 1 || warmupRuns < 0 || warmupMillis < 0) {
      throw new KilnException("--threads and --iters must be at least 1, --warmup and --warmup-ms"
          + " not negative");
    }
    if (html != null && target.equals("opencl")) {
      throw new KilnException("--html draws the CPU's roofline; it does not go with --target opencl");
    }
    if (ortJar != null && !Files.isRegularFile(ortJar)) {
      throw new KilnException("--ort-jar " + ortJar + ": no such file");
    }
    if (target.equals("opencl")) {
      selectionOptions.refuseCpuOnlyOptions();
    }
    SelectionSettings selection = selectionOptions.settings();
    MachineProfile machine = selectionOptions.machineProfile();
    Map<String, Tensor> data = new LinkedHashMap<>();
    Map<String, Path> files = new LinkedHashMap<>();
    for (String spec : inputs) {
      String[] nameAndFile = RunCommand.splitNamed(spec);
      Path file = Path.of(nameAndFile[1]);
      if (data.put(nameAndFile[0], TensorFiles.read(file)) != null) {
        throw new KilnException("--input given twice for "
            + (nameAndFile[0].isEmpty() ? "the model's input" : "'" + nameAndFile[0] + "'"));
      }
      files.put(nameAndFile[0], file);
    }
    ModelBench.Settings settings = new ModelBench.Settings(model, inputOptions.shapes(), data, files,
        threads, new ModelBenchmark.Protocol(warmupRuns, warmupMillis * 1_000_000L, iterations,
            profile),
        selection, machine, compareOrt, ortJar, target.equals("opencl"), openClDevice,
        MachinePeaks.of(machine));
    Main.announceKernels(spec.commandLine().getErr());
    ModelBench.Outcome outcome = ModelBench.run(settings);
    BenchReport report = outcome.report();
    PrintWriter out = spec.commandLine().getOut();
    report.print(out);
    out.flush();
    if (profile && !report.layerTimesValid()) {
      PrintWriter err = spec.commandLine().getErr();
      err.printf(Locale.ROOT, "kiln: profile invariant fails (opSumMs %.3f = %.3f × avgMs %.3f; must"
          + " be %s): per-layer times withheld%n", report.profile().opSumMs(),
          report.profile().ratio(), report.profile().avgMs(), report.profile().invariant());
      err.flush();
    }
    if (json != null) {
      AtomicFiles.write(json, report.toJson().getBytes(StandardCharsets.UTF_8));
      out.println("wrote " + json);
    }
    if (html != null) {
      double[] layerMs = new double[outcome.layers().size()];
      for (int i = 0; i < layerMs.length; i++) {
        layerMs[i] = report.layerTimesValid() ? report.layers().get(i).ms() : Double.NaN;
      }
      String page = HtmlReport.render(outcome.compiled(), outcome.layers(), report.roofline(),
          model.toString(), layerMs);
      AtomicFiles.write(html, page.getBytes(StandardCharsets.UTF_8));
      out.println("wrote " + html);
    }
    return Main.OK;
  }

  private static void printDispatch(PrintWriter out, KernelBenchmark bench, ThreadTeam team) {
    KernelBenchmark.Dispatch d;
    try {
      d = bench.dispatch(team);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new KilnException("interrupted");
    }
    out.printf(Locale.ROOT, "## Dispatch, %d threads%n%n", d.threads());
    out.printf(Locale.ROOT, "Median µs per run. Layers below %d kFLOP per extra thread are not split"
        + " at all.%n%n", ThreadTeam.MIN_WORK_PER_THREAD / 1000);
    out.printf(Locale.ROOT, "| empty, workers spinning | empty, workers parked | %d µs of work per"
        + " share | ... run by a worker | ExecutorService.invokeAll, empty |%n",
        KernelBenchmark.busyShareMicros());
    out.printf(Locale.ROOT, "|---:|---:|---:|---:|---:|%n| %.2f | %.1f | %.1f | %.0f%% | %.1f |%n%n",
        d.spinningMicros(), d.parkedMicros(), d.busyMicros(), 100 * d.workerShare(),
        d.executorMicros());
    out.flush();
  }

  private void printGemm(PrintWriter out, KernelBenchmark bench, List<int[]> shapes, ThreadTeam team,
      double peak) {
    out.printf(Locale.ROOT, "## GEMM, one thread%n%n");
    out.printf(Locale.ROOT, "C[M×N] = A[M×K]·B[K×N], A prepacked (weights), B packed per call;"
        + " \"+pack A\" also packs A every call, as a BLAS sgemm does.%n%n");
    String threadedHeader = team.threads() > 1 ? " " + team.threads() + " threads GFLOP/s |" : "";
    out.printf(Locale.ROOT, "| M×N×K | ms | GFLOP/s | GFLOP/s by CPU time | best by CPU time |"
        + " %% of peak (best) | +pack A GFLOP/s by CPU time |%s%n", threadedHeader);
    out.printf(Locale.ROOT, "|---|---:|---:|---:|---:|---:|---:|%s%n", team.threads() > 1 ? "---:|" : "");
    for (int[] s : shapes) {
      GemmResult r = bench.gemm(s[0], s[1], s[2], team);
      double best = r.flops() / r.prepacked().minCpuNanos();
      String threaded = r.threaded() == null ? ""
          : String.format(Locale.ROOT, " %.1f |", r.flops() / r.threaded().medianNanos());
      out.printf(Locale.ROOT, "| %dx%dx%d | %.3f | %.1f | %.1f | %.1f | %.0f%% | %.1f |%s%n",
          s[0], s[1], s[2], r.prepacked().medianNanos() / 1e6, r.flops() / r.prepacked().medianNanos(),
          r.flops() / r.prepacked().medianCpuNanos(), best, 100 * best / peak,
          r.flops() / r.packingA().medianCpuNanos(), threaded);
      out.flush();
    }
    out.println();
  }

  private static void printConvLayers(PrintWriter out, KernelBenchmark bench, Path model,
      ThreadTeam team, double peak, boolean numerics) {
    List<ConvLayer> layers = KernelBenchmark.convLayers(model);
    String name = layers.isEmpty() ? model.toString() : layers.get(0).model();
    out.printf(Locale.ROOT, "## Convolution layers of %s, %d thread%s%n%n", name, team.threads(),
        team.threads() == 1 ? "" : "s");
    out.printf(Locale.ROOT, "Every distinct convolution (× how often it occurs), each algorithm that"
        + " supports it, with the layer's weights, an input uniform in [-1, 1) and bias + ReLU fused;"
        + " %% of peak is of %d core%s' peak.%n%n", team.threads(),
        team.threads() == 1 ? "" : "s");
    boolean oneThread = team.threads() == 1;
    out.printf(Locale.ROOT, "| first layer | geometry | × | MFLOP | algorithm | ms | GFLOP/s |%s%s%n",
        oneThread ? " GFLOP/s by CPU time | best by CPU time | % of peak (best) |" : " % of peak |",
        numerics ? " max abs error vs float64 | ... relative to max output |" : "");
    out.printf(Locale.ROOT, "|---|---|---:|---:|---|---:|---:|%s%s%n", oneThread ? "---:|---:|---:|" : "---:|",
        numerics ? "---:|---:|" : "");
    double bestTotal = 0;
    for (ConvLayer layer : layers) {
      double best = Double.POSITIVE_INFINITY;
      for (ConvResult r : bench.conv(layer, team, numerics)) {
        double ms = r.time().medianNanos() / 1e6;
        double gflops = layer.flops() / r.time().medianNanos();
        best = Math.min(best, ms);
        String tail = oneThread
            ? String.format(Locale.ROOT, " %.1f | %.1f | %.0f%% |", layer.flops() / r.time().medianCpuNanos(),
                layer.flops() / r.time().minCpuNanos(), 100 * layer.flops() / r.time().minCpuNanos() / peak)
            : String.format(Locale.ROOT, " %.0f%% |", 100 * gflops / (peak * team.threads()));
        String error = numerics ? String.format(Locale.ROOT, " %.2e | %.2e |", r.maxError(),
            r.maxError() / Math.max(r.maxOutput(), Double.MIN_NORMAL)) : "";
        out.printf(Locale.ROOT, "| %s | %s | %d | %.1f | %s | %.3f | %.1f |%s%s%n",
            layer.firstNode(), layer.shape(), layer.count(), layer.flops() / 1e6, r.algorithm(), ms,
            gflops, tail, error);
        out.flush();
      }
      bestTotal += best * layer.count();
    }
    out.printf(Locale.ROOT, "%nAll %d convolutions of %s with the fastest algorithm each: %.2f ms.%n%n",
        layers.stream().mapToInt(ConvLayer::count).sum(), name, bestTotal);
  }

  private List<int[]> parseShapes() {
    List<int[]> shapes = new ArrayList<>();
    for (String s : gemmShapes) {
      String[] parts = s.toLowerCase(Locale.ROOT).split("x");
      try {
        if (parts.length != 3) {
          throw new NumberFormatException();
        }
        int[] mnk = {Integer.parseInt(parts[0]), Integer.parseInt(parts[1]), Integer.parseInt(parts[2])};
        if (mnk[0] < 1 || mnk[1] < 1 || mnk[2] < 1) {
          throw new NumberFormatException();
        }
        shapes.add(mnk);
      } catch (NumberFormatException e) {
        throw new KilnException("--gemm '" + s + "': expected MxNxK with positive sizes, e.g. 512x512x512");
      }
    }
    return shapes;
  }
}
