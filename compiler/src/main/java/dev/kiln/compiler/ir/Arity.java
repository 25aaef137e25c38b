package dev.kiln.compiler.ir;

/** How many inputs and outputs an operator takes; optional trailing inputs may be absent or empty. */
public record Arity(int minInputs, int maxInputs, int minOutputs, int maxOutputs) {
  public static final int VARIADIC = Integer.MAX_VALUE;

  public static Arity of(int inputs, int outputs) {
    return new Arity(inputs, inputs, outputs, outputs);
  }

  public static Arity inputs(int min, int max) {
    return new Arity(min, max, 1, 1);
  }

  /** Fails with e.g. "expects 2 to 3 inputs, got 1". */
  public void check(int inputs, int outputs) {
    if (inputs < minInputs || inputs > maxInputs) {
      throw new OpException("expects " + range(minInputs, maxInputs) + " input" + plural(maxInputs)
          + ", got " + inputs);
    }
    if (outputs < minOutputs || outputs > maxOutputs) {
      throw new OpException("expects " + range(minOutputs, maxOutputs) + " output"
          + plural(maxOutputs) + ", got " + outputs);
    }
  }

  private static String range(int min, int max) {
    if (min == max) {
      return Integer.toString(min);
    }
    return max == VARIADIC ? "at least " + min : min + " to " + max;
  }

  private static String plural(int max) {
    return max == 1 ? "" : "s";
  }
}
