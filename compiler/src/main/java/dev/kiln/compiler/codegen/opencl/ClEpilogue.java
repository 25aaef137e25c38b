package dev.kiln.compiler.codegen.opencl;

import dev.kiln.compiler.lower.EpilogueSpec;
import dev.kiln.runtime.kernels.Epilogue;
import java.util.ArrayList;
import java.util.List;

/**
 * A fused epilogue as OpenCL C: statements on the accumulated value {@code v} of output channel
 * {@code ch} at arena index {@code idx}, in {@link Epilogue#apply}'s order (bias, then the steps).
 * The bias and scale-shift vectors stay in the weights buffer; their offsets, and the residual's,
 * are kernel arguments like every other offset.
 */
final class ClEpilogue {
  final List<String> params = new ArrayList<>();
  final List<Integer> args = new ArrayList<>();
  final String code;
  final String description;

  /**
   * @param residualBuffer {@code arena} or {@code weights} when the spec adds a residual, else null
   */
  ClEpilogue(EpilogueSpec spec, String residualBuffer, int residualOffset) {
    StringBuilder sb = new StringBuilder();
    if (spec.biasOffset() >= 0) {
      params.add("biasOffset");
      args.add(spec.biasOffset());
      sb.append("v += weights[biasOffset + ch];\n");
    }
    int scaleShifts = 0;
    for (EpilogueSpec.Step step : spec.steps()) {
      if (step instanceof EpilogueSpec.Activation a) {
        sb.append("v = ").append(activation(a.kind(), a.alpha(), a.beta())).append(";\n");
      } else if (step instanceof EpilogueSpec.ResidualAdd) {
        if (residualBuffer == null) {
          throw new IllegalStateException("lowering bug: an epilogue adds a residual but the call passes none");
        }
        params.add("residualOffset");
        args.add(residualOffset);
        sb.append("v += ").append(residualBuffer).append("[residualOffset + idx];\n");
      } else if (step instanceof EpilogueSpec.ScaleShift ss) {
        String scale = "scaleOffset" + scaleShifts;
        String shift = "shiftOffset" + scaleShifts;
        scaleShifts++;
        params.add(scale);
        args.add(ss.scaleOffset());
        params.add(shift);
        args.add(ss.shiftOffset());
        sb.append("v = v * weights[").append(scale).append(" + ch] + weights[").append(shift).append(" + ch];\n");
      } else {
        throw new IllegalStateException("no OpenCL code for epilogue step " + step);
      }
    }
    this.code = sb.toString();
    this.description = spec.describe();
  }

  int[] argArray() {
    return args.stream().mapToInt(Integer::intValue).toArray();
  }

  /** {@code Epilogue.activate(kind, alpha, beta, v)} as a C expression. */
  static String activation(Epilogue.Activation kind, float alpha, float beta) {
    String a = ClText.f(alpha);
    String b = ClText.f(beta);
    switch (kind) {
      case RELU:
        return "kiln_relu(v)";
      case CLIP:
        return "kiln_clip(v, " + a + ", " + b + ")";
      case LEAKY_RELU:
        return "kiln_leaky_relu(v, " + a + ")";
      case SIGMOID:
        return "kiln_sigmoid(v)";
      case HARD_SIGMOID:
        return "kiln_hard_sigmoid(v, " + a + ", " + b + ")";
      case HARD_SWISH:
        return "kiln_hard_swish(v)";
      case SILU:
        return "v * kiln_sigmoid(v)";
      case X_HARD_SIGMOID:
        return "v * kiln_hard_sigmoid(v, " + a + ", " + b + ")";
      case TANH:
        return "tanh(v)";
      default:
        throw new IllegalStateException("no OpenCL code for activation " + kind);
    }
  }
}
