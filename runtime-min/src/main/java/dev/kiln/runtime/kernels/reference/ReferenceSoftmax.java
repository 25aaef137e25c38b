package dev.kiln.runtime.kernels.reference;

/**
 * Softmax and LogSoftmax along one axis of a tensor viewed as {@code [outer, axisSize, inner]}.
 * The maximum is subtracted first, so large inputs do not overflow.
 */
public final class ReferenceSoftmax {
  private ReferenceSoftmax() {}

  public static void softmax(int outer, int axisSize, int inner, float[] in, int inOff,
      float[] out, int outOff) {
    for (int o = 0; o < outer; o++) {
      for (int i = 0; i < inner; i++) {
        int base = o * axisSize * inner + i;
        float max = Float.NEGATIVE_INFINITY;
        for (int a = 0; a < axisSize; a++) {
          max = Math.max(max, in[inOff + base + a * inner]);
        }
        float sum = 0f;
        for (int a = 0; a < axisSize; a++) {
          float e = (float) Math.exp(in[inOff + base + a * inner] - max);
          out[outOff + base + a * inner] = e;
          sum += e;
        }
        for (int a = 0; a < axisSize; a++) {
          out[outOff + base + a * inner] /= sum;
        }
      }
    }
  }

  public static void logSoftmax(int outer, int axisSize, int inner, float[] in, int inOff,
      float[] out, int outOff) {
    for (int o = 0; o < outer; o++) {
      for (int i = 0; i < inner; i++) {
        int base = o * axisSize * inner + i;
        float max = Float.NEGATIVE_INFINITY;
        for (int a = 0; a < axisSize; a++) {
          max = Math.max(max, in[inOff + base + a * inner]);
        }
        float sum = 0f;
        for (int a = 0; a < axisSize; a++) {
          sum += (float) Math.exp(in[inOff + base + a * inner] - max);
        }
        float logSum = (float) Math.log(sum);
        for (int a = 0; a < axisSize; a++) {
          out[outOff + base + a * inner] = in[inOff + base + a * inner] - max - logSum;
        }
      }
    }
  }
}
