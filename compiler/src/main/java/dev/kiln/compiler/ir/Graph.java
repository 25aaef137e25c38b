package dev.kiln.compiler.ir;

import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * An immutable computation graph with static shapes: graph inputs, constants (weights and folded
 * values), nodes in topological order, and the type of every value. Edits go through {@link Builder}.
 *
 * <p>The constructor only copies; {@link GraphVerifier} checks the invariants and reports every
 * problem at once.
 */
public final class Graph {
  private final String name;
  private final String source;
  private final int opset;
  private final List<Value> inputs;
  private final List<String> outputs;
  private final Map<String, Tensor> constants;
  private final List<Node> nodes;
  private final Map<String, TensorType> types;

  private final Map<String, Node> producers;
  private final Map<String, List<Node>> consumers;

  private Graph(Builder b) {
    this.name = Objects.requireNonNull(b.name, "name");
    this.source = Objects.requireNonNull(b.source, "source");
    this.opset = b.opset;
    this.inputs = List.copyOf(b.inputs);
    this.outputs = List.copyOf(b.outputs);
    this.constants = Collections.unmodifiableMap(new LinkedHashMap<>(b.constants));
    this.nodes = List.copyOf(b.nodes);
    this.types = Collections.unmodifiableMap(new LinkedHashMap<>(b.types));
    Map<String, Node> prod = new HashMap<>();
    Map<String, List<Node>> cons = new HashMap<>();
    for (Node n : nodes) {
      for (String out : n.outputs()) {
        if (!out.isEmpty()) {
          prod.putIfAbsent(out, n);
        }
      }
      for (String in : n.inputs()) {
        if (!in.isEmpty()) {
          List<Node> list = cons.computeIfAbsent(in, k -> new ArrayList<>());
          if (list.isEmpty() || list.get(list.size() - 1) != n) {
            list.add(n);
          }
        }
      }
    }
    cons.replaceAll((k, v) -> List.copyOf(v));
    this.producers = prod;
    this.consumers = cons;
  }

  public static Builder builder() {
    return new Builder();
  }

  public Builder toBuilder() {
    Builder b = new Builder();
    b.name = name;
    b.source = source;
    b.opset = opset;
    b.inputs.addAll(inputs);
    b.outputs.addAll(outputs);
    b.constants.putAll(constants);
    b.nodes.addAll(nodes);
    b.types.putAll(types);
    return b;
  }

  public String name() {
    return name;
  }

  /** Where the graph came from (the model file name), for error messages. */
  public String source() {
    return source;
  }

  /** The ONNX default-domain opset the operators' attributes follow. */
  public int opset() {
    return opset;
  }

  public List<Value> inputs() {
    return inputs;
  }

  public List<String> outputs() {
    return outputs;
  }

  public Map<String, Tensor> constants() {
    return constants;
  }

  public List<Node> nodes() {
    return nodes;
  }

  public Map<String, TensorType> types() {
    return types;
  }

  /** The type of a value; fails naming the value when the graph does not know it. */
  public TensorType type(String value) {
    TensorType t = types.get(value);
    if (t == null) {
      throw new IllegalArgumentException("no value named '" + value + "' in graph '" + name + "'");
    }
    return t;
  }

  public boolean isConstant(String value) {
    return constants.containsKey(value);
  }

  public Tensor constant(String value) {
    return constants.get(value);
  }

  public boolean isGraphInput(String value) {
    for (Value v : inputs) {
      if (v.name().equals(value)) {
        return true;
      }
    }
    return false;
  }

  public boolean isGraphOutput(String value) {
    return outputs.contains(value);
  }

  /** The node that produces {@code value}, or {@code null} for inputs and constants. */
  public Node producer(String value) {
    return producers.get(value);
  }

  /** The nodes that read {@code value}, in graph order, each once. */
  public List<Node> consumers(String value) {
    return consumers.getOrDefault(value, List.of());
  }

  /** Number of nodes per op type, in first-appearance order. */
  public Map<String, Integer> opCounts() {
    Map<String, Integer> counts = new LinkedHashMap<>();
    for (Node n : nodes) {
      counts.merge(n.opType(), 1, Integer::sum);
    }
    return counts;
  }

  /** Mutable staging area for a graph; {@link #build} copies it into an immutable {@link Graph}. */
  public static final class Builder {
    private String name = "graph";
    private String source = "<memory>";
    private int opset = 21;
    private final List<Value> inputs = new ArrayList<>();
    private final List<String> outputs = new ArrayList<>();
    private final Map<String, Tensor> constants = new LinkedHashMap<>();
    private final List<Node> nodes = new ArrayList<>();
    private final Map<String, TensorType> types = new LinkedHashMap<>();

    private Builder() {}

    public Builder name(String value) {
      this.name = value;
      return this;
    }

    public Builder source(String value) {
      this.source = value;
      return this;
    }

    public Builder opset(int value) {
      this.opset = value;
      return this;
    }

    public Builder addInput(String valueName, TensorType type) {
      inputs.add(new Value(valueName, type));
      types.put(valueName, type);
      return this;
    }

    public Builder addOutput(String valueName) {
      outputs.add(valueName);
      return this;
    }

    public Builder outputs(List<String> valueNames) {
      outputs.clear();
      outputs.addAll(valueNames);
      return this;
    }

    public Builder putConstant(String valueName, Tensor value) {
      constants.put(valueName, value);
      types.put(valueName, value.type());
      return this;
    }

    public Builder removeConstant(String valueName) {
      constants.remove(valueName);
      types.remove(valueName);
      return this;
    }

    /** Appends a node and records its output types. */
    public Builder addNode(Node node, List<TensorType> outputTypes) {
      if (outputTypes.size() != node.outputs().size()) {
        throw new IllegalArgumentException(
            node.describe() + ": " + node.outputs().size() + " outputs but " + outputTypes.size() + " types");
      }
      nodes.add(node);
      for (int i = 0; i < outputTypes.size(); i++) {
        if (!node.output(i).isEmpty()) {
          types.put(node.output(i), outputTypes.get(i));
        }
      }
      return this;
    }

    /** Appends a node whose output types are already recorded. */
    public Builder addNode(Node node) {
      nodes.add(node);
      return this;
    }

    /** Replaces all nodes; value types stay as recorded (use {@link #pruneTypes} after removals). */
    public Builder nodes(List<Node> newNodes) {
      nodes.clear();
      nodes.addAll(newNodes);
      return this;
    }

    public List<Node> nodes() {
      return Collections.unmodifiableList(nodes);
    }

    public Builder setType(String valueName, TensorType type) {
      types.put(valueName, type);
      return this;
    }

    public TensorType type(String valueName) {
      return types.get(valueName);
    }

    public boolean hasConstant(String valueName) {
      return constants.containsKey(valueName);
    }

    public Tensor constant(String valueName) {
      return constants.get(valueName);
    }

    /** Drops types and constants of values that no node, input or output refers to any more. */
    public Builder pruneTypes() {
      java.util.Set<String> live = new java.util.HashSet<>(outputs);
      for (Value v : inputs) {
        live.add(v.name());
      }
      for (Node n : nodes) {
        live.addAll(n.inputs());
        live.addAll(n.outputs());
      }
      types.keySet().retainAll(live);
      constants.keySet().retainAll(live);
      return this;
    }

    public Graph build() {
      return new Graph(this);
    }
  }
}
