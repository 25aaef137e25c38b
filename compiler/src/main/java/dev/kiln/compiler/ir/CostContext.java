package dev.kiln.compiler.ir;

/** Types of a node's inputs and outputs, and which inputs are parameters (compile-time constants). */
public final class CostContext {
  private final TensorType[] inputTypes;
  private final boolean[] constant;
  private final TensorType[] outputTypes;

  /** @param inputTypes {@code null} for an absent optional input; likewise outputTypes */
  public CostContext(TensorType[] inputTypes, boolean[] constant, TensorType[] outputTypes) {
    this.inputTypes = inputTypes.clone();
    this.constant = constant.clone();
    this.outputTypes = outputTypes.clone();
  }

  public int inputCount() {
    return inputTypes.length;
  }

  public TensorType inputType(int i) {
    return inputTypes[i];
  }

  public TensorType outputType(int i) {
    return outputTypes[i];
  }

  public boolean isConstant(int i) {
    return constant[i];
  }

  /** Elements of output {@code i}. */
  public long outputElements(int i) {
    return outputTypes[i].elementCount();
  }

  public long parameterBytes() {
    long sum = 0;
    for (int i = 0; i < inputTypes.length; i++) {
      if (inputTypes[i] != null && constant[i]) {
        sum += inputTypes[i].byteSize();
      }
    }
    return sum;
  }

  public long inputBytes() {
    long sum = 0;
    for (TensorType t : inputTypes) {
      if (t != null) {
        sum += t.byteSize();
      }
    }
    return sum;
  }

  public long outputBytes() {
    long sum = 0;
    for (TensorType t : outputTypes) {
      if (t != null) {
        sum += t.byteSize();
      }
    }
    return sum;
  }

  /** Every input read once, every output written once, with the given FLOPs. */
  public Cost movementCost(long flops) {
    return new Cost(flops, parameterBytes(), inputBytes(), outputBytes());
  }
}
