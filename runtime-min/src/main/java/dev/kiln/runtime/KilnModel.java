package dev.kiln.runtime;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentLinkedDeque;
import dev.kiln.runtime.parallel.ThreadTeam;

/**
 * A compiled model. Generated classes extend it; it is immutable and thread-safe, holds the weights
 * once, and runs in {@link Session}s, each with its own arena (activations and scratch at the
 * offsets fixed at compile time).
 *
 * <pre>
 * try (ResNet18 model = new ResNet18(); Session session = model.newSession()) {
 *   session.run(image, 0, logits, 0);        // no allocation
 * }
 * float[] logits = model.run(image);         // convenience, thread-safe
 * </pre>
 *
 * <p>The same input gives bit-identical output in every session, on every thread, and at every
 * thread count.
 */
public abstract class KilnModel implements AutoCloseable {
  /**
   * The version of what a compiled class and this runtime must agree on beyond method signatures:
   * how each kernel packs its weights ({@code ConvKernel.packWeights}, {@code Gemm.packA}/{@code
   * packB}) and lays out its workspace. Kiln packs a model's weights at compile time with its own
   * runtime-min and writes this number into the class as a literal; a class with another number is
   * refused when it is constructed, instead of misreading its weights later (a class packed for
   * older masks or panels ran into an IndexOutOfBoundsException, or worse, wrong numbers). Raised
   * with every change to a packing or workspace format.
   */
  public static final int FORMAT = 1;

  private final String name;
  private final List<TensorInfo> inputs;
  private final List<TensorInfo> outputs;
  private final int arenaFloats;
  private final int maxThreads;
  private final float[] weights;
  private final ConcurrentLinkedDeque<Session> pool = new ConcurrentLinkedDeque<>();
  private volatile boolean closed;

  /**
   * @param format the {@link #FORMAT} the class was compiled for (generated classes: the number
   *     their Kiln packed the weights with, as a literal)
   * @param maxThreads the most threads a session may use: the arena holds kernel workspace for that
   *     many workers
   * @param weights the loaded weights; the model owns them from now on
   * @throws IllegalStateException if {@code format} is not this runtime's {@link #FORMAT}
   */
  protected KilnModel(String name, int format, TensorInfo[] inputs, TensorInfo[] outputs,
      int arenaFloats, int maxThreads, float[] weights) {
    if (format != FORMAT) {
      throw new IllegalStateException(name + " was compiled for Kiln runtime format " + format
          + ", but this kiln-runtime-min reads format " + FORMAT
          + ": recompile the model with the Kiln release of this runtime");
    }
    if (maxThreads < 1) {
      throw new IllegalArgumentException("maxThreads must be at least 1, got " + maxThreads);
    }
    this.name = Objects.requireNonNull(name, "name");
    this.inputs = List.of(inputs);
    this.outputs = List.of(outputs);
    this.arenaFloats = arenaFloats;
    this.maxThreads = maxThreads;
    this.weights = Objects.requireNonNull(weights, "weights");
  }

  /**
   * The constructor of classes compiled before formats were numbered. Their weights are packed in
   * formats this runtime may no longer read, so they are refused with the same advice.
   *
   * @deprecated kept only to refuse such classes with a clear message
   * @throws IllegalStateException always
   */
  @Deprecated
  protected KilnModel(String name, TensorInfo[] inputs, TensorInfo[] outputs, int arenaFloats,
      int maxThreads, float[] weights) {
    throw new IllegalStateException(name + " was compiled by a Kiln older than runtime format "
        + FORMAT + " (no format number in the class): recompile the model with the Kiln release"
        + " of this runtime");
  }

  /**
   * Runs every layer once on {@code arena}, whose input slots hold the inputs; afterwards the output
   * slots hold the outputs. Called with the session's arena and thread team.
   */
  protected abstract void execute(float[] arena, float[] weights, ThreadTeam team);

  /**
   * Runs like {@link #execute} and adds each layer's wall time, in nanoseconds, to {@code
   * layerNanos[layer]} (layers in execution order, {@link #layerCount()} of them): one {@link
   * System#nanoTime} per layer boundary and nothing else, so the layers' times add up to the run's.
   * Generated classes implement it; {@link #execute} itself never times anything.
   *
   * @throws UnsupportedOperationException by default: a model written by hand has no layer timers
   */
  protected void executeProfiled(float[] arena, float[] weights, ThreadTeam team, long[] layerNanos) {
    throw new UnsupportedOperationException(name + " has no per-layer timers");
  }

  public String name() {
    return name;
  }

  public List<TensorInfo> inputs() {
    return inputs;
  }

  public List<TensorInfo> outputs() {
    return outputs;
  }

  public TensorInfo input(String name) {
    return find(inputs, name, "input");
  }

  public TensorInfo output(String name) {
    return find(outputs, name, "output");
  }

  private TensorInfo find(List<TensorInfo> list, String name, String what) {
    for (TensorInfo t : list) {
      if (t.name().equals(name)) {
        return t;
      }
    }
    List<String> names = new ArrayList<>();
    list.forEach(t -> names.add(t.name()));
    throw new IllegalArgumentException(this.name + " has no " + what + " named '" + name + "' ("
        + what + "s: " + names + ")");
  }

  /** Floats in one session's arena. */
  public int arenaFloats() {
    return arenaFloats;
  }

  /** The most threads a session uses (the model was compiled with workspace for that many). */
  public int maxThreads() {
    return maxThreads;
  }

  /**
   * The layers {@link Session#runProfiled} times, in execution order (the generated class's header
   * lists them); 0 for a model without per-layer timers (or without layers).
   */
  public int layerCount() {
    return 0;
  }

  /** Floats of weights held, once, by the model. */
  public int weightFloats() {
    return weights.length;
  }

  /**
   * The bytes this model instance holds with one session: weights as loaded plus one arena (which
   * contains the input and output slots). Each further concurrent session adds {@code 4 ×
   * arenaFloats()}.
   */
  public long memoryBytes() {
    return ((long) weights.length + arenaFloats) * Float.BYTES;
  }

  /**
   * A session using {@link #maxThreads()} threads: the thread count the model was compiled for
   * (by default the compiling machine's processors).
   */
  public Session newSession() {
    return newSession(maxThreads);
  }

  /**
   * A session whose layers split their work over {@code threads} threads (the caller and {@code
   * threads − 1} workers it owns), at most {@link #maxThreads()}: more are capped, and {@link
   * Session#threads()} says how many it uses. Results do not depend on the thread count.
   */
  public Session newSession(int threads) {
    checkOpen();
    return new Session(this, threads);
  }

  float[] weights() {
    return weights;
  }

  /** Runs a model with one input and one output; thread-safe, allocates the result. */
  public float[] run(float[] input) {
    if (inputs.size() != 1 || outputs.size() != 1) {
      throw new IllegalStateException(name + " has " + inputs.size() + " inputs and " + outputs.size()
          + " outputs: use run(Map) or a Session");
    }
    float[] out = new float[outputs.get(0).elements()];
    Session s = borrow();
    try {
      s.run(input, 0, out, 0);
    } finally {
      pool.offerFirst(s);
    }
    return out;
  }

  /** Runs with named inputs and returns every output by name; thread-safe, allocates the results. */
  public Map<String, float[]> run(Map<String, float[]> namedInputs) {
    Session s = borrow();
    try {
      return s.run(namedInputs);
    } finally {
      pool.offerFirst(s);
    }
  }

  private Session borrow() {
    checkOpen();
    Session s = pool.pollFirst();
    return s != null ? s : new Session(this, 1);
  }

  void checkOpen() {
    if (closed) {
      throw new IllegalStateException(name + " is closed");
    }
  }

  /** Releases pooled sessions; idempotent. Sessions handed out keep working until closed. */
  @Override
  public void close() {
    closed = true;
    Session s;
    while ((s = pool.pollFirst()) != null) {
      s.close();
    }
  }

  @Override
  public String toString() {
    return name + " (inputs " + inputs + ", outputs " + outputs + ", " + memoryBytes() + " bytes)";
  }

}
