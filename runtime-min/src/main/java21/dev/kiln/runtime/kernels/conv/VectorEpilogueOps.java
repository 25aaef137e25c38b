package dev.kiln.runtime.kernels.conv;

import dev.kiln.runtime.kernels.Epilogue;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * {@link EpilogueOps} on the Vector API. Every step is the reference's float operation lane by lane:
 * ReLU is {@code max(x, +0)} (Math.max semantics: NaN stays, −0 becomes +0, as the reference's
 * {@code x > 0 ? x : (NaN ? x : 0)}); CLIP and LeakyReLU are blends under the reference's own
 * comparisons, so −0 and NaN come out as the reference's branches leave them. Activations without a
 * vector form go element by element through {@link Epilogue#activate}.
 */
final class VectorEpilogueOps implements EpilogueOps {
  private static final VectorSpecies<Float> F = FloatVector.SPECIES_PREFERRED;
  private static final int L = F.length();

  @Override
  public void apply(Epilogue e, int channel, float[] out, int off, int count, float[] residual,
      int residualOff) {
    int end = off + count;
    int vectorEnd = off + count - count % L;
    if (e.hasBias()) {
      float b = e.bias(channel);
      int i = off;
      for (; i < vectorEnd; i += L) {
        FloatVector.fromArray(F, out, i).add(b).intoArray(out, i);
      }
      for (; i < end; i++) {
        out[i] += b;
      }
    }
    for (int s = 0; s < e.stepCount(); s++) {
      Epilogue.Step step = e.step(s);
      if (step instanceof Epilogue.ActivationStep) {
        activate((Epilogue.ActivationStep) step, out, off, vectorEnd, end);
      } else if (step instanceof Epilogue.ResidualAddStep) {
        int i = off;
        for (; i < vectorEnd; i += L) {
          FloatVector.fromArray(F, out, i)
              .add(FloatVector.fromArray(F, residual, residualOff + i - off)).intoArray(out, i);
        }
        for (; i < end; i++) {
          out[i] += residual[residualOff + i - off];
        }
      } else {
        Epilogue.ScaleShiftStep ss = (Epilogue.ScaleShiftStep) step;
        float scale = ss.scale(channel);
        float shift = ss.shift(channel);
        int i = off;
        for (; i < vectorEnd; i += L) {
          FloatVector.fromArray(F, out, i).mul(scale).add(shift).intoArray(out, i);
        }
        for (; i < end; i++) {
          out[i] = out[i] * scale + shift;
        }
      }
    }
  }

  private static void activate(Epilogue.ActivationStep step, float[] out, int off, int vectorEnd,
      int end) {
    float alpha = step.alpha;
    float beta = step.beta;
    int i = off;
    switch (step.activation) {
      case RELU:
        for (; i < vectorEnd; i += L) {
          FloatVector.fromArray(F, out, i).lanewise(VectorOperators.MAX, 0f).intoArray(out, i);
        }
        for (; i < end; i++) {
          out[i] = Math.max(out[i], 0f);
        }
        break;
      case CLIP:
        for (; i < vectorEnd; i += L) {
          FloatVector x = FloatVector.fromArray(F, out, i);
          VectorMask<Float> below = x.compare(VectorOperators.LT, alpha);
          VectorMask<Float> above = x.compare(VectorOperators.GT, beta);
          x.blend(beta, above).blend(alpha, below).intoArray(out, i);
        }
        for (; i < end; i++) {
          float x = out[i];
          out[i] = x < alpha ? alpha : (x > beta ? beta : x);
        }
        break;
      case LEAKY_RELU:
        for (; i < vectorEnd; i += L) {
          FloatVector x = FloatVector.fromArray(F, out, i);
          x.mul(alpha).blend(x, x.compare(VectorOperators.GE, 0f)).intoArray(out, i);
        }
        for (; i < end; i++) {
          float x = out[i];
          out[i] = x >= 0f ? x : x * alpha;
        }
        break;
      default:
        for (; i < end; i++) {
          out[i] = Epilogue.activate(step.activation, alpha, beta, out[i]);
        }
        break;
    }
  }
}
