package dev.kiln.compiler.ir;

import java.util.List;
import java.util.Objects;

/**
 * One operation in a graph: an operator applied to named input values, producing named outputs. An
 * absent optional input is the empty string, as in ONNX. Immutable.
 */
public final class Node {
  private final String name;
  private final Op op;
  private final List<String> inputs;
  private final List<String> outputs;

  public Node(String name, Op op, List<String> inputs, List<String> outputs) {
    this.name = Objects.requireNonNull(name, "name");
    this.op = Objects.requireNonNull(op, "op");
    this.inputs = List.copyOf(inputs);
    this.outputs = List.copyOf(outputs);
  }

  public String name() {
    return name;
  }

  public Op op() {
    return op;
  }

  public String opType() {
    return op.type();
  }

  public List<String> inputs() {
    return inputs;
  }

  public List<String> outputs() {
    return outputs;
  }

  /** Input {@code i}, or "" when absent. */
  public String input(int i) {
    return i < inputs.size() ? inputs.get(i) : "";
  }

  public boolean hasInput(int i) {
    return !input(i).isEmpty();
  }

  public String output(int i) {
    return outputs.get(i);
  }

  public Node withOp(Op newOp) {
    return new Node(name, newOp, inputs, outputs);
  }

  public Node withInputs(List<String> newInputs) {
    return new Node(name, op, newInputs, outputs);
  }

  public Node withOutputs(List<String> newOutputs) {
    return new Node(name, op, inputs, newOutputs);
  }

  /** {@code 'conv1' (Conv)}, the way error messages name a node. */
  public String describe() {
    return "'" + name + "' (" + op.type() + ")";
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof Node n
        && name.equals(n.name)
        && op.equals(n.op)
        && inputs.equals(n.inputs)
        && outputs.equals(n.outputs);
  }

  @Override
  public int hashCode() {
    return Objects.hash(name, op, inputs, outputs);
  }

  @Override
  public String toString() {
    return describe() + " " + inputs + " -> " + outputs;
  }
}
