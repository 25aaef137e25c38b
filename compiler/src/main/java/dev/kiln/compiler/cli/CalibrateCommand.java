package dev.kiln.compiler.cli;

import dev.kiln.compiler.KilnException;
import dev.kiln.compiler.bench.Timing;
import dev.kiln.compiler.select.Calibration;
import dev.kiln.compiler.select.MachineProfile;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/** {@code kiln calibrate}: measures this machine for the cost model and caches the profile. */
@Command(
    name = "calibrate",
    mixinStandardHelpOptions = true,
    description = {
      "Measures this machine for the algorithm selection's cost model: one core's FP32 peak, the"
          + " memory bandwidth and each convolution algorithm's efficiency (one thread, warm-up"
          + " excluded), and saves them (default: ~/.kiln/machine.json), where compile, run and"
          + " bench find them. Takes about a minute; --quick about 15 seconds, rougher.",
      "Example: kiln calibrate"
    })
final class CalibrateCommand implements Callable<Integer> {
  @Spec CommandSpec spec;

  @Option(names = {"-o", "--output"}, paramLabel = "FILE",
      description = "Where to save the profile (default: ~/.kiln/machine.json).")
  Path output;

  @Option(names = "--quick", description = "One small layer per algorithm, one timed run each"
      + " (warm-ups from 250 ms): rough figures in about 15 seconds.")
  boolean quick;

  @Option(names = "--runs", paramLabel = "N", defaultValue = "5",
      description = "Timed runs per measurement; the median counts (default: ${DEFAULT-VALUE}).")
  int runs;

  @Option(names = "--warmup-ms", paramLabel = "MS", defaultValue = "1000",
      description = "Shortest warm-up per measurement, excluded from the timing; it goes on while"
          + " calls still get faster, up to 10x this (default: ${DEFAULT-VALUE}).")
  int warmupMillis;

  @Override
  public Integer call() {
    if (runs < 1 || warmupMillis < 0) {
      throw new KilnException("--runs must be at least 1 and --warmup-ms not negative");
    }
    PrintWriter out = spec.commandLine().getOut();
    Main.announceKernels(spec.commandLine().getErr());
    long warmup = (quick ? Math.min(warmupMillis, 250) : warmupMillis) * 1_000_000L;
    Timing timing = new Timing(quick ? 1 : runs, warmup, quick ? 1_000_000L : 20_000_000L);
    Calibration.Result result = new Calibration(timing, quick).measure();
    MachineProfile profile = result.profile();

    out.printf(Locale.ROOT, "peak: %.1f GFLOP/s per core; bandwidth: %.1f GB/s%n",
        profile.peakGflopsPerCore(), profile.bandwidthGBps());
    out.printf(Locale.ROOT, "| algorithm | layer | MFLOP (as counted) | ms | efficiency |%n"
        + "|---|---|---:|---:|---:|%n");
    for (Calibration.Sample s : result.samples()) {
      out.printf(Locale.ROOT, "| %s | %s | %.1f | %.3f | %.3f |%n", s.algorithm(), s.shape(),
          s.flops() / 1e6, s.cpuNanos() / 1e6, s.efficiency());
    }
    out.printf(Locale.ROOT, "gemm-1x1 ran %.2fx as fast as tiled on the same 1x1 layers: efficiency"
        + " %.3f%n", result.gemm1x1OverTiled(), profile.efficiencyOf("gemm-1x1"));
    Path file = output != null ? output : MachineProfile.defaultPath();
    profile.write(file);
    out.println("wrote " + file);
    return Main.OK;
  }
}
