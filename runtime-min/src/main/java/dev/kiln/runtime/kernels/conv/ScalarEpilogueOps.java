package dev.kiln.runtime.kernels.conv;

import dev.kiln.runtime.kernels.Epilogue;

/**
 * The scalar {@link EpilogueOps}: each step's dispatch hoisted out of the element loop so C2
 * compiles bias, ReLU, residual add and scale-shift to tight, mostly vectorized loops (the reference
 * dispatches per element, and cost as much as the Winograd convolution it followed). CLIP stays a
 * branch per element: C2 keeps it a branch, which mispredicts on data around the bounds.
 */
final class ScalarEpilogueOps implements EpilogueOps {
  @Override
  public void apply(Epilogue e, int channel, float[] out, int off, int count, float[] residual,
      int residualOff) {
    if (e.hasBias()) {
      float b = e.bias(channel);
      for (int i = off; i < off + count; i++) {
        out[i] += b;
      }
    }
    for (int s = 0; s < e.stepCount(); s++) {
      Epilogue.Step step = e.step(s);
      if (step instanceof Epilogue.ActivationStep) {
        activate((Epilogue.ActivationStep) step, out, off, count);
      } else if (step instanceof Epilogue.ResidualAddStep) {
        for (int i = 0; i < count; i++) {
          out[off + i] += residual[residualOff + i];
        }
      } else {
        Epilogue.ScaleShiftStep ss = (Epilogue.ScaleShiftStep) step;
        float scale = ss.scale(channel);
        float shift = ss.shift(channel);
        for (int i = off; i < off + count; i++) {
          out[i] = out[i] * scale + shift;
        }
      }
    }
  }

  private static void activate(Epilogue.ActivationStep step, float[] out, int off, int count) {
    float alpha = step.alpha;
    float beta = step.beta;
    switch (step.activation) {
      case RELU:
        // Math.max(x, +0) is the reference's x > 0 ? x : (NaN ? x : +0) for every x, −0 and NaN
        // included.
        for (int i = off; i < off + count; i++) {
          out[i] = Math.max(out[i], 0f);
        }
        break;
      case CLIP:
        for (int i = off; i < off + count; i++) {
          float x = out[i];
          out[i] = x < alpha ? alpha : (x > beta ? beta : x);
        }
        break;
      case LEAKY_RELU:
        for (int i = off; i < off + count; i++) {
          float x = out[i];
          out[i] = x >= 0f ? x : x * alpha;
        }
        break;
      default:
        for (int i = off; i < off + count; i++) {
          out[i] = Epilogue.activate(step.activation, alpha, beta, out[i]);
        }
        break;
    }
  }
}
