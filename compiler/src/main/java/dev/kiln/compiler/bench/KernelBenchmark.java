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
  public record Peak(String loop, double gflops, double medianCpuGflops, double bestCpuGflops) {}

  public Peak peak() {
    PeakFlops p = PeakFlops.get();
    long iterations = 2_000_000;
    Timing.Result r = timing.measure(() -> blackhole(p.run(iterations)));
    double flops = p.flopsPerIteration() * iterations;
    return new Peak(p.description(), flops / r.medianNanos(), flops / r.medianCpuNanos(),
        flops / r.minCpuNanos());
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

  /**
   * A distinct convolution of a model: its geometry, how often it occurs, its first node, and that
   * node's weights when they are constants (else null).
   */
  public record ConvLayer(String model, String firstNode, ConvShape shape, int count, float[] weights) {
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
      float[] weights = g.isConstant(node.input(1)) ? g.constant(node.input(1)).toFloatArray() : null;
      layers.merge(s.toString(), new ConvLayer(name, node.name(), s, 1, weights),
          (old, one) -> new ConvLayer(old.model(), old.firstNode(), old.shape(), old.count() + 1,
              old.weights()));
    }
    return new ArrayList<>(layers.values());
  }

  /**
   * One algorithm on one layer; with numerics, the largest absolute error of its output against a
   * float64 evaluation of the same layer, and the largest |output| for scale.
   */
  public record ConvResult(ConvLayer layer, String algorithm, Timing.Result time, double maxError,
      double maxOutput) {}

  /**
   * Times every registered algorithm that supports {@code layer}, with a bias + ReLU epilogue, on an
   * input uniform in [-1, 1) and the layer's own weights (random ones when they are not constants).
   * With {@code numerics}, also compares each output with a float64 evaluation (slow: direct loops).
   */
  public List<ConvResult> conv(ConvLayer layer, ThreadTeam team, boolean numerics) {
    ConvShape s = layer.shape();
    float[] in = random(1, s.batch * s.inChannels * s.inH * s.inW);
    float[] w = layer.weights() != null ? layer.weights()
        : random(2, s.outChannels * s.inChannelsPerGroup() * s.kernelH * s.kernelW);
    float[] bias = random(3, s.outChannels);
    Epilogue e = Epilogue.builder().bias(bias).activation(Activation.RELU).build();
    double[] exact = numerics ? exactBiasRelu(s, in, w, bias) : null;
    List<ConvResult> results = new ArrayList<>();
    for (ConvKernel kernel : ConvKernels.all()) {
      if (!kernel.supports(s)) {
        continue;
      }
      float[] out = new float[s.batch * s.outChannels * s.outH * s.outW];
      float[] packed = new float[kernel.packedWeightFloats(s)];
      kernel.packWeights(s, w, 0, packed, 0);
      float[] ws = new float[kernel.workspaceFloats(s, team.threads())];
      ConvCall call = new ConvCall(kernel, s, e, in, 0, packed, 0, out, 0, null, 0, ws, 0);
      Timing.Result time = timing.measure(() -> call.runOn(team));
      double maxError = Double.NaN;
      double maxOutput = Double.NaN;
      if (exact != null) {
        maxError = 0;
        maxOutput = 0;
        for (int i = 0; i < out.length; i++) {
          maxError = Math.max(maxError, Math.abs(out[i] - exact[i]));
          maxOutput = Math.max(maxOutput, Math.abs(exact[i]));
        }
      }
      results.add(new ConvResult(layer, kernel.name(), time, maxError, maxOutput));
    }
    return results;
  }

  /** The layer with bias and ReLU in float64: direct loops, the sum in k order. */
  static double[] exactBiasRelu(ConvShape s, float[] in, float[] w, float[] bias) {
    int cg = s.inChannelsPerGroup();
    int mg = s.outChannelsPerGroup();
    double[] out = new double[s.batch * s.outChannels * s.outH * s.outW];
    for (int n = 0; n < s.batch; n++) {
      for (int m = 0; m < s.outChannels; m++) {
        int g = m / mg;
        for (int y = 0; y < s.outH; y++) {
          for (int x = 0; x < s.outW; x++) {
            double sum = 0;
            for (int c = 0; c < cg; c++) {
              int plane = (n * s.inChannels + g * cg + c) * s.inH * s.inW;
              for (int i = 0; i < s.kernelH; i++) {
                int iy = y * s.strideH - s.padTop + i * s.dilationH;
                if (iy < 0 || iy >= s.inH) {
                  continue;
                }
                for (int j = 0; j < s.kernelW; j++) {
                  int ix = x * s.strideW - s.padLeft + j * s.dilationW;
                  if (ix >= 0 && ix < s.inW) {
                    sum += (double) in[plane + iy * s.inW + ix]
                        * w[((m * cg + c) * s.kernelH + i) * s.kernelW + j];
                  }
                }
              }
            }
            out[((n * s.outChannels + m) * s.outH + y) * s.outW + x] = Math.max(0, sum + bias[m]);
          }
        }
      }
    }
    return out;
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

  /** {@code n} floats uniform in [-1, 1), from {@code seed}: every benchmark's and tuner's data. */
  public static float[] random(long seed, int n) {
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
