package dev.kiln.runtime.kernels;

import dev.kiln.runtime.kernels.reference.ReferenceUnary;
import java.util.ArrayList;
import java.util.List;

/**
 * What a convolution (or GEMM) does to each output after the accumulation, fused so no separate pass
 * over memory is needed: add the per-channel bias, then apply the steps in order. The steps are the
 * rewrites the optimizer fused: a residual add (ResNet blocks), an activation, a per-channel
 * scale-shift (a BatchNormalization that followed the activation and so could not fold into the
 * weights).
 *
 * <p>Immutable and built once when a model loads. {@link #apply} is the reference semantics; fast
 * kernels may specialize common shapes (bias + ReLU) but must give the same result bit for bit for
 * each element, since every step is a fixed sequence of float operations on that element alone.
 */
public final class Epilogue {
  /** Activations an epilogue can apply. */
  public enum Activation {
    /** max(0, x); NaN stays NaN. */
    RELU,
    /** min(max(x, alpha), beta): ReLU6 is CLIP(0, 6). */
    CLIP,
    /** x ≥ 0 ? x : alpha·x. */
    LEAKY_RELU,
    /** 1 / (1 + e^−x). */
    SIGMOID,
    /** max(0, min(1, alpha·x + beta)). */
    HARD_SIGMOID,
    /** x · max(0, min(1, x/6 + 1/2)). */
    HARD_SWISH,
    /** x · sigmoid(x) (SiLU, Swish). */
    SILU,
    /** x · max(0, min(1, alpha·x + beta)): x·HardSigmoid(x) with the exporter's constants. */
    X_HARD_SIGMOID,
    /** tanh(x). */
    TANH
  }

  /** One step after the bias. */
  public abstract static class Step {
    private Step() {}

    abstract void apply(int channel, float[] out, int off, int count, float[] residual, int residualOff);
  }

  /** An activation with its parameters (alpha/beta as the enum documents; unused ones are 0). */
  public static final class ActivationStep extends Step {
    public final Activation activation;
    public final float alpha;
    public final float beta;

    ActivationStep(Activation activation, float alpha, float beta) {
      this.activation = activation;
      this.alpha = alpha;
      this.beta = beta;
    }

    @Override
    void apply(int channel, float[] out, int off, int count, float[] residual, int residualOff) {
      for (int i = off; i < off + count; i++) {
        out[i] = activate(activation, alpha, beta, out[i]);
      }
    }

    @Override
    public String toString() {
      return activation + (alpha != 0 || beta != 0 ? "(" + alpha + ", " + beta + ")" : "");
    }
  }

  /** Adds the element at the same position of the residual tensor (which has the output's layout). */
  public static final class ResidualAddStep extends Step {
    ResidualAddStep() {}

    @Override
    void apply(int channel, float[] out, int off, int count, float[] residual, int residualOff) {
      for (int i = 0; i < count; i++) {
        out[off + i] += residual[residualOff + i];
      }
    }

    @Override
    public String toString() {
      return "ADD_RESIDUAL";
    }
  }

  /** {@code y = x·scale[c] + shift[c]}: an unfoldable BatchNormalization after the activation. */
  public static final class ScaleShiftStep extends Step {
    private final float[] scale;
    private final float[] shift;

    ScaleShiftStep(float[] scale, float[] shift) {
      if (scale.length != shift.length) {
        throw new IllegalArgumentException("scale and shift differ in length");
      }
      this.scale = scale.clone();
      this.shift = shift.clone();
    }

    public float scale(int channel) {
      return scale[channel];
    }

    public float shift(int channel) {
      return shift[channel];
    }

    public int channels() {
      return scale.length;
    }

    @Override
    void apply(int channel, float[] out, int off, int count, float[] residual, int residualOff) {
      float s = scale[channel];
      float t = shift[channel];
      for (int i = off; i < off + count; i++) {
        out[i] = out[i] * s + t;
      }
    }

    @Override
    public String toString() {
      return "SCALE_SHIFT";
    }
  }

  /** No bias, no steps. */
  public static final Epilogue NONE = new Epilogue(null, List.of());

  private final float[] bias;
  private final Step[] steps;
  private final boolean hasResidual;

  private Epilogue(float[] bias, List<Step> steps) {
    this.bias = bias == null ? null : bias.clone();
    this.steps = steps.toArray(new Step[0]);
    boolean residual = false;
    for (Step s : this.steps) {
      residual |= s instanceof ResidualAddStep;
    }
    this.hasResidual = residual;
  }

  public static Builder builder() {
    return new Builder();
  }

  public boolean hasBias() {
    return bias != null;
  }

  /** The bias of {@code channel}, 0 without a bias. */
  public float bias(int channel) {
    return bias == null ? 0f : bias[channel];
  }

  /** Whether a step reads a residual tensor (the caller must then pass one). */
  public boolean hasResidual() {
    return hasResidual;
  }

  public List<Step> steps() {
    return List.of(steps);
  }

  /** Number of steps after the bias; with {@link #step} an allocation-free view for kernels. */
  public int stepCount() {
    return steps.length;
  }

  /** Step {@code index} (0-based, in application order). */
  public Step step(int index) {
    return steps[index];
  }

  /** Whether there is nothing to do at all. */
  public boolean isIdentity() {
    return bias == null && steps.length == 0;
  }

  /**
   * Applies bias and steps to {@code count} contiguous outputs that all belong to output channel
   * {@code channel}, in place.
   *
   * @param residual the residual tensor when {@link #hasResidual()}, else ignored (may be null)
   * @param residualOff where the element matching {@code out[off]} sits in {@code residual}
   */
  public void apply(int channel, float[] out, int off, int count, float[] residual, int residualOff) {
    if (bias != null) {
      float b = bias[channel];
      for (int i = off; i < off + count; i++) {
        out[i] += b;
      }
    }
    for (Step s : steps) {
      s.apply(channel, out, off, count, residual, residualOff);
    }
  }

  /** One activation on one value: the definition every kernel must reproduce exactly. */
  public static float activate(Activation a, float alpha, float beta, float x) {
    switch (a) {
      case RELU:
        return x > 0f ? x : (Float.isNaN(x) ? x : 0f);
      case CLIP:
        return x < alpha ? alpha : (x > beta ? beta : x);
      case LEAKY_RELU:
        return x >= 0f ? x : x * alpha;
      case SIGMOID:
        return ReferenceUnary.sigmoid(x);
      case HARD_SIGMOID:
        return Math.max(0f, Math.min(1f, alpha * x + beta));
      case HARD_SWISH:
        return x * Math.max(0f, Math.min(1f, x / 6f + 0.5f));
      case SILU:
        return x * ReferenceUnary.sigmoid(x);
      case X_HARD_SIGMOID:
        return x * Math.max(0f, Math.min(1f, alpha * x + beta));
      case TANH:
        return (float) Math.tanh(x);
      default:
        throw new AssertionError(a);
    }
  }

  @Override
  public String toString() {
    List<String> parts = new ArrayList<>();
    if (bias != null) {
      parts.add("BIAS");
    }
    for (Step s : steps) {
      parts.add(s.toString());
    }
    return parts.isEmpty() ? "NONE" : String.join(" -> ", parts);
  }

  /** Assembles an epilogue; steps apply in the order they are added. */
  public static final class Builder {
    private float[] bias;
    private final List<Step> steps = new ArrayList<>();

    private Builder() {}

    public Builder bias(float[] values) {
      this.bias = values == null ? null : values.clone();
      return this;
    }

    public Builder activation(Activation a) {
      return activation(a, 0f, 0f);
    }

    public Builder activation(Activation a, float alpha, float beta) {
      steps.add(new ActivationStep(a, alpha, beta));
      return this;
    }

    public Builder residualAdd() {
      steps.add(new ResidualAddStep());
      return this;
    }

    public Builder scaleShift(float[] scale, float[] shift) {
      steps.add(new ScaleShiftStep(scale, shift));
      return this;
    }

    public Epilogue build() {
      return bias == null && steps.isEmpty() ? NONE : new Epilogue(bias, steps);
    }
  }
}
