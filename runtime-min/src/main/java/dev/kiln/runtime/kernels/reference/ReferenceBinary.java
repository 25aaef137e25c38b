package dev.kiln.runtime.kernels.reference;

/**
 * Elementwise binary operations with NumPy broadcasting. The caller supplies the output's dimensions
 * and, per operand, strides in elements over those dimensions (0 where the operand is broadcast), all
 * computed at compile time; the walk recurses over the dimensions, so nothing is allocated.
 */
public final class ReferenceBinary {
  private ReferenceBinary() {}

  /** The operation; {@code PRELU} is {@code a < 0 ? a·b : a} with b the slope. */
  public enum Op {
    ADD, SUB, MUL, DIV, POW, MAX, MIN, PRELU;

    float apply(float a, float b) {
      switch (this) {
        case ADD: return a + b;
        case SUB: return a - b;
        case MUL: return a * b;
        case DIV: return a / b;
        case POW: return (float) Math.pow(a, b);
        case MAX: return Float.isNaN(a) || Float.isNaN(b) ? Float.NaN : Math.max(a, b);
        case MIN: return Float.isNaN(a) || Float.isNaN(b) ? Float.NaN : Math.min(a, b);
        case PRELU: return a < 0f ? a * b : a;
        default: throw new AssertionError(this);
      }
    }

    /** Integer semantics: division truncates toward zero; division by zero gives 0. */
    long apply(long a, long b) {
      switch (this) {
        case ADD: return a + b;
        case SUB: return a - b;
        case MUL: return a * b;
        case DIV: return b == 0 ? 0 : a / b;
        case POW: return (long) Math.pow(a, b);
        case MAX: return Math.max(a, b);
        case MIN: return Math.min(a, b);
        case PRELU: return a < 0 ? a * b : a;
        default: throw new AssertionError(this);
      }
    }
  }

  public static void apply(Op op, int[] outDims, float[] a, int aOff, int[] aStrides,
      float[] b, int bOff, int[] bStrides, float[] out, int outOff) {
    if (outDims.length == 0) {
      out[outOff] = op.apply(a[aOff], b[bOff]);
      return;
    }
    walk(op, outDims, 0, a, aOff, aStrides, b, bOff, bStrides, out, outOff);
  }

  private static int walk(Op op, int[] dims, int axis, float[] a, int aOff, int[] aStrides,
      float[] b, int bOff, int[] bStrides, float[] out, int outOff) {
    int n = dims[axis];
    int as = aStrides[axis];
    int bs = bStrides[axis];
    if (axis == dims.length - 1) {
      for (int i = 0; i < n; i++) {
        out[outOff + i] = op.apply(a[aOff + i * as], b[bOff + i * bs]);
      }
      return n;
    }
    int written = 0;
    for (int i = 0; i < n; i++) {
      written += walk(op, dims, axis + 1, a, aOff + i * as, aStrides, b, bOff + i * bs, bStrides,
          out, outOff + written);
    }
    return written;
  }

  /** The same over integer data, for shape computations. */
  public static void apply(Op op, int[] outDims, long[] a, int aOff, int[] aStrides,
      long[] b, int bOff, int[] bStrides, long[] out, int outOff) {
    if (outDims.length == 0) {
      out[outOff] = op.apply(a[aOff], b[bOff]);
      return;
    }
    walkLong(op, outDims, 0, a, aOff, aStrides, b, bOff, bStrides, out, outOff);
  }

  private static int walkLong(Op op, int[] dims, int axis, long[] a, int aOff, int[] aStrides,
      long[] b, int bOff, int[] bStrides, long[] out, int outOff) {
    int n = dims[axis];
    int as = aStrides[axis];
    int bs = bStrides[axis];
    if (axis == dims.length - 1) {
      for (int i = 0; i < n; i++) {
        out[outOff + i] = op.apply(a[aOff + i * as], b[bOff + i * bs]);
      }
      return n;
    }
    int written = 0;
    for (int i = 0; i < n; i++) {
      written += walkLong(op, dims, axis + 1, a, aOff + i * as, aStrides, b, bOff + i * bs,
          bStrides, out, outOff + written);
    }
    return written;
  }
}
