package dev.kiln.runtime.kernels.fast;

/**
 * 2-D resize of NCHW planes (ONNX Resize over the last two axes), nearest or bilinear, for any
 * output size. An output coordinate x maps to {@code x_original} in the input by the coordinate
 * transformation mode, computed in float with {@code scale = out / in}:
 *
 * <pre>
 *   HALF_PIXEL     (x + 0.5) / scale − 0.5
 *   ALIGN_CORNERS  x · (in − 1) / (out − 1)      (0 when out = 1)
 *   ASYMMETRIC     x / scale
 * </pre>
 *
 * Nearest picks {@code in[round(x_original)]} by the nearest mode, clamped to the input. Bilinear
 * clamps {@code x_original} to {@code [0, in − 1]} (as ONNX Runtime and PyTorch do), takes {@code x0
 * = floor}, {@code x1 = min(x0 + 1, in − 1)}, {@code λ = x_original − x0}, and computes
 * {@code top = (1 − λx)·in[y0][x0] + λx·in[y0][x1]}, the same for the bottom row, then {@code
 * (1 − λy)·top + λy·bottom}, in float in that order.
 */
/** A plane-at-a-time 2-D resize written straight from the definition: the oracle for {@link Resize}. */
final class ResizeOracle {
  private ResizeOracle() {}

  /** How an output coordinate maps into the input. */
  public enum CoordinateMode {
    HALF_PIXEL, ALIGN_CORNERS, ASYMMETRIC
  }

  /** How nearest mode rounds {@code x_original}. */
  public enum NearestMode {
    ROUND_PREFER_FLOOR, ROUND_PREFER_CEIL, FLOOR, CEIL
  }

  public static void nearest(int planes, int inH, int inW, int outH, int outW,
      CoordinateMode coordinates, NearestMode rounding, float[] in, int inOff, float[] out,
      int outOff) {
    for (int p = 0; p < planes; p++) {
      int inBase = inOff + p * inH * inW;
      int outBase = outOff + p * outH * outW;
      for (int y = 0; y < outH; y++) {
        int iy = nearestIndex(original(y, inH, outH, coordinates), rounding, inH);
        for (int x = 0; x < outW; x++) {
          int ix = nearestIndex(original(x, inW, outW, coordinates), rounding, inW);
          out[outBase + y * outW + x] = in[inBase + iy * inW + ix];
        }
      }
    }
  }

  public static void bilinear(int planes, int inH, int inW, int outH, int outW,
      CoordinateMode coordinates, float[] in, int inOff, float[] out, int outOff) {
    for (int p = 0; p < planes; p++) {
      int inBase = inOff + p * inH * inW;
      int outBase = outOff + p * outH * outW;
      for (int y = 0; y < outH; y++) {
        float fy = clamp(original(y, inH, outH, coordinates), inH);
        int y0 = (int) Math.floor(fy);
        int y1 = Math.min(y0 + 1, inH - 1);
        float ly = fy - y0;
        for (int x = 0; x < outW; x++) {
          float fx = clamp(original(x, inW, outW, coordinates), inW);
          int x0 = (int) Math.floor(fx);
          int x1 = Math.min(x0 + 1, inW - 1);
          float lx = fx - x0;
          float top = (1f - lx) * in[inBase + y0 * inW + x0] + lx * in[inBase + y0 * inW + x1];
          float bottom = (1f - lx) * in[inBase + y1 * inW + x0] + lx * in[inBase + y1 * inW + x1];
          out[outBase + y * outW + x] = (1f - ly) * top + ly * bottom;
        }
      }
    }
  }

  /** {@code x_original} of output coordinate {@code x}. */
  public static float original(int x, int in, int out, CoordinateMode mode) {
    float scale = (float) out / in;
    switch (mode) {
      case HALF_PIXEL:
        return (x + 0.5f) / scale - 0.5f;
      case ALIGN_CORNERS:
        return out == 1 ? 0f : x * (float) (in - 1) / (out - 1);
      case ASYMMETRIC:
        return x / scale;
      default:
        throw new AssertionError(mode);
    }
  }

  private static float clamp(float v, int size) {
    return Math.max(0f, Math.min(size - 1, v));
  }

  private static int nearestIndex(float v, NearestMode mode, int size) {
    int i;
    switch (mode) {
      case ROUND_PREFER_FLOOR:
        i = v == Math.floor(v) + 0.5f ? (int) Math.floor(v) : Math.round(v);
        break;
      case ROUND_PREFER_CEIL:
        i = (int) Math.floor(v + 0.5f);
        break;
      case FLOOR:
        i = (int) Math.floor(v);
        break;
      case CEIL:
        i = (int) Math.ceil(v);
        break;
      default:
        throw new AssertionError(mode);
    }
    return Math.max(0, Math.min(size - 1, i));
  }
}
