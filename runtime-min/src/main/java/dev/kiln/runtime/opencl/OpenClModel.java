package dev.kiln.runtime.opencl;

import dev.kiln.runtime.TensorInfo;
import dev.kiln.runtime.Weights;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.ReentrantLock;

/**
 * A compiled model on an OpenCL device: its program built once (or loaded from the binary cache),
 * one device arena laid out by the static memory plan, one weights buffer, and one {@code cl_kernel}
 * per launch with its arguments set once. Nothing is allocated on the device per run.
 *
 * <p>A run enqueues the input writes, every kernel and the output reads without blocking, flushes
 * the queue, and is complete when the last read has completed: {@link #run} waits for that event
 * (the sync point) and returns the outputs; {@link #runAsync} returns at once with a future that an
 * event callback completes. Runs of one model may be issued from any number of threads: their
 * commands never interleave (one enqueue lock per model) and the in-order queue keeps one run's
 * kernels off the arena until the previous run's outputs are read. At most two runs per model are in
 * flight; a third waits for a free staging buffer.
 *
 * <p>Timing: {@link #run} returns only after the read-back, so timing it measures the whole run,
 * never just the enqueue. {@link #runProfiled} adds each kernel's device time.
 */
public final class OpenClModel implements AutoCloseable {
  private static final int IN_FLIGHT_RUNS = 2;
  private static final AtomicLong IDS = new AtomicLong();

  /** Orders the enqueue locks of a pipeline's models, so two pipelines never deadlock. */
  final long id = IDS.incrementAndGet();
  final OpenClContext context;
  private final ClApi api;
  private final OpenClPlan plan;
  private final long program;
  final long arena;
  private final long weightsBuffer;
  private final long[] kernels;
  private final boolean builtFromCache;
  final ReentrantLock enqueueLock = new ReentrantLock();
  private final Staging.Pool staging;
  private volatile boolean closed;

  private OpenClModel(OpenClContext context, OpenClPlan plan, String source, float[] weights) {
    context.checkOpen();
    this.context = context;
    this.api = context.api;
    this.plan = plan;
    checkFits(context, plan);
    if (!ProgramCache.sha256(source).equals(plan.sourceSha256())) {
      throw new IllegalArgumentException(plan.model() + ": the OpenCL source does not belong to this"
          + " plan (its SHA-256 differs from the plan's sourceSha256): load both from one compile");
    }
    if (weights.length != plan.weightFloats()) {
      throw new IllegalArgumentException(plan.model() + ": the plan needs " + plan.weightFloats()
          + " weight floats, got " + weights.length);
    }
    if (Weights.crc32(weights) != plan.weightsCrc32()) {
      throw new IllegalArgumentException(plan.model() + ": the weights' CRC-32 differs from the"
          + " plan's: they belong to another model or build");
    }
    List<Runnable> undo = new ArrayList<>();
    try {
      boolean[] fromCache = new boolean[1];
      this.program = build(context, plan, source, fromCache);
      undo.add(() -> api.releaseProgram(program));
      this.builtFromCache = fromCache[0];
      this.arena = api.createBuffer(context.context, ClApi.MEM_READ_WRITE, Math.max(plan.arenaBytes(), 4));
      undo.add(() -> api.releaseMemObject(arena));
      this.weightsBuffer = api.createBuffer(context.context, ClApi.MEM_READ_ONLY,
          Math.max((long) weights.length * Float.BYTES, 4));
      undo.add(() -> api.releaseMemObject(weightsBuffer));
      upload(weights);
      this.kernels = new long[plan.launches().size()];
      undo.add(() -> {
        for (long k : kernels) {
          api.releaseKernel(k);
        }
      });
      for (int i = 0; i < kernels.length; i++) {
        kernels[i] = createKernel(plan.launches().get(i));
      }
      this.staging = new Staging.Pool(api, IN_FLIGHT_RUNS, plan.inputs(), plan.outputs());
      context.register(this);
    } catch (RuntimeException | Error e) {
      for (int i = undo.size() - 1; i >= 0; i--) {
        try {
          undo.get(i).run();
        } catch (RuntimeException suppressed) {
          e.addSuppressed(suppressed);
        }
      }
      throw e;
    }
  }

  /**
   * Loads a compiled model: its plan, its OpenCL C source and its weights (as {@code kiln compile
   * --target opencl} wrote them, or as the compiler produced them in memory).
   */
  public static OpenClModel load(OpenClContext context, OpenClPlan plan, String source, float[] weights) {
    return new OpenClModel(context, plan, source, weights);
  }

  /** Loads {@code baseName.clplan.json}, {@code .cl} and {@code .weights} next to {@code owner}. */
  public static OpenClModel fromResources(OpenClContext context, Class<?> owner, String baseName) {
    OpenClPlan plan = OpenClPlan.parse(resource(owner, baseName + ".clplan.json"));
    String source = resource(owner, baseName + ".cl");
    float[] weights = Weights.fromResource(owner, baseName + ".weights", plan.weightFloats(), plan.weightsCrc32());
    return load(context, plan, source, weights);
  }

  /** Loads {@code baseName.clplan.json}, {@code .cl} and {@code .weights} from a directory. */
  public static OpenClModel fromDirectory(OpenClContext context, Path dir, String baseName) {
    try {
      OpenClPlan plan = OpenClPlan.parse(Files.readString(dir.resolve(baseName + ".clplan.json")));
      String source = Files.readString(dir.resolve(baseName + ".cl"));
      float[] weights = Weights.fromFile(dir.resolve(baseName + ".weights"), plan.weightFloats(),
          plan.weightsCrc32());
      return load(context, plan, source, weights);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read the OpenCL model " + baseName + " in " + dir, e);
    }
  }

  private static String resource(Class<?> owner, String name) {
    try (InputStream in = owner.getResourceAsStream(name)) {
      if (in == null) {
        throw new IllegalStateException("resource '" + name + "' not found next to " + owner.getName()
            + " on the class path");
      }
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read resource '" + name + "'", e);
    }
  }

  private static void checkFits(OpenClContext context, OpenClPlan plan) {
    long weightBytes = (long) plan.weightFloats() * Float.BYTES;
    long largest = Math.max(plan.arenaBytes(), weightBytes);
    if (largest > context.maxAllocBytes()) {
      throw new OpenClException(plan.model() + ": needs one " + largest + "-byte buffer but "
          + context.device().name() + " allows at most " + context.maxAllocBytes()
          + " bytes per buffer; compile with a smaller --memory-budget");
    }
    if (plan.arenaBytes() + weightBytes > context.globalMemBytes()) {
      throw new OpenClException(plan.model() + ": needs " + (plan.arenaBytes() + weightBytes)
          + " bytes of device memory but " + context.device().name() + " has "
          + context.globalMemBytes());
    }
    for (OpenClPlan.Launch l : plan.launches()) {
      long[] local = l.local();
      if (local != null) {
        long items = 1;
        for (long d : local) {
          items *= d;
        }
        if (items > context.maxWorkGroupSize()) {
          throw new OpenClException(plan.model() + ": layer '" + l.layer() + "' launches " + l.kernel()
              + " with work-groups of " + items + " work-items but " + context.device().name()
              + " allows " + context.maxWorkGroupSize());
        }
      }
    }
  }

  /** Builds from the cached binary when the driver accepts it, else from source (and caches it). */
  private static long build(OpenClContext context, OpenClPlan plan, String source, boolean[] fromCache) {
    ClApi api = context.api;
    String key = ProgramCache.key(source, plan.buildOptions(), context.describe(), context.driverVersion());
    byte[] binary = context.cache().load(key);
    if (binary != null) {
      long p = api.createProgramWithBinary(context.context, context.device, binary);
      if (p != 0) {
        if (api.buildProgram(p, context.device, plan.buildOptions()) == 0) {
          fromCache[0] = true;
          return p;
        }
        api.releaseProgram(p);
      }
    }
    long p = api.createProgramWithSource(context.context, source);
    int code = api.buildProgram(p, context.device, plan.buildOptions());
    if (code != 0) {
      String log;
      try {
        log = api.programBuildLog(p, context.device);
      } finally {
        api.releaseProgram(p);
      }
      throw new OpenClException(plan.model() + ": the OpenCL program did not build on "
          + context.device().name() + ": " + OpenClException.errorName(code) + "\n" + log, code, log);
    }
    byte[] built = api.programBinary(p);
    if (built != null) {
      context.cache().store(key, built);
    }
    return p;
  }

  private void upload(float[] weights) {
    if (weights.length == 0) {
      return;
    }
    long bytes = (long) weights.length * Float.BYTES;
    try (ClApi.HostMemory host = api.allocateHost(bytes)) {
      host.putFloats(0, weights, 0, weights.length);
      long event = api.enqueueWrite(context.queue, weightsBuffer, 0, bytes, host, 0, true);
      try {
        checkStatus(api.waitForEvent(event), "uploading the weights");
      } finally {
        api.releaseEvent(event);
      }
    }
  }

  private long createKernel(OpenClPlan.Launch l) {
    long k;
    try {
      k = api.createKernel(program, l.kernel());
    } catch (OpenClException e) {
      throw new OpenClException(plan.model() + ": layer '" + l.layer() + "': " + e.getMessage(),
          e.errorCode(), null);
    }
    try {
      api.setKernelArgMem(k, 0, arena);
      api.setKernelArgMem(k, 1, weightsBuffer);
      int[] args = l.args();
      for (int i = 0; i < args.length; i++) {
        api.setKernelArgInt(k, 2 + i, args[i]);
      }
    } catch (OpenClException e) {
      api.releaseKernel(k);
      throw new OpenClException(plan.model() + ": layer '" + l.layer() + "' (" + l.kernel() + "): "
          + e.getMessage(), e.errorCode(), null);
    }
    return k;
  }

  public String name() {
    return plan.model();
  }

  public OpenClPlan plan() {
    return plan;
  }

  public OpenClContext context() {
    return context;
  }

  public List<TensorInfo> inputs() {
    return plan.inputs();
  }

  public List<TensorInfo> outputs() {
    return plan.outputs();
  }

  /** Whether the program came from the binary cache rather than a build from source. */
  public boolean builtFromCache() {
    return builtFromCache;
  }

  /** Device bytes held: the arena plus the weights. */
  public long deviceBytes() {
    return plan.arenaBytes() + (long) plan.weightFloats() * Float.BYTES;
  }

  // --- Running. ---

  /** Runs a model with one input and one output; blocks until the output is read back. */
  public float[] run(float[] input) {
    checkSingle();
    return run(Map.of(plan.inputs().get(0).name(), input)).get(plan.outputs().get(0).name());
  }

  /**
   * Runs with named inputs and returns every output by name, once all are read back. The calling
   * thread waits on the last read's event itself (no callback hand-off), so timing this call
   * measures the run and little else.
   */
  public Map<String, float[]> run(Map<String, float[]> inputs) {
    float[][] data = arrange(plan.inputs(), inputs, name());
    Staging s = staging.acquire(() -> closed, name());
    long done = 0;
    try {
      s.putInputs(data);
      enqueueLock.lock();
      try {
        enqueueInputs(s);
        enqueueKernels(null);
        done = enqueueOutputs(s);
        api.flush(context.queue);
      } finally {
        enqueueLock.unlock();
      }
      checkStatus(api.waitForEvent(done), "running");
      return s.takeOutputs();
    } catch (RuntimeException e) {
      api.finish(context.queue);
      throw e;
    } finally {
      if (done != 0) {
        api.releaseEvent(done);
      }
      staging.release(s);
    }
  }

  /** Enqueues a run and returns at once; the future completes when the output is read back. */
  public CompletableFuture<float[]> runAsync(float[] input) {
    checkSingle();
    String out = plan.outputs().get(0).name();
    return runAsync(Map.of(plan.inputs().get(0).name(), input)).thenApply(m -> m.get(out));
  }

  /**
   * Enqueues a run and returns at once. The future completes (on a Kiln thread, never the driver's
   * callback thread) when every output is read back, or exceptionally when a command failed.
   */
  public CompletableFuture<Map<String, float[]>> runAsync(Map<String, float[]> inputs) {
    float[][] data = arrange(plan.inputs(), inputs, name());
    Staging s = staging.acquire(() -> closed, name());
    long done;
    try {
      s.putInputs(data);
      enqueueLock.lock();
      try {
        enqueueInputs(s);
        enqueueKernels(null);
        done = enqueueOutputs(s);
        api.flush(context.queue);
      } finally {
        enqueueLock.unlock();
      }
    } catch (RuntimeException e) {
      abandon(s);
      return CompletableFuture.failedFuture(e);
    }
    return complete(done, s, staging, name());
  }

  /**
   * Runs once with every kernel's device time measured; needs a context created with profiling.
   * Blocks until the outputs are read back.
   */
  public RunProfile runProfiled(Map<String, float[]> inputs) {
    if (!context.isProfiling()) {
      throw new IllegalStateException(name() + ": profiling needs an OpenClContext created with"
          + " Options.withProfiling(true)");
    }
    float[][] data = arrange(plan.inputs(), inputs, name());
    Staging s = staging.acquire(() -> closed, name());
    long[] events = new long[kernels.length];
    long done = 0;
    try {
      s.putInputs(data);
      long start = System.nanoTime();
      enqueueLock.lock();
      try {
        enqueueInputs(s);
        enqueueKernels(events);
        done = enqueueOutputs(s);
        api.flush(context.queue);
      } finally {
        enqueueLock.unlock();
      }
      checkStatus(api.waitForEvent(done), "running");
      long wall = System.nanoTime() - start;
      List<RunProfile.KernelTime> times = new ArrayList<>();
      for (int i = 0; i < events.length; i++) {
        OpenClPlan.Launch l = plan.launches().get(i);
        long nanos = api.eventProfilingInfo(events[i], ClApi.PROFILING_COMMAND_END)
            - api.eventProfilingInfo(events[i], ClApi.PROFILING_COMMAND_START);
        times.add(new RunProfile.KernelTime(l.layer(), l.op(), l.kernel(), nanos));
      }
      return new RunProfile(wall, times, s.takeOutputs());
    } catch (RuntimeException e) {
      api.finish(context.queue);
      throw e;
    } finally {
      for (long e : events) {
        if (e != 0) {
          api.releaseEvent(e);
        }
      }
      if (done != 0) {
        api.releaseEvent(done);
      }
      staging.release(s);
    }
  }

  /** A profiled run of a model with one input. */
  public RunProfile runProfiled(float[] input) {
    checkSingle();
    return runProfiled(Map.of(plan.inputs().get(0).name(), input));
  }

  // --- The pieces a run (or a pipeline) enqueues; the caller holds enqueueLock. ---

  void enqueueInputs(Staging s) {
    List<TensorInfo> in = plan.inputs();
    for (int i = 0; i < in.size(); i++) {
      TensorInfo t = in.get(i);
      api.enqueueWrite(context.queue, arena, (long) t.arenaOffset() * Float.BYTES,
          (long) t.elements() * Float.BYTES, s.memory, s.inputOffsets[i], false);
    }
  }

  /** @param events where to put each kernel's event (profiling), or null for none */
  void enqueueKernels(long[] events) {
    List<OpenClPlan.Launch> launches = plan.launches();
    for (int i = 0; i < kernels.length; i++) {
      OpenClPlan.Launch l = launches.get(i);
      try {
        long e = api.enqueueKernel(context.queue, kernels[i], l.global(), l.local(), events != null);
        if (events != null) {
          events[i] = e;
        }
      } catch (OpenClException e) {
        throw new OpenClException(name() + ": layer '" + l.layer() + "' (" + l.kernel() + "): "
            + e.getMessage(), e.errorCode(), null);
      }
    }
  }

  /** Enqueues the reads and returns the last one's event: when it completes, all are done. */
  long enqueueOutputs(Staging s) {
    List<TensorInfo> out = plan.outputs();
    long last = 0;
    for (int i = 0; i < out.size(); i++) {
      TensorInfo t = out.get(i);
      last = api.enqueueRead(context.queue, arena, (long) t.arenaOffset() * Float.BYTES,
          (long) t.elements() * Float.BYTES, s.memory, s.outputOffsets[i], i == out.size() - 1);
    }
    return last;
  }

  /**
   * The future of a run whose last command is {@code done}: the driver's callback only hands over
   * to the context's executor, which checks the status, copies the outputs out of the staging,
   * and only then returns the staging for reuse.
   */
  CompletableFuture<Map<String, float[]>> complete(long done, Staging s, Staging.Pool pool, String owner) {
    CompletableFuture<Map<String, float[]>> future = new CompletableFuture<>();
    try {
      api.setCompletionCallback(done, status -> context.completions.execute(() -> {
        try {
          checkStatus(status, "running");
          future.complete(s.takeOutputs());
        } catch (Throwable t) {
          future.completeExceptionally(t);
        } finally {
          api.releaseEvent(done);
          pool.release(s);
        }
      }));
    } catch (RuntimeException e) {
      api.finish(context.queue);
      api.releaseEvent(done);
      pool.release(s);
      future.completeExceptionally(e);
    }
    return future;
  }

  /** After a failed enqueue: commands already queued may still read the staging, so drain first. */
  private void abandon(Staging s) {
    try {
      api.finish(context.queue);
    } finally {
      staging.release(s);
    }
  }

  void checkStatus(int status, String what) {
    if (status < 0) {
      throw new OpenClException(name() + ": a command failed on the device while " + what + ": "
          + OpenClException.errorName(status), status, null);
    }
  }

  static float[][] arrange(List<TensorInfo> slots, Map<String, float[]> given, String owner) {
    for (String name : given.keySet()) {
      if (slots.stream().noneMatch(t -> t.name().equals(name))) {
        throw new IllegalArgumentException(owner + " has no input named '" + name + "' (inputs: "
            + slots.stream().map(TensorInfo::name).toList() + ")");
      }
    }
    float[][] data = new float[slots.size()][];
    for (int i = 0; i < slots.size(); i++) {
      TensorInfo t = slots.get(i);
      data[i] = given.get(t.name());
      if (data[i] == null) {
        throw new IllegalArgumentException("no data for input '" + t.name() + "' of " + owner);
      }
      if (data[i].length != t.elements()) {
        throw new IllegalArgumentException("input '" + t.name() + "' of " + owner + " needs "
            + t.elements() + " floats, got " + data[i].length);
      }
    }
    return data;
  }

  static <T> T join(CompletableFuture<T> future) {
    try {
      return future.join();
    } catch (CompletionException e) {
      if (e.getCause() instanceof RuntimeException r) {
        throw r;
      }
      if (e.getCause() instanceof Error err) {
        throw err;
      }
      throw e;
    }
  }

  private void checkSingle() {
    if (plan.inputs().size() != 1 || plan.outputs().size() != 1) {
      throw new IllegalStateException(name() + " has " + plan.inputs().size() + " inputs and "
          + plan.outputs().size() + " outputs: use run(Map)");
    }
  }

  boolean isClosed() {
    return closed;
  }

  /**
   * Waits for the runs in flight, then releases the kernels, the program and the device buffers;
   * idempotent.
   */
  @Override
  public void close() {
    synchronized (this) {
      if (closed) {
        return;
      }
      closed = true;
    }
    staging.drainAndClose();
    for (long k : kernels) {
      api.releaseKernel(k);
    }
    api.releaseProgram(program);
    api.releaseMemObject(arena);
    api.releaseMemObject(weightsBuffer);
    context.unregister(this);
  }

  @Override
  public String toString() {
    return name() + " on " + context.device().name() + " (" + plan.launches().size() + " launches, "
        + deviceBytes() + " device bytes)";
  }
}
