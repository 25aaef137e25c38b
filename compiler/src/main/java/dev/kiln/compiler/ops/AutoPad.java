package dev.kiln.compiler.ops;

import dev.kiln.compiler.ir.OpException;

/** ONNX's {@code auto_pad} attribute of convolutions and pools. */
public enum AutoPad {
  NOTSET, SAME_UPPER, SAME_LOWER, VALID;

  public static AutoPad parse(String value) {
    for (AutoPad p : values()) {
      if (p.name().equals(value)) {
        return p;
      }
    }
    throw new OpException("auto_pad '" + value + "' is not one of NOTSET, SAME_UPPER, SAME_LOWER, VALID");
  }
}
