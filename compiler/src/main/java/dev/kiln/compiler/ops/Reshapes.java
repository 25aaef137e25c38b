package dev.kiln.compiler.ops;

import dev.kiln.compiler.ir.Shape;
import dev.kiln.compiler.ir.Tensor;

/** The same data under another shape: the evaluation of Reshape, Flatten, Squeeze and Unsqueeze. */
final class Reshapes {
  private Reshapes() {}

  static Tensor view(Tensor t, Shape shape) {
    return t.isFloat()
        ? Tensor.adopt(shape, t.toFloatArray())
        : Tensor.adopt(t.dtype(), shape, t.toLongArray());
  }
}
