package dev.kiln.compiler.ops;

import dev.kiln.compiler.ir.OpException;
import dev.kiln.compiler.ir.Shape;

/** NumPy (multidirectional) broadcasting, as ONNX's elementwise operators define it. */
public final class Broadcast {
  private Broadcast() {}

  /**
   * The broadcast shape: shapes are right-aligned, and each pair of dimensions must be equal or one
   * of them 1.
   */
  public static Shape shape(Shape a, Shape b) {
    int rank = Math.max(a.rank(), b.rank());
    int[] out = new int[rank];
    for (int i = 0; i < rank; i++) {
      int da = dimFromEnd(a, rank - 1 - i);
      int db = dimFromEnd(b, rank - 1 - i);
      if (da != db && da != 1 && db != 1) {
        throw new OpException("shapes " + a + " and " + b + " cannot be broadcast together");
      }
      out[i] = da == 1 ? db : da;
    }
    return Shape.of(out);
  }

  /** The broadcast shape of several operands. */
  public static Shape shape(Shape... shapes) {
    Shape out = shapes[0];
    for (int i = 1; i < shapes.length; i++) {
      out = shape(out, shapes[i]);
    }
    return out;
  }

  private static int dimFromEnd(Shape s, int fromEnd) {
    int axis = s.rank() - 1 - fromEnd;
    return axis < 0 ? 1 : s.dim(axis);
  }

  /**
   * Strides in elements for reading {@code operand} while walking {@code out}: the operand's
   * row-major strides, right-aligned to the output's rank, with 0 wherever it is broadcast.
   */
  public static int[] strides(Shape operand, Shape out) {
    int[] strides = new int[out.rank()];
    int[] own = operand.strides();
    int shift = out.rank() - operand.rank();
    for (int i = 0; i < operand.rank(); i++) {
      strides[i + shift] = operand.dim(i) == 1 && out.dim(i + shift) != 1 ? 0 : own[i];
    }
    return strides;
  }

  /** Whether {@code operand} holds one value per channel of an NCHW-like {@code out}: [C,1,1] and the like. */
  public static boolean isPerChannel(Shape operand, Shape out) {
    if (out.rank() < 2 || operand.rank() > out.rank()) {
      return false;
    }
    int shift = out.rank() - operand.rank();
    for (int i = 0; i < operand.rank(); i++) {
      int axis = i + shift;
      int d = operand.dim(i);
      if (axis == 1 ? d != out.dim(1) && d != 1 : d != 1) {
        return false;
      }
    }
    return true;
  }
}
