package dev.kiln.compiler.lower;

import dev.kiln.compiler.memory.MemoryPlan;
import java.nio.FloatBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * The backend-neutral lowered model: kernel calls in execution order with every offset, shape and
 * parameter fixed, the weights they read (packed as the chosen algorithms need), and where inputs and
 * outputs sit in the arena. The interpreter, the Java source backend and the bytecode backend all
 * consume this one program, so they can be tested against each other.
 */
public final class Program {
  /**
   * A graph input or output: its shape and where its data sits in the arena.
   *
   * @param arenaOffset in floats
   */
  public record IoSlot(String name, int[] shape, int arenaOffset) {
    public IoSlot {
      shape = shape.clone();
    }

    @Override
    public int[] shape() {
      return shape.clone();
    }

    public int elements() {
      int n = 1;
      for (int d : shape) {
        n *= d;
      }
      return n;
    }

    @Override
    public boolean equals(Object o) {
      return o instanceof IoSlot s && name.equals(s.name) && Arrays.equals(shape, s.shape)
          && arenaOffset == s.arenaOffset;
    }

    @Override
    public int hashCode() {
      return Objects.hash(name, Arrays.hashCode(shape), arenaOffset);
    }
  }

  /**
   * A layer: the consecutive calls that implement one graph node, {@code calls()[firstCall,
   * endCall)}. Generated classes have one method per layer, and profiles time layers.
   */
  public record Layer(String name, String opType, int firstCall, int endCall) {}

  private final String name;
  private final List<KernelCall> calls;
  private final List<Layer> layers;
  private final int arenaFloats;
  private final int maxThreads;
  private final float[] weights;
  private final List<IoSlot> inputs;
  private final List<IoSlot> outputs;
  private final MemoryPlan plan;
  private final Map<String, Integer> weightFloatsByLayer;

  /**
   * @param maxThreads the most threads a session may split layers over: kernel workspace in the
   *     arena is planned for that many workers
   */
  public Program(String name, List<KernelCall> calls, int arenaFloats, int maxThreads, float[] weights,
      List<IoSlot> inputs, List<IoSlot> outputs, MemoryPlan plan) {
    this(name, calls, arenaFloats, maxThreads, weights, inputs, outputs, plan, Map.of());
  }

  /**
   * @param weightFloatsByLayer the floats of {@code weights} each layer added (a constant shared by
   *     several layers counts for the first), padding included: they sum to {@code weights.length}
   *     when every layer is listed
   */
  public Program(String name, List<KernelCall> calls, int arenaFloats, int maxThreads, float[] weights,
      List<IoSlot> inputs, List<IoSlot> outputs, MemoryPlan plan,
      Map<String, Integer> weightFloatsByLayer) {
    this.weightFloatsByLayer = Collections.unmodifiableMap(new LinkedHashMap<>(weightFloatsByLayer));
    this.name = Objects.requireNonNull(name);
    this.calls = List.copyOf(calls);
    this.layers = groupLayers(this.calls);
    this.arenaFloats = arenaFloats;
    this.maxThreads = maxThreads;
    this.weights = weights.clone();
    this.inputs = List.copyOf(inputs);
    this.outputs = List.copyOf(outputs);
    this.plan = Objects.requireNonNull(plan);
  }

  public String name() {
    return name;
  }

  public List<KernelCall> calls() {
    return calls;
  }

  /** The layers in execution order. */
  public List<Layer> layers() {
    return layers;
  }

  private static List<Layer> groupLayers(List<KernelCall> calls) {
    List<Layer> layers = new ArrayList<>();
    for (int i = 0; i < calls.size(); ) {
      int end = i + 1;
      while (end < calls.size() && calls.get(end).layer().equals(calls.get(i).layer())) {
        end++;
      }
      layers.add(new Layer(calls.get(i).layer(), calls.get(i).opType(), i, end));
      i = end;
    }
    return List.copyOf(layers);
  }

  public int arenaFloats() {
    return arenaFloats;
  }

  public int maxThreads() {
    return maxThreads;
  }

  /** The weights, read-only. */
  public FloatBuffer weights() {
    return FloatBuffer.wrap(weights).asReadOnlyBuffer();
  }

  public int weightFloats() {
    return weights.length;
  }

  /** A private copy of the weights, for an executor that needs an array. */
  public float[] weightsCopy() {
    return weights.clone();
  }

  public List<IoSlot> inputs() {
    return inputs;
  }

  public List<IoSlot> outputs() {
    return outputs;
  }

  public MemoryPlan plan() {
    return plan;
  }

  /** The floats of weights each layer added, in execution order (see the constructor). */
  public Map<String, Integer> weightFloatsByLayer() {
    return weightFloatsByLayer;
  }

  /**
   * What a model instance of this program holds with one session: the weights and one arena (which
   * holds the input and output slots) — {@code KilnModel.memoryBytes()} of every backend.
   */
  public long memoryBytes() {
    return ((long) weights.length + arenaFloats) * Float.BYTES;
  }
}
