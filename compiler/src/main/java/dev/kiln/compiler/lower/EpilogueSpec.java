package dev.kiln.compiler.lower;

import dev.kiln.runtime.kernels.Epilogue;
import java.util.List;

/**
 * A fused epilogue as the lowered program records it: the runtime {@link Epilogue}'s steps with the
 * weights-array offsets of its vectors, so every backend can build the same Epilogue when the model
 * loads.
 *
 * @param channels output channels: the length of the bias and scale-shift vectors
 * @param biasOffset where the bias starts in the weights array, or −1 for none
 */
public record EpilogueSpec(int channels, int biasOffset, List<Step> steps) {
  public EpilogueSpec {
    steps = List.copyOf(steps);
  }

  /** One step after the bias, in order. */
  public sealed interface Step {}

  public record Activation(Epilogue.Activation kind, float alpha, float beta) implements Step {}

  public record ResidualAdd() implements Step {}

  public record ScaleShift(int scaleOffset, int shiftOffset) implements Step {}

  public static EpilogueSpec biasOnly(int channels, int biasOffset) {
    return new EpilogueSpec(channels, biasOffset, List.of());
  }

  public boolean hasResidual() {
    return steps.stream().anyMatch(s -> s instanceof ResidualAdd);
  }

  public boolean isIdentity() {
    return biasOffset < 0 && steps.isEmpty();
  }

  /** Builds the runtime epilogue from the model's weights. */
  public Epilogue build(float[] weights) {
    Epilogue.Builder b = Epilogue.builder();
    if (biasOffset >= 0) {
      b.bias(java.util.Arrays.copyOfRange(weights, biasOffset, biasOffset + channels));
    }
    for (Step s : steps) {
      if (s instanceof Activation a) {
        b.activation(a.kind(), a.alpha(), a.beta());
      } else if (s instanceof ResidualAdd) {
        b.residualAdd();
      } else if (s instanceof ScaleShift ss) {
        b.scaleShift(java.util.Arrays.copyOfRange(weights, ss.scaleOffset(), ss.scaleOffset() + channels),
            java.util.Arrays.copyOfRange(weights, ss.shiftOffset(), ss.shiftOffset() + channels));
      }
    }
    return b.build();
  }

  /** {@code BIAS -> ADD_RESIDUAL -> RELU}, as comments and reports show it. */
  public String describe() {
    StringBuilder sb = new StringBuilder(biasOffset >= 0 ? "BIAS" : "");
    for (Step s : steps) {
      if (sb.length() > 0) {
        sb.append(" -> ");
      }
      if (s instanceof Activation a) {
        sb.append(a.kind());
      } else if (s instanceof ResidualAdd) {
        sb.append("ADD_RESIDUAL");
      } else {
        sb.append("SCALE_SHIFT");
      }
    }
    return sb.length() == 0 ? "NONE" : sb.toString();
  }
}
