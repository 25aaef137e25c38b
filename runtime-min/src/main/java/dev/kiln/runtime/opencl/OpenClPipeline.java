package dev.kiln.runtime.opencl;

import dev.kiln.runtime.TensorInfo;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

/**
 * Models run back to back on one device, each one's outputs copied into the next one's inputs on
 * the device ({@code clEnqueueCopyBuffer} between their arenas): only the first model's inputs go
 * up and only the last model's outputs come back. Stage {@code i}'s outputs feed stage {@code i+1}'s
 * inputs in order, and their sizes must agree.
 *
 * <p>A run enqueues every stage while holding all the models' enqueue locks (taken in a fixed order,
 * so pipelines sharing models never deadlock), so no other run of these models can slip its commands
 * between the stages; the in-order queue does the rest.
 */
public final class OpenClPipeline implements AutoCloseable {
  private final List<OpenClModel> stages;
  private final List<OpenClModel> lockOrder;
  private final OpenClContext context;
  private final Staging.Pool staging;
  private final String name;
  private volatile boolean closed;

  private OpenClPipeline(List<OpenClModel> stages) {
    this.stages = List.copyOf(stages);
    this.context = stages.get(0).context;
    List<String> names = new ArrayList<>();
    for (OpenClModel m : stages) {
      names.add(m.name());
    }
    this.name = String.join(" -> ", names);
    for (int i = 0; i < stages.size(); i++) {
      OpenClModel m = stages.get(i);
      if (m.context != context) {
        throw new IllegalArgumentException(name + ": every stage must be loaded on the same"
            + " OpenClContext (device-side hand-off needs one context and queue)");
      }
      if (i > 0) {
        checkCompatible(stages.get(i - 1), m);
      }
    }
    List<OpenClModel> order = new ArrayList<>(new java.util.LinkedHashSet<>(stages));
    order.sort(Comparator.comparingLong(m -> m.id));
    this.lockOrder = List.copyOf(order);
    this.staging = new Staging.Pool(context.api, 2, first().inputs(), last().outputs());
  }

  /** A pipeline of two or more models loaded on one context. */
  public static OpenClPipeline of(OpenClModel... stages) {
    if (stages.length < 2) {
      throw new IllegalArgumentException("a pipeline needs at least two models, got " + stages.length);
    }
    return new OpenClPipeline(List.of(stages));
  }

  private static void checkCompatible(OpenClModel from, OpenClModel to) {
    List<TensorInfo> out = from.outputs();
    List<TensorInfo> in = to.inputs();
    if (out.size() != in.size()) {
      throw new IllegalArgumentException(from.name() + " has " + out.size() + " outputs but "
          + to.name() + " has " + in.size() + " inputs");
    }
    for (int i = 0; i < out.size(); i++) {
      if (out.get(i).elements() != in.get(i).elements()) {
        throw new IllegalArgumentException(from.name() + "'s output " + out.get(i) + " cannot feed "
            + to.name() + "'s input " + in.get(i) + ": they differ in size");
      }
    }
  }

  private OpenClModel first() {
    return stages.get(0);
  }

  private OpenClModel last() {
    return stages.get(stages.size() - 1);
  }

  public List<TensorInfo> inputs() {
    return first().inputs();
  }

  public List<TensorInfo> outputs() {
    return last().outputs();
  }

  /** Runs a pipeline with one input and one output; blocks until the output is read back. */
  public float[] run(float[] input) {
    return OpenClModel.join(runAsync(input));
  }

  public Map<String, float[]> run(Map<String, float[]> inputs) {
    return OpenClModel.join(runAsync(inputs));
  }

  public CompletableFuture<float[]> runAsync(float[] input) {
    if (inputs().size() != 1 || outputs().size() != 1) {
      throw new IllegalStateException(name + " has " + inputs().size() + " inputs and "
          + outputs().size() + " outputs: use run(Map)");
    }
    String out = outputs().get(0).name();
    return runAsync(Map.of(inputs().get(0).name(), input)).thenApply(m -> m.get(out));
  }

  /** Enqueues every stage and returns at once; the future completes when the last stage's outputs are read back. */
  public CompletableFuture<Map<String, float[]>> runAsync(Map<String, float[]> inputs) {
    float[][] data = OpenClModel.arrange(inputs(), inputs, name);
    for (OpenClModel m : stages) {
      if (m.isClosed()) {
        throw new IllegalStateException(m.name() + " is closed");
      }
    }
    Staging s = staging.acquire(() -> closed, name);
    ClApi api = context.api;
    long done;
    try {
      s.putInputs(data);
      for (OpenClModel m : lockOrder) {
        m.enqueueLock.lock();
      }
      try {
        first().enqueueInputs(s);
        for (int i = 0; i < stages.size(); i++) {
          OpenClModel m = stages.get(i);
          m.enqueueKernels(null);
          if (i + 1 < stages.size()) {
            handOff(api, m, stages.get(i + 1));
          }
        }
        done = last().enqueueOutputs(s);
        api.flush(context.queue);
      } finally {
        for (int i = lockOrder.size() - 1; i >= 0; i--) {
          lockOrder.get(i).enqueueLock.unlock();
        }
      }
    } catch (RuntimeException e) {
      try {
        api.finish(context.queue);
      } finally {
        staging.release(s);
      }
      return CompletableFuture.failedFuture(e);
    }
    return last().complete(done, s, staging, name);
  }

  /** Device to device: no host round trip between the stages. */
  private static void handOff(ClApi api, OpenClModel from, OpenClModel to) {
    List<TensorInfo> out = from.outputs();
    List<TensorInfo> in = to.inputs();
    for (int i = 0; i < out.size(); i++) {
      api.enqueueCopy(from.context.queue, from.arena, to.arena, (long) out.get(i).arenaOffset() * Float.BYTES,
          (long) in.get(i).arenaOffset() * Float.BYTES, (long) out.get(i).elements() * Float.BYTES, false);
    }
  }

  /** Waits for the runs in flight; the models stay open (close them yourself). */
  @Override
  public void close() {
    synchronized (this) {
      if (closed) {
        return;
      }
      closed = true;
    }
    staging.drainAndClose();
  }

  @Override
  public String toString() {
    return "OpenClPipeline[" + name + "]";
  }
}
