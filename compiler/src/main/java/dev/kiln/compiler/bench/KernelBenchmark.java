package dev.kiln.compiler.bench;

import dev.kiln.compiler.importer.ImportOptions;
import dev.kiln.compiler.importer.ModelImporter;
import dev.kiln.compiler.ir.Graph;
import dev.kiln.compiler.ir.Node;
import dev.kiln.compiler.ops.Conv;
import dev.kiln.runtime.kernels.ConvShape;
import dev.kiln.runtime.kernels.Epilogue;
import dev.kiln.runtime.kernels.Epilogue.Activation;
import dev.kiln.runtime.kernels.conv.ConvCall;
import dev.kiln.runtime.kernels.conv.ConvKernel;
import dev.kiln.runtime.kernels.conv.ConvKernels;
import dev.kiln.runtime.kernels.gemm.Gemm;
import dev.kiln.runtime.kernels.simd.PeakFlops;
import dev.kiln.runtime.parallel.ThreadTeam;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * The kernel benchmarks behind {@code kiln bench --kernels}: the machine's FMA peak, the packed GEMM
 * on the shapes ResNet-18's convolutions produce, and every convolution algorithm on every distinct
 * convolution of the given models. Pure measurement; {@code BenchCommand} prints the results.
 */
public final class KernelBenchmark {
  /** {@code M×N×K}: ResNet-18's im2col GEMMs (56², 28², 14², 7² stages) and a square one. */
  public static final List<int[]> DEFAULT_GEMM_SHAPES = List.of(
      new int[] {64, 3136, 576}, new int[] {128, 784, 1152}, new int[] {256, 196, 2304},
      new int[] {512, 49, 4608}, new int[] {512, 512, 512});

  private final Timing timing;

  public KernelBenchmark(Timing timing) {
    this.timing = timing;
  }

  /** FMA peak of one core on the active kernel path. */
  public record Peak(String loop, double gflops) {}

  public Peak peak() {
    PeakFlops p = PeakFlops.get();
    long iterations = 2_000_000;
    Timing.Result r = timing.measure(() -> blackhole(p.run(iterations)));
    return new Peak(p.description(), p.flopsPerIteration() * iterations / r.medianNanos());
  }

  /**
   * One GEMM shape: {@code prepacked} is how Kiln runs it (weights A packed at compile time, B packed
   * inside), {@code packingA} adds packing A on every call (what a BLAS sgemm call does).
   */
  public record GemmResult(int m, int n, int k, Timing.Result prepacked, Timing.Result packingA,
      Timing.Result threaded, int threads) {
    public double flops() {
      return 2.0 * m * n * k;
    }
  }

  public GemmResult gemm(int m, int n, int k, ThreadTeam team) {
    float[] a = random(1, m * k);
    float[] b = random(2, k * n);
    float[] c = new float[m * n];
    float[] packed = new float[Gemm.packedAFloats(m, k)];
    Gemm.packA(m, k, a, 0, k, false, packed, 0);
    int perWorker = Gemm.packedAWorkspaceFloats(n, k);
    float[] ws = new float[perWorker * team.threads()];
    int tasks = Gemm.packedATasks(m, n);
    Runnable single = () -> Gemm.multiplyPackedA(m, n, k, packed, 0, b, 0, n, c, 0, n,
        Epilogue.NONE, 0, null, 0, ws, 0, 0, tasks);
    Timing.Result prepacked = timing.measure(single);
    Timing.Result packingA = timing.measure(() -> {
      Gemm.packA(m, k, a, 0, k, false, packed, 0);
      single.run();
    });
    Timing.Result threaded = null;
    if (team.threads() > 1) {
      ThreadTeam.Task body = (from, to, worker) -> Gemm.multiplyPackedA(m, n, k, packed, 0, b, 0, n,
          c, 0, n, Epilogue.NONE, 0, null, 0, ws, worker * perWorker, from, to);
      threaded = timing.measure(() -> team.run(tasks, body));
    }
    return new GemmResult(m, n, k, prepacked, packingA, threaded, team.threads());
  }

  /** A distinct convolution of a model: its geometry, how often it occurs, its first node. */
  public record ConvLayer(String model, String firstNode, ConvShape shape, int count) {
    public long flops() {
      return ConvCall.flops(shape);
    }
  }

  /** The distinct convolutions of {@code model}, in graph order. */
  public static List<ConvLayer> convLayers(Path model) {
    Graph g = ModelImporter.load(model, ImportOptions.DEFAULTS);
    String name = model.getParent() != null && model.getFileName().toString().equals("model.onnx")
        ? model.getParent().getFileName().toString() : model.getFileName().toString();
    Map<String, ConvLayer> layers = new LinkedHashMap<>();
    for (Node node : g.nodes()) {
      if (!(node.op() instanceof Conv)) {
        continue;
      }
      Conv conv = (Conv) node.op();
      ConvShape s = conv.convShape(g.type(node.input(0)), g.type(node.input(1)),
          node.hasInput(2) ? g.type(node.input(2)) : null);
      layers.merge(s.toString(), new ConvLayer(name, node.name(), s, 1),
          (old, one) -> new ConvLayer(old.model(), old.firstNode(), old.shape(), old.count() + 1));
    }
    return new ArrayList<>(layers.values());
  }

  /** One algorithm on one layer. */
  public record ConvResult(ConvLayer layer, String algorithm, Timing.Result time) {}

  /** Times every registered algorithm that supports {@code layer}, with a bias + ReLU epilogue. */
  public List<ConvResult> conv(ConvLayer layer, ThreadTeam team) {
    ConvShape s = layer.shape();
    float[] in = random(1, s.batch * s.inChannels * s.inH * s.inW);
    float[] w = random(2, s.outChannels * s.inChannelsPerGroup() * s.kernelH * s.kernelW);
    float[] out = new float[s.batch * s.outChannels * s.outH * s.outW];
    Epilogue e = Epilogue.builder().bias(random(3, s.outChannels)).activation(Activation.RELU).build();
    List<ConvResult> results = new ArrayList<>();
    for (ConvKernel kernel : ConvKernels.all()) {
      if (!kernel.supports(s)) {
        continue;
      }
      float[] packed = new float[kernel.packedWeightFloats(s)];
      kernel.packWeights(s, w, 0, packed, 0);
      float[] ws = new float[kernel.workspaceFloats(s, team.threads())];
      ConvCall call = new ConvCall(kernel, s, e, in, 0, packed, 0, out, 0, null, 0, ws, 0);
      results.add(new ConvResult(layer, kernel.name(), timing.measure(() -> call.runOn(team))));
    }
    return results;
  }

  /**
   * What splitting a layer costs on {@code team}, in microseconds: empty shares back to back (workers
   * still spinning from the previous layer), empty shares after an idle gap long enough for the
   * workers to park, shares of {@link #BUSY_SHARE_NANOS} of busy work each (ideal: exactly that),
   * with the fraction of those runs in which a worker thread, not the caller, ran share 1; and for
   * comparison empty jobs through a fixed {@code ExecutorService} (invokeAll).
   */
  public record Dispatch(int threads, double spinningMicros, double parkedMicros, double busyMicros,
      double workerShare, double executorMicros) {}

  static final long BUSY_SHARE_NANOS = 20_000;

  public static long busyShareMicros() {
    return BUSY_SHARE_NANOS / 1000;
  }

  public Dispatch dispatch(ThreadTeam team) throws InterruptedException {
    int n = team.threads();
    ThreadTeam.Task empty = (from, to, worker) -> { };
    double spinning = timing.measure(() -> team.run(n, empty)).medianNanos() / 1e3;
    double[] parked = new double[101];
    for (int i = 0; i < parked.length; i++) {
      Thread.sleep(1 + ThreadTeam.SPIN_NANOS / 1_000_000);
      long t0 = System.nanoTime();
      team.run(n, empty);
      parked[i] = (System.nanoTime() - t0) / 1e3;
    }
    Thread caller = Thread.currentThread();
    int[] byWorker = new int[1];
    ThreadTeam.Task busy = (from, to, worker) -> {
      long end = System.nanoTime() + BUSY_SHARE_NANOS;
      while (System.nanoTime() < end) {
        Thread.onSpinWait();
      }
      if (worker == 1 && Thread.currentThread() != caller) {
        byWorker[0]++;
      }
    };
    double[] busyRuns = new double[501];
    for (int i = 0; i < busyRuns.length; i++) {
      long t0 = System.nanoTime();
      team.run(n, busy);
      busyRuns[i] = (System.nanoTime() - t0) / 1e3;
    }
    double workerShare = (double) byWorker[0] / busyRuns.length;
    java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newFixedThreadPool(n);
    try {
      java.util.List<java.util.concurrent.Callable<Object>> jobs = new ArrayList<>();
      for (int w = 0; w < n; w++) {
        jobs.add(() -> null);
      }
      double executor = timing.measure(() -> {
        try {
          pool.invokeAll(jobs);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
      }).medianNanos() / 1e3;
      return new Dispatch(n, spinning, Timing.median(parked), Timing.median(busyRuns), workerShare,
          executor);
    } finally {
      pool.shutdownNow();
    }
  }

  private static float[] random(long seed, int n) {
    SplittableRandom r = new SplittableRandom(seed);
    float[] a = new float[n];
    for (int i = 0; i < n; i++) {
      a[i] = (float) (2 * r.nextDouble() - 1);
    }
    return a;
  }

  private static volatile float sink;

  private static void blackhole(float v) {
    sink = v;
  }
}
