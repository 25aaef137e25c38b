package dev.kiln.compiler.select;

import dev.kiln.compiler.bench.KernelBenchmark;
import dev.kiln.compiler.bench.Timing;
import dev.kiln.runtime.kernels.ConvShape;
import dev.kiln.runtime.kernels.Epilogue;
import dev.kiln.runtime.kernels.conv.ConvCall;
import dev.kiln.runtime.kernels.conv.ConvKernel;
import dev.kiln.runtime.parallel.ThreadTeam;
import java.util.HashMap;
import java.util.Map;

/**
 * {@code --autotune}: times a candidate on the layer's geometry at compile time instead of trusting
 * the estimate. Each layer runs as the compiled model runs it ({@link ConvCall#runOn} on a team of
 * the model's threads, a bias epilogue, seeded data — the kernels' speed does not depend on the
 * values), after a warm-up that lasts until the time per call stops improving (C2 must have
 * compiled the kernel); the median of a few timed runs is kept. Identical layers are timed once.
 *
 * <p>Not thread-safe; one per compilation. {@link #close} stops the team.
 */
public final class Autotuner implements AutoCloseable {
  /**
   * A candidate estimated this many times slower than the layer's best estimate is not timed (the
   * reference direct convolution takes seconds on a large layer); it keeps its estimate.
   */
  public static final double SKIP_FACTOR = 10;

  /**
   * Compile-time timing: 3 runs of at least 2 ms after at least 100 ms (at most 1 s) of warm-up. A
   * kernel's first layer pays for its JIT compilation; later layers find it compiled.
   */
  public static final Timing DEFAULT_TIMING = new Timing(3, 100_000_000L, 2_000_000L);

  private final Timing timing;
  private final ThreadTeam team;
  private final Map<String, Double> measured = new HashMap<>();

  public Autotuner(Timing timing, int threads) {
    this.timing = timing;
    this.team = new ThreadTeam(threads);
  }

  /** Median wall-clock nanoseconds of one run of {@code kernel} on {@code s}. */
  public double measure(ConvKernel kernel, ConvShape s) {
    return measured.computeIfAbsent(kernel.name() + " " + s, key -> time(kernel, s));
  }

  private double time(ConvKernel kernel, ConvShape s) {
    float[] in = KernelBenchmark.random(1, s.batch * s.inChannels * s.inH * s.inW);
    float[] weights = KernelBenchmark.random(2, s.outChannels * s.inChannelsPerGroup() * s.kernelH * s.kernelW);
    float[] packed = new float[kernel.packedWeightFloats(s)];
    kernel.packWeights(s, weights, 0, packed, 0);
    float[] out = new float[s.batch * s.outChannels * s.outH * s.outW];
    float[] workspace = new float[kernel.workspaceFloats(s, team.threads())];
    Epilogue epilogue = Epilogue.builder().bias(KernelBenchmark.random(3, s.outChannels)).build();
    ConvCall call = new ConvCall(kernel, s, epilogue, in, 0, packed, 0, out, 0, null, 0, workspace, 0);
    return timing.measure(() -> call.runOn(team)).medianNanos();
  }

  @Override
  public void close() {
    team.close();
  }
}
