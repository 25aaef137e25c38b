package dev.kiln.compiler.ops;

import dev.kiln.compiler.ir.OpException;

/** Checks on the opset an operator is imported at. */
final class Opsets {
  private Opsets() {}

  /**
   * Fails for an operator used below the opset that introduced it: ONNX Runtime rejects such a model,
   * and guessing the intent would hide an exporter bug.
   */
  static void requireAtLeast(int introduced, int opset) {
    if (opset < introduced) {
      throw new OpException("this operator was introduced in opset " + introduced);
    }
  }
}
