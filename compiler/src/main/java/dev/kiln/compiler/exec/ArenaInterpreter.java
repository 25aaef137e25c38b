package dev.kiln.compiler.exec;

import dev.kiln.compiler.KilnException;
import dev.kiln.compiler.ir.Graph;
import dev.kiln.compiler.ir.Node;
import dev.kiln.compiler.ir.Tensor;
import dev.kiln.compiler.ir.TensorType;
import dev.kiln.compiler.ir.TypeInference;
import dev.kiln.compiler.ir.Value;
import dev.kiln.compiler.memory.MemoryPlan;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Runs a graph through a {@link MemoryPlan}: every float activation lives in one arena at the offset
 * the plan gave it, nodes run in the plan's order, and nodes the plan eliminated (views, Concats whose
 * inputs were written into place) do nothing. If the plan let two live values overlap, results change:
 * that is what running through it tests.
 *
 * <p>Non-float values (int64 shape data that was not folded) stay outside the arena.
 */
public final class ArenaInterpreter {
  private final Graph graph;
  private final MemoryPlan plan;
  private final Map<String, Node> nodesByName = new HashMap<>();

  public ArenaInterpreter(Graph graph, MemoryPlan plan) {
    this.graph = graph;
    this.plan = plan;
    for (Node n : graph.nodes()) {
      nodesByName.put(n.name(), n);
    }
  }

  public MemoryPlan plan() {
    return plan;
  }

  /** Runs once with a fresh arena. */
  public Map<String, Tensor> run(Map<String, Tensor> inputs) {
    return run(inputs, new float[arenaFloats()]);
  }

  public int arenaFloats() {
    return Math.toIntExact(plan.arenaBytes() / Float.BYTES);
  }

  /** Runs with the given arena (at least {@link #arenaFloats()} long); its old content is irrelevant. */
  public Map<String, Tensor> run(Map<String, Tensor> inputs, float[] arena) {
    Map<String, Tensor> outsideArena = new HashMap<>();
    for (Value in : graph.inputs()) {
      Tensor t = inputs.get(in.name());
      if (t == null || !t.type().equals(in.type())) {
        throw new KilnException(graph.source() + ": input '" + in.name() + "' needs " + in.type()
            + (t == null ? " but none was given" : " but got " + t.type()));
      }
      store(in.name(), t, arena, outsideArena);
    }
    for (String name : plan.schedule()) {
      Node node = nodesByName.get(name);
      if (plan.isEliminated(name)) {
        continue;
      }
      Tensor[] in = new Tensor[node.inputs().size()];
      for (int i = 0; i < in.length; i++) {
        String v = node.input(i);
        in[i] = v.isEmpty() ? null : load(v, arena, outsideArena);
      }
      TensorType[] outTypes = new TensorType[node.outputs().size()];
      for (int i = 0; i < outTypes.length; i++) {
        outTypes[i] = node.output(i).isEmpty() ? null : graph.type(node.output(i));
      }
      Tensor[] out;
      try {
        out = node.op().evaluate(in, outTypes);
      } catch (KilnException e) {
        throw new KilnException(TypeInference.where(graph.source(), node, graph.opset()) + ": "
            + e.getMessage(), e);
      }
      for (int i = 0; i < outTypes.length; i++) {
        if (outTypes[i] != null) {
          store(node.output(i), out[i], arena, outsideArena);
        }
      }
    }
    Map<String, Tensor> outputs = new LinkedHashMap<>();
    for (String out : graph.outputs()) {
      outputs.put(out, load(out, arena, outsideArena));
    }
    return outputs;
  }

  private Tensor load(String value, float[] arena, Map<String, Tensor> outsideArena) {
    Tensor c = graph.constant(value);
    if (c != null) {
      return c;
    }
    TensorType type = graph.type(value);
    if (!type.dtype().isFloat()) {
      return outsideArena.get(value);
    }
    int offset = floatOffset(value);
    float[] data = new float[type.elementCount()];
    System.arraycopy(arena, offset, data, 0, data.length);
    return Tensor.adopt(type.shape(), data);
  }

  private void store(String value, Tensor t, float[] arena, Map<String, Tensor> outsideArena) {
    if (!t.isFloat()) {
      outsideArena.put(value, t);
      return;
    }
    t.copyFloatsTo(arena, floatOffset(value));
  }

  private int floatOffset(String value) {
    long bytes = plan.valueOffset(value);
    if (bytes % Float.BYTES != 0) {
      throw new IllegalStateException("value '" + value + "' sits at byte " + bytes
          + ", not on a float boundary");
    }
    return Math.toIntExact(bytes / Float.BYTES);
  }
}
