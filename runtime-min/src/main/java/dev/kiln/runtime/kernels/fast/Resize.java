package dev.kiln.runtime.kernels.fast;

import dev.kiln.runtime.kernels.reference.ReferenceResize;

/**
 * 2× upsampling of NCHW planes, the decoder and FPN case of ONNX Resize: {@link ReferenceResize}'s
 * results bit for bit, with the coordinate arithmetic done once instead of per output. Nearest with
 * the asymmetric/floor or half-pixel/round-prefer-floor transformation (both pick input ⌊x/2⌋ at 2×)
 * duplicates each input float into a 2×2 block; bilinear with half-pixel coordinates has the fixed
 * weights 1/4 and 3/4 (0 and 1 at the clamped edges) that the reference computes. Allocation-free.
 */
public final class Resize {
  private Resize() {}

  /** {@code out[2y + a][2x + b] = in[y][x]} for {@code a, b} in {0, 1}. */
  public static void nearest2x(int planes, int inH, int inW, float[] in, int inOff, float[] out,
      int outOff) {
    int outW = 2 * inW;
    for (int p = 0; p < planes; p++) {
      int src = inOff + p * inH * inW;
      int dst = outOff + p * 4 * inH * inW;
      for (int y = 0; y < inH; y++) {
        int even = dst + 2 * y * outW;
        for (int x = 0; x < inW; x++) {
          float v = in[src + y * inW + x];
          out[even + 2 * x] = v;
          out[even + 2 * x + 1] = v;
        }
        System.arraycopy(out, even, out, even + outW, outW);
      }
    }
  }

  /**
   * Bilinear 2× with half-pixel coordinates (ONNX {@code half_pixel}, PyTorch {@code
   * align_corners=False}). Output column {@code 2x} sits a quarter pixel before input column x,
   * {@code 2x + 1} a quarter after, so each output blends its nearest input with the next one out
   * with weights 3/4 and 1/4; at the borders the reference clamps the coordinate and the weight of
   * the outer neighbour becomes 0. The float expression is the reference's,
   * {@code (1 − λy)·((1 − λx)·a + λx·b) + λy·((1 − λx)·c + λx·d)}.
   */
  public static void bilinear2x(int planes, int inH, int inW, float[] in, int inOff, float[] out,
      int outOff) {
    int outH = 2 * inH;
    int outW = 2 * inW;
    for (int p = 0; p < planes; p++) {
      int src = inOff + p * inH * inW;
      int dst = outOff + p * outH * outW;
      for (int y = 0; y < outH; y++) {
        int y0 = corner(y, inH);
        int y1 = Math.min(y0 + 1, inH - 1);
        float ly = weight(y, inH);
        int row0 = src + y0 * inW;
        int row1 = src + y1 * inW;
        int o = dst + y * outW;
        float ky = 1f - ly;
        // Column 0 and the last column are clamped (λx = 0); inside, columns 2i and 2i + 1 blend
        // input i with i − 1 (λx = 3/4 on the pair (i − 1, i)) and with i + 1 (λx = 1/4).
        out[o] = blend(in, row0, row1, 0, Math.min(1, inW - 1), 0f, ky, ly);
        for (int i = 1; i < inW; i++) {
          out[o + 2 * i] = blend(in, row0, row1, i - 1, i, 0.75f, ky, ly);
        }
        for (int i = 0; i < inW - 1; i++) {
          out[o + 2 * i + 1] = blend(in, row0, row1, i, i + 1, 0.25f, ky, ly);
        }
        out[o + outW - 1] = blend(in, row0, row1, inW - 1, inW - 1, 0f, ky, ly);
      }
    }
  }

  /** The reference's expression for corners (x0, x1) of rows row0 and row1. */
  private static float blend(float[] in, int row0, int row1, int x0, int x1, float lx, float ky,
      float ly) {
    float kx = 1f - lx;
    float top = kx * in[row0 + x0] + lx * in[row0 + x1];
    float bottom = kx * in[row1 + x0] + lx * in[row1 + x1];
    return ky * top + ly * bottom;
  }

  /**
   * {@code floor} of the clamped half-pixel coordinate {@code x/2 − 1/4}: {@code x/2 − 1} for even x
   * (but 0 at x = 0), {@code x/2} for odd x.
   */
  private static int corner(int x, int in) {
    int c = x % 2 == 0 ? x / 2 - 1 : x / 2;
    return Math.max(0, Math.min(in - 1, c));
  }

  /** The fraction λ of the clamped coordinate: 3/4 for even x, 1/4 for odd, 0 where clamped. */
  private static float weight(int x, int in) {
    if (x == 0 || x == 2 * in - 1) {
      return 0f;
    }
    return x % 2 == 0 ? 0.75f : 0.25f;
  }
}
