package dev.kiln.compiler.ir;

import dev.kiln.compiler.KilnException;

/**
 * A problem found by an operator (bad attribute, incompatible shapes) before the caller knows where it
 * sits. Importers, the verifier and passes catch it and rethrow a {@link KilnException} that adds the
 * file, node and op: {@code model.onnx: node 'Conv_12' (Conv, opset 13): <message>}.
 */
public class OpException extends KilnException {
  private static final long serialVersionUID = 1L;

  public OpException(String message) {
    super(message);
  }
}
