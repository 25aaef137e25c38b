package dev.kiln.runtime.kernels.reference;

/**
 * Padding of an N-D view. Negative ONNX pads crop, and they crop <em>first</em> (as ONNX Runtime
 * does): the compiler turns them into a view, an offset into the input and the kept extent per axis
 * with the input's strides, and passes only the non-negative pads here. Output coordinate {@code o}
 * on an axis then reads view coordinate {@code c = o − padBefore}; when {@code c} falls outside
 * {@code [0, n)} the mode decides:
 * <ul>
 *   <li>{@link Mode#CONSTANT}: the value, for the whole sub-block below that axis;
 *   <li>{@link Mode#EDGE}: the nearest edge, {@code clamp(c, 0, n−1)};
 *   <li>{@link Mode#REFLECT}: mirrored about the first and last element without repeating them
 *       ({@code −1 → 1}, {@code n → n−2}), periodically with period {@code 2(n−1)};
 *   <li>{@link Mode#WRAP}: {@code c mod n}, as if the axis were a ring.
 * </ul>
 * The compiler guarantees {@code n > 0} on every axis that reads outside itself in a non-constant
 * mode.
 */
public final class ReferencePad {
  private ReferencePad() {}

  public enum Mode {
    CONSTANT, REFLECT, EDGE, WRAP
  }

  /**
   * @param viewDims per axis, the extent of the view that is padded
   * @param inStrides the input's strides, in elements
   * @param padsBefore per axis, elements added before the view (non-negative)
   * @param outStrides row-major strides of the output, in elements (the output is contiguous)
   * @param inOff where the view starts in {@code in}
   */
  public static void pad(Mode mode, float value, int[] viewDims, int[] inStrides, int[] padsBefore,
      int[] outDims, int[] outStrides, float[] in, int inOff, float[] out, int outOff) {
    if (outDims.length == 0) {
      out[outOff] = in[inOff];
      return;
    }
    for (int d : outDims) {
      if (d == 0) {
        return;
      }
    }
    walk(mode, value, 0, viewDims, inStrides, padsBefore, outDims, outStrides, in, inOff, out,
        outOff);
  }

  /**
   * The same with the constant read from {@code valueSource[valueOff]} as the kernel runs: ONNX lets
   * Pad's {@code constant_value} be computed at run time.
   */
  public static void pad(Mode mode, float[] valueSource, int valueOff, int[] viewDims,
      int[] inStrides, int[] padsBefore, int[] outDims, int[] outStrides, float[] in, int inOff,
      float[] out, int outOff) {
    pad(mode, valueSource[valueOff], viewDims, inStrides, padsBefore, outDims, outStrides, in,
        inOff, out, outOff);
  }

  private static void walk(Mode mode, float value, int axis, int[] viewDims, int[] inStrides,
      int[] padsBefore, int[] outDims, int[] outStrides, float[] in, int inOff,
      float[] out, int outOff) {
    int n = viewDims[axis];
    int outCount = outDims[axis];
    boolean last = axis == outDims.length - 1;
    for (int o = 0; o < outCount; o++) {
      int c = o - padsBefore[axis];
      int dst = outOff + o * outStrides[axis];
      if (c < 0 || c >= n) {
        if (mode == Mode.CONSTANT) {
          // Contiguous output: one step along this axis is a block of outStrides[axis] elements.
          ReferenceLayout.fill(value, out, dst, outStrides[axis]);
          continue;
        }
        c = sourceCoordinate(mode, c, n);
      }
      int src = inOff + c * inStrides[axis];
      if (last) {
        out[dst] = in[src];
      } else {
        walk(mode, value, axis + 1, viewDims, inStrides, padsBefore, outDims, outStrides, in, src,
            out, dst);
      }
    }
  }

  /** Where an out-of-range coordinate reads from in the non-constant modes. */
  static int sourceCoordinate(Mode mode, int c, int n) {
    switch (mode) {
      case EDGE:
        return c < 0 ? 0 : n - 1;
      case WRAP:
        return Math.floorMod(c, n);
      case REFLECT: {
        if (n == 1) {
          return 0;
        }
        int period = 2 * (n - 1);
        int r = Math.floorMod(c, period);
        return r < n ? r : period - r;
      }
      default:
        throw new AssertionError(mode);
    }
  }
}
