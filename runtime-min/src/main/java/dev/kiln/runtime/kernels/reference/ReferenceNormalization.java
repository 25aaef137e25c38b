package dev.kiln.runtime.kernels.reference;

/** Inference-time normalizations. */
public final class ReferenceNormalization {
  private ReferenceNormalization() {}

  /**
   * BatchNormalization in inference mode over {@code [batch, channels, spatial]}:
   * {@code y = (x - mean[c]) / √(var[c] + ε) · scale[c] + bias[c]}.
   */
  public static void batchNorm(int batch, int channels, int spatial, float epsilon,
      float[] in, int inOff, float[] scale, int scaleOff, float[] bias, int biasOff,
      float[] mean, int meanOff, float[] var, int varOff, float[] out, int outOff) {
    for (int c = 0; c < channels; c++) {
      float mul = batchNormMultiplier(scale[scaleOff + c], var[varOff + c], epsilon);
      float add = batchNormOffset(bias[biasOff + c], mean[meanOff + c], mul);
      for (int n = 0; n < batch; n++) {
        int base = (n * channels + c) * spatial;
        for (int i = 0; i < spatial; i++) {
          out[outOff + base + i] = in[inOff + base + i] * mul + add;
        }
      }
    }
  }

  /**
   * The multiplier inference-mode BatchNormalization reduces to, {@code scale / √(var + ε)}, computed
   * exactly as {@link #batchNorm} does, so a BatchNormalization lowered to {@link #scaleShift} gives
   * the same bits.
   */
  public static float batchNormMultiplier(float scale, float var, float epsilon) {
    float inv = (float) (1.0 / Math.sqrt(var + epsilon));
    return scale * inv;
  }

  /** The offset that goes with {@link #batchNormMultiplier}: {@code bias − mean · multiplier}. */
  public static float batchNormOffset(float bias, float mean, float multiplier) {
    return bias - mean * multiplier;
  }

  /**
   * A per-channel affine map over {@code [batch, channels, spatial]}: {@code y = x · scale[c] +
   * shift[c]}. What a BatchNormalization that cannot fold into a convolution runs as; the same float
   * operations as {@code Epilogue}'s scale-shift step.
   */
  public static void scaleShift(int batch, int channels, int spatial, float[] in, int inOff,
      float[] scale, int scaleOff, float[] shift, int shiftOff, float[] out, int outOff) {
    for (int c = 0; c < channels; c++) {
      float s = scale[scaleOff + c];
      float t = shift[shiftOff + c];
      for (int n = 0; n < batch; n++) {
        int base = (n * channels + c) * spatial;
        for (int i = 0; i < spatial; i++) {
          out[outOff + base + i] = in[inOff + base + i] * s + t;
        }
      }
    }
  }

  /**
   * LayerNormalization over the trailing {@code size} elements of each of {@code rows} rows:
   * {@code y = (x - μ) / √(σ² + ε) · scale + bias}, with scale and bias of {@code size} elements.
   *
   * @param bias {@code null} for none
   */
  public static void layerNorm(int rows, int size, float epsilon, float[] in, int inOff,
      float[] scale, int scaleOff, float[] bias, int biasOff, float[] out, int outOff) {
    for (int r = 0; r < rows; r++) {
      int base = r * size;
      double mean = rowMean(in, inOff + base, size);
      float inv = inverseStdDev(in, inOff + base, size, mean, epsilon);
      for (int i = 0; i < size; i++) {
        float normalized = (float) (in[inOff + base + i] - mean) * inv;
        float b = bias == null ? 0f : bias[biasOff + i];
        out[outOff + base + i] = normalized * scale[scaleOff + i] + b;
      }
    }
  }

  /**
   * LayerNormalization's optional outputs: each row's mean and {@code 1/√(σ² + ε)}, computed exactly
   * as {@link #layerNorm} computes them. Either array may be {@code null} when that output is unused.
   */
  public static void layerNormStatistics(int rows, int size, float epsilon, float[] in, int inOff,
      float[] mean, int meanOff, float[] invStdDev, int invStdDevOff) {
    for (int r = 0; r < rows; r++) {
      double m = rowMean(in, inOff + r * size, size);
      if (mean != null) {
        mean[meanOff + r] = (float) m;
      }
      if (invStdDev != null) {
        invStdDev[invStdDevOff + r] = inverseStdDev(in, inOff + r * size, size, m, epsilon);
      }
    }
  }

  /** The mean of {@code size} floats, summed in double so long rows keep their digits. */
  private static double rowMean(float[] in, int off, int size) {
    double sum = 0;
    for (int i = 0; i < size; i++) {
      sum += in[off + i];
    }
    return sum / size;
  }

  private static float inverseStdDev(float[] in, int off, int size, double mean, float epsilon) {
    double var = 0;
    for (int i = 0; i < size; i++) {
      double d = in[off + i] - mean;
      var += d * d;
    }
    var /= size;
    return (float) (1.0 / Math.sqrt(var + epsilon));
  }

}
