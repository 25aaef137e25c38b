package dev.kiln.compiler.ir;

import java.util.Objects;

/** A named, typed value: a graph input, a constant or a node output. */
public record Value(String name, TensorType type) {
  public Value {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(type, "type");
  }

  @Override
  public String toString() {
    return "%" + name + ": " + type;
  }
}
