package dev.kiln.runtime.opencl;

import dev.kiln.runtime.TensorInfo;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

/**
 * Native host memory for one run's inputs and outputs. Asynchronous transfers read and write host
 * memory after the enqueue call has returned, so the memory must not move (no Java arrays) and must
 * not be reused until the run's last command has completed: a run holds its staging from before its
 * first write until after its read-back, and a {@link Pool} bounds how many runs are in flight.
 */
final class Staging {
  private final List<TensorInfo> inputs;
  private final List<TensorInfo> outputs;
  final ClApi.HostMemory memory;
  /** Byte offsets in {@link #memory}. */
  final long[] inputOffsets;
  final long[] outputOffsets;

  private Staging(ClApi api, List<TensorInfo> inputs, List<TensorInfo> outputs) {
    this.inputs = inputs;
    this.outputs = outputs;
    this.inputOffsets = new long[inputs.size()];
    this.outputOffsets = new long[outputs.size()];
    long bytes = 0;
    for (int i = 0; i < inputs.size(); i++) {
      inputOffsets[i] = bytes;
      bytes += align((long) inputs.get(i).elements() * Float.BYTES);
    }
    for (int i = 0; i < outputs.size(); i++) {
      outputOffsets[i] = bytes;
      bytes += align((long) outputs.get(i).elements() * Float.BYTES);
    }
    this.memory = api.allocateHost(bytes);
  }

  private static long align(long bytes) {
    return (bytes + 63) / 64 * 64;
  }

  /** Copies the inputs in; their presence and sizes were checked by the caller. */
  void putInputs(float[][] data) {
    for (int i = 0; i < inputs.size(); i++) {
      memory.putFloats(inputOffsets[i], data[i], 0, inputs.get(i).elements());
    }
  }

  Map<String, float[]> takeOutputs() {
    Map<String, float[]> result = new LinkedHashMap<>();
    for (int i = 0; i < outputs.size(); i++) {
      float[] data = new float[outputs.get(i).elements()];
      memory.getFloats(outputOffsets[i], data, 0, data.length);
      result.put(outputs.get(i).name(), data);
    }
    return result;
  }

  /** A fixed set of stagings; {@link #acquire} waits while all are in flight. */
  static final class Pool {
    private final BlockingQueue<Staging> free;
    private final Staging[] all;

    Pool(ClApi api, int size, List<TensorInfo> inputs, List<TensorInfo> outputs) {
      all = new Staging[size];
      free = new ArrayBlockingQueue<>(size);
      try {
        for (int i = 0; i < size; i++) {
          all[i] = new Staging(api, inputs, outputs);
          free.add(all[i]);
        }
      } catch (RuntimeException e) {
        close();
        throw e;
      }
    }

    /** Waits for a free staging; fails once {@code closed} says the owner is closing. */
    Staging acquire(BooleanSupplier closed, String owner) {
      while (true) {
        if (closed.getAsBoolean()) {
          throw new IllegalStateException(owner + " is closed");
        }
        try {
          Staging s = free.poll(20, TimeUnit.MILLISECONDS);
          if (s != null) {
            if (closed.getAsBoolean()) {
              free.add(s);
              throw new IllegalStateException(owner + " is closed");
            }
            return s;
          }
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          throw new IllegalStateException("interrupted while waiting for a run of " + owner + " to finish", e);
        }
      }
    }

    void release(Staging s) {
      free.add(s);
    }

    /** Waits until every staging is back (no run in flight), then frees the memory. */
    void drainAndClose() {
      int back = 0;
      boolean interrupted = false;
      while (back < all.length) {
        try {
          free.take();
          back++;
        } catch (InterruptedException e) {
          interrupted = true;
        }
      }
      close();
      if (interrupted) {
        Thread.currentThread().interrupt();
      }
    }

    private void close() {
      for (Staging s : all) {
        if (s != null) {
          s.memory.close();
        }
      }
    }
  }
}
