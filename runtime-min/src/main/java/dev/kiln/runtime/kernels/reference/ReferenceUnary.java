package dev.kiln.runtime.kernels.reference;

/**
 * Elementwise activations and math functions over {@code count} contiguous elements. Each may run in
 * place ({@code in == out}, same offset).
 */
public final class ReferenceUnary {
  private ReferenceUnary() {}

  public static void relu(float[] in, int inOff, float[] out, int outOff, int count) {
    for (int i = 0; i < count; i++) {
      float v = in[inOff + i];
      out[outOff + i] = v > 0f ? v : (Float.isNaN(v) ? v : 0f);
    }
  }

  public static void leakyRelu(float alpha, float[] in, int inOff, float[] out, int outOff, int count) {
    for (int i = 0; i < count; i++) {
      float v = in[inOff + i];
      out[outOff + i] = v >= 0f ? v : v * alpha;
    }
  }

  /** {@code min(max(x, lo), hi)}; NaN stays NaN. */
  public static void clip(float lo, float hi, float[] in, int inOff, float[] out, int outOff, int count) {
    for (int i = 0; i < count; i++) {
      float v = in[inOff + i];
      out[outOff + i] = v < lo ? lo : (v > hi ? hi : v);
    }
  }

  public static void sigmoid(float[] in, int inOff, float[] out, int outOff, int count) {
    for (int i = 0; i < count; i++) {
      out[outOff + i] = sigmoid(in[inOff + i]);
    }
  }

  /** 1/(1+e^-x), evaluated so that neither branch overflows. */
  public static float sigmoid(float x) {
    if (x >= 0f) {
      return (float) (1.0 / (1.0 + Math.exp(-x)));
    }
    double e = Math.exp(x);
    return (float) (e / (1.0 + e));
  }

  /** {@code max(0, min(1, alpha·x + beta))}. */
  public static void hardSigmoid(float alpha, float beta, float[] in, int inOff, float[] out,
      int outOff, int count) {
    for (int i = 0; i < count; i++) {
      out[outOff + i] = Math.max(0f, Math.min(1f, alpha * in[inOff + i] + beta));
    }
  }

  /** {@code x · max(0, min(1, x/6 + 1/2))}. */
  public static void hardSwish(float[] in, int inOff, float[] out, int outOff, int count) {
    for (int i = 0; i < count; i++) {
      float v = in[inOff + i];
      out[outOff + i] = v * Math.max(0f, Math.min(1f, v / 6f + 0.5f));
    }
  }

  public static void tanh(float[] in, int inOff, float[] out, int outOff, int count) {
    for (int i = 0; i < count; i++) {
      out[outOff + i] = (float) Math.tanh(in[inOff + i]);
    }
  }

  public static void exp(float[] in, int inOff, float[] out, int outOff, int count) {
    for (int i = 0; i < count; i++) {
      out[outOff + i] = (float) Math.exp(in[inOff + i]);
    }
  }

  public static void sqrt(float[] in, int inOff, float[] out, int outOff, int count) {
    for (int i = 0; i < count; i++) {
      out[outOff + i] = (float) Math.sqrt(in[inOff + i]);
    }
  }

  public static void reciprocal(float[] in, int inOff, float[] out, int outOff, int count) {
    for (int i = 0; i < count; i++) {
      out[outOff + i] = 1f / in[inOff + i];
    }
  }

  public static void erf(float[] in, int inOff, float[] out, int outOff, int count) {
    for (int i = 0; i < count; i++) {
      out[outOff + i] = (float) erf((double) in[inOff + i]);
    }
  }

  /**
   * The error function to about 1e-15: its Maclaurin series for |x| < 2.5, and a continued fraction
   * for erfc beyond (where the series converges slowly).
   */
  public static double erf(double x) {
    if (Double.isNaN(x)) {
      return x;
    }
    double ax = Math.abs(x);
    if (ax > 6.0) {
      return Math.copySign(1.0, x);
    }
    if (ax < 2.5) {
      // erf(x) = 2/√π · Σ (-1)^n x^(2n+1) / (n! (2n+1))
      double term = ax;
      double sum = ax;
      double x2 = ax * ax;
      for (int n = 1; n < 60; n++) {
        term *= -x2 / n;
        double add = term / (2 * n + 1);
        sum += add;
        if (Math.abs(add) < 1e-17 * Math.abs(sum)) {
          break;
        }
      }
      return Math.copySign(sum * 2.0 / Math.sqrt(Math.PI), x);
    }
    // erfc(x) = e^{-x²}/√π · 1/(x + 1/2/(x + 1/(x + 3/2/(x + 2/(x + ...))))), Lentz's method.
    double tiny = 1e-300;
    double f = ax;
    double c = ax;
    double d = 0;
    for (int k = 1; k < 200; k++) {
      double a = k / 2.0;
      d = ax + a * d;
      d = Math.abs(d) < tiny ? tiny : d;
      c = ax + a / c;
      c = Math.abs(c) < tiny ? tiny : c;
      d = 1.0 / d;
      double delta = c * d;
      f *= delta;
      if (Math.abs(delta - 1.0) < 1e-16) {
        break;
      }
    }
    double erfc = Math.exp(-ax * ax) / Math.sqrt(Math.PI) / f;
    return Math.copySign(1.0 - erfc, x);
  }
}
