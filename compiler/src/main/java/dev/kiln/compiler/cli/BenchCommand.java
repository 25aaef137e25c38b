package dev.kiln.compiler.cli;

import dev.kiln.compiler.KilnException;
import dev.kiln.compiler.Version;
import dev.kiln.compiler.bench.KernelBenchmark;
import dev.kiln.compiler.bench.KernelBenchmark.ConvLayer;
import dev.kiln.compiler.bench.KernelBenchmark.ConvResult;
import dev.kiln.compiler.bench.KernelBenchmark.GemmResult;
import dev.kiln.compiler.bench.Timing;
import dev.kiln.runtime.kernels.KernelInfo;
import dev.kiln.runtime.parallel.ThreadTeam;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/**
 * {@code kiln bench}: measurements printed as Markdown tables, ready for docs/performance.md. {@code
 * --kernels} runs the kernel suite (FMA peak, GEMM shapes, convolution algorithms per layer); whole
 * model benchmarks are meant to join as further sections of the same command.
 */
@Command(
    name = "bench",
    mixinStandardHelpOptions = true,
    description = {
      "Benchmarks Kiln's kernels: median of several timed runs after a warm-up, as Markdown tables.",
      "Example: kiln bench --kernels --layers-of resnet18.onnx --threads 2"
    })
final class BenchCommand implements Callable<Integer> {
  @Spec CommandSpec spec;

  @Option(names = "--kernels", description = "Run the kernel suite: the machine's FMA peak, the GEMM"
      + " shapes, and the convolution layers of the models given with --layers-of.")
  boolean kernels;

  @Option(names = "--layers-of", paramLabel = "MODEL",
      description = "Time every convolution algorithm on each distinct convolution of this model"
          + " (repeatable).")
  List<Path> layerModels = new ArrayList<>();

  @Option(names = "--numerics", description = "With --layers-of: also compare every algorithm's"
      + " output with a float64 evaluation of the layer (slow).")
  boolean numerics;

  @Option(names = "--gemm", paramLabel = "MxNxK", split = ",",
      description = "GEMM shapes (default: ResNet-18's im2col shapes 64x3136x576, 128x784x1152,"
          + " 256x196x2304, 512x49x4608, and 512x512x512).")
  List<String> gemmShapes = new ArrayList<>();

  @Option(names = "--threads", paramLabel = "N", defaultValue = "1",
      description = "Threads for the convolution layers and the threaded GEMM column"
          + " (default: ${DEFAULT-VALUE}; GEMM is always timed on one thread too).")
  int threads;

  @Option(names = "--runs", paramLabel = "N", defaultValue = "7",
      description = "Timed runs per measurement; the median is reported (default: ${DEFAULT-VALUE}).")
  int runs;

  @Option(names = "--min-run-ms", paramLabel = "MS", defaultValue = "40",
      description = "Shortest timed run: short operations repeat within a run (default: ${DEFAULT-VALUE}).")
  int minRunMillis;

  @Option(names = "--warmup-ms", paramLabel = "MS", defaultValue = "500",
      description = "Shortest untimed warm-up per measurement; it goes on while calls still get"
          + " faster (C2 compiling the Vector API code), up to 10x this (default: ${DEFAULT-VALUE}).")
  int warmupMillis;

  @Mixin SelectionOptions selectionOptions;

  @Override
  public Integer call() {
    if (selectionOptions.given()) {
      // Parsed first, so a bad value is reported as such rather than as misplaced.
      selectionOptions.settings();
      throw new KilnException("--memory-budget, --memory-mode, --autotune and --machine choose a"
          + " model's algorithms; --kernels times every algorithm on its own");
    }
    if (!kernels) {
      throw new KilnException("nothing to benchmark: add --kernels (model benchmarks are not there yet)");
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
    out.printf(Locale.ROOT, "- machine: %s, %d available processors; Java %s (%s)%n", cpuModel(),
        Runtime.getRuntime().availableProcessors(), System.getProperty("java.version"),
        System.getProperty("java.vm.name"));
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

  private static String cpuModel() {
    try {
      for (String line : Files.readAllLines(Path.of("/proc/cpuinfo"))) {
        if (line.startsWith("model name")) {
          return line.substring(line.indexOf(':') + 1).trim();
        }
      }
    } catch (IOException | RuntimeException e) {
      // Not Linux: the architecture has to do.
    }
    return System.getProperty("os.arch");
  }
}
