package dev.kiln.compiler.passes;

import java.util.Objects;

/**
 * A rewrite a pass made, or a candidate it refused and why.
 *
 * @param pass the pass's name
 * @param node the node the rewrite is about (the one that disappeared or was refused)
 * @param message a sentence: "folded BatchNormalization 'bn1' into Conv 'conv1'", "not folded: ..."
 */
public record Rewrite(String pass, Outcome outcome, String node, String message) {
  /** Whether the rewrite happened. */
  public enum Outcome {
    FIRED,
    REFUSED
  }

  public Rewrite {
    Objects.requireNonNull(pass, "pass");
    Objects.requireNonNull(outcome, "outcome");
    Objects.requireNonNull(node, "node");
    Objects.requireNonNull(message, "message");
  }

  public boolean fired() {
    return outcome == Outcome.FIRED;
  }

  /** {@code FoldConvBatchNorm: folded BatchNormalization 'bn1' into Conv 'conv1'}: a trace line. */
  @Override
  public String toString() {
    return pass + ": " + message;
  }
}
