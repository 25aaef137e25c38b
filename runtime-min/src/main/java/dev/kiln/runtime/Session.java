package dev.kiln.runtime;

import dev.kiln.runtime.parallel.ThreadTeam;
import java.nio.FloatBuffer;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * One thread's way to run a {@link KilnModel}: it owns an arena, so runs never allocate. Not
 * thread-safe; use one session per thread (they share the model's weights).
 */
public final class Session implements AutoCloseable {
  private final KilnModel model;
  private final float[] arena;
  private final ThreadTeam team;
  private boolean closed;

  Session(KilnModel model, int threads) {
    if (threads < 1) {
      throw new IllegalArgumentException("threads must be at least 1, got " + threads);
    }
    this.model = model;
    this.arena = new float[model.arenaFloats()];
    this.team = new ThreadTeam(Math.min(threads, model.maxThreads()));
  }

  public KilnModel model() {
    return model;
  }

  /** The threads this session's layers use: the caller and the workers it owns. */
  public int threads() {
    return team.threads();
  }

  /**
   * Runs a model with one input and one output without allocating: reads the input from {@code
   * in[inOff..]} and writes the output to {@code out[outOff..]}.
   */
  public void run(float[] in, int inOff, float[] out, int outOff) {
    checkOpen();
    TensorInfo input = only(model.inputs(), "inputs");
    TensorInfo output = only(model.outputs(), "outputs");
    checkRange(in, inOff, input);
    checkRange(out, outOff, output);
    System.arraycopy(in, inOff, arena, input.arenaOffset(), input.elements());
    model.execute(arena, model.weights(), team);
    System.arraycopy(arena, output.arenaOffset(), out, outOff, output.elements());
  }

  /** The same with buffers: reads {@code elements} floats from {@code in}'s position, writes to {@code out}'s. */
  public void run(FloatBuffer in, FloatBuffer out) {
    checkOpen();
    TensorInfo input = only(model.inputs(), "inputs");
    TensorInfo output = only(model.outputs(), "outputs");
    if (in.remaining() < input.elements() || out.remaining() < output.elements()) {
      throw new IllegalArgumentException("buffers need " + input.elements() + " floats to read and "
          + output.elements() + " to write; have " + in.remaining() + " and " + out.remaining());
    }
    in.get(arena, input.arenaOffset(), input.elements());
    model.execute(arena, model.weights(), team);
    out.put(arena, output.arenaOffset(), output.elements());
  }

  /** Copies input {@code index} from {@code src[off..]} into the arena (for models with several inputs). */
  public void setInput(int index, float[] src, int off) {
    checkOpen();
    TensorInfo t = model.inputs().get(index);
    checkRange(src, off, t);
    System.arraycopy(src, off, arena, t.arenaOffset(), t.elements());
  }

  /** Copies the input named {@code name} from {@code src[off..]} into the arena, without allocating. */
  public void setInput(String name, float[] src, int off) {
    setInput(indexOf(model.inputs(), name, "input"), src, off);
  }

  /** Copies the output named {@code name} to {@code dst[off..]}, without allocating. */
  public void getOutput(String name, float[] dst, int off) {
    getOutput(indexOf(model.outputs(), name, "output"), dst, off);
  }

  private int indexOf(java.util.List<TensorInfo> list, String name, String what) {
    for (int i = 0; i < list.size(); i++) {
      if (list.get(i).name().equals(name)) {
        return i;
      }
    }
    // Not there: the model's lookup throws, naming the ones it has.
    TensorInfo missing = what.equals("input") ? model.input(name) : model.output(name);
    throw new AssertionError(missing);
  }

  /** Runs on the inputs set with {@link #setInput}. */
  public void run() {
    checkOpen();
    model.execute(arena, model.weights(), team);
  }

  /**
   * Runs like {@link #run()} and adds each layer's wall time in nanoseconds to {@code
   * layerNanos[i]}, for profilers ({@code kiln bench --profile}). Timing costs one {@link
   * System#nanoTime} per layer; {@link #run()} pays nothing for it.
   *
   * @param layerNanos at least {@link KilnModel#layerCount()} long; accumulates over calls
   * @throws UnsupportedOperationException when the model has no per-layer timers
   */
  public void runProfiled(long[] layerNanos) {
    checkOpen();
    int layers = model.layerCount();
    if (layerNanos.length < layers) {
      throw new IllegalArgumentException(model.name() + " has " + layers + " layers; layerNanos has "
          + layerNanos.length + " entries");
    }
    model.executeProfiled(arena, model.weights(), team, layerNanos);
  }

  /** Copies output {@code index} to {@code dst[off..]}. */
  public void getOutput(int index, float[] dst, int off) {
    checkOpen();
    TensorInfo t = model.outputs().get(index);
    checkRange(dst, off, t);
    System.arraycopy(arena, t.arenaOffset(), dst, off, t.elements());
  }

  /** Runs with named inputs and returns every output by name (allocates the results). */
  public Map<String, float[]> run(Map<String, float[]> inputs) {
    checkOpen();
    for (String name : inputs.keySet()) {
      model.input(name);
    }
    for (int i = 0; i < model.inputs().size(); i++) {
      TensorInfo t = model.inputs().get(i);
      float[] data = inputs.get(t.name());
      if (data == null) {
        throw new IllegalArgumentException("no data for input '" + t.name() + "'");
      }
      if (data.length != t.elements()) {
        throw new IllegalArgumentException("input '" + t.name() + "' needs " + t.elements()
            + " floats, got " + data.length);
      }
      setInput(i, data, 0);
    }
    run();
    Map<String, float[]> result = new LinkedHashMap<>();
    for (int i = 0; i < model.outputs().size(); i++) {
      float[] data = new float[model.outputs().get(i).elements()];
      getOutput(i, data, 0);
      result.put(model.outputs().get(i).name(), data);
    }
    return result;
  }

  private static TensorInfo only(java.util.List<TensorInfo> list, String what) {
    if (list.size() != 1) {
      throw new IllegalStateException("the model has " + list.size() + " " + what
          + ": use setInput/run()/getOutput or run(Map)");
    }
    return list.get(0);
  }

  private static void checkRange(float[] a, int off, TensorInfo t) {
    if (off < 0 || a.length - off < t.elements()) {
      throw new IllegalArgumentException("'" + t.name() + "' needs " + t.elements()
          + " floats from offset " + off + " but the array has " + a.length);
    }
  }

  private void checkOpen() {
    if (closed) {
      throw new IllegalStateException("session is closed");
    }
  }

  /** Stops the session's worker threads; idempotent. */
  @Override
  public void close() {
    if (!closed) {
      closed = true;
      team.close();
    }
  }
}
