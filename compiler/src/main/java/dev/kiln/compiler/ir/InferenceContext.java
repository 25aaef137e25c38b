package dev.kiln.compiler.ir;

import java.util.Arrays;

/**
 * What shape inference sees of a node: the types of its inputs, the values of those that are known at
 * compile time (initializers and folded shape computations), and how many outputs it has.
 */
public final class InferenceContext {
  private final TensorType[] inputTypes;
  private final Tensor[] knownValues;
  private final int outputCount;

  /**
   * @param inputTypes one per input, {@code null} for an absent optional input
   * @param knownValues one per input, {@code null} where the value is not known at compile time
   */
  public InferenceContext(TensorType[] inputTypes, Tensor[] knownValues, int outputCount) {
    if (inputTypes.length != knownValues.length) {
      throw new IllegalArgumentException("inputTypes and knownValues differ in length");
    }
    this.inputTypes = inputTypes.clone();
    this.knownValues = knownValues.clone();
    this.outputCount = outputCount;
  }

  public int inputCount() {
    return inputTypes.length;
  }

  public int outputCount() {
    return outputCount;
  }

  /** Whether input {@code i} exists and is not an empty optional input. */
  public boolean hasInput(int i) {
    return i < inputTypes.length && inputTypes[i] != null;
  }

  public TensorType inputType(int i) {
    if (!hasInput(i)) {
      throw new OpException("input " + i + " is missing");
    }
    return inputTypes[i];
  }

  public Shape inputShape(int i) {
    return inputType(i).shape();
  }

  /** The input's value when known at compile time, else {@code null}. */
  public Tensor knownValue(int i) {
    return i < knownValues.length ? knownValues[i] : null;
  }

  /** The input's compile-time value; fails naming the input when it is computed at run time. */
  public Tensor requireKnown(int i, String role) {
    Tensor t = knownValue(i);
    if (t == null) {
      throw new OpException("input " + i + " (" + role
          + ") must be known at compile time (a constant or a computation on static shapes)");
    }
    return t;
  }

  @Override
  public String toString() {
    return "InferenceContext" + Arrays.toString(inputTypes);
  }
}
