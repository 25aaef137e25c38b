package dev.kiln.compiler.ops;

import dev.kiln.compiler.ir.OpException;
import dev.kiln.runtime.kernels.Epilogue;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * One step of a fused convolution's epilogue, as the compiler holds it: the same steps, in the same
 * order, as runtime-min's {@link Epilogue}, but as values (the per-channel numbers of a scale-shift
 * are node inputs, not part of the step), so operators holding them stay comparable records.
 *
 * <p>The text form is the runtime's: {@code BIAS -> ADD_RESIDUAL -> CLIP(0.0, 6.0)}; an activation
 * shows its parameters when either is non-zero.
 */
public sealed interface EpilogueStep {
  /** FLOPs per output element, for the cost model. */
  int flopsPerElement();

  /** An activation with its parameters; unused parameters are 0, as in {@link Epilogue}. */
  record ActivationStep(Epilogue.Activation activation, float alpha, float beta)
      implements EpilogueStep {
    public static ActivationStep of(Epilogue.Activation activation) {
      return new ActivationStep(activation, 0f, 0f);
    }

    @Override
    public int flopsPerElement() {
      switch (activation) {
        case RELU:
          return 1;
        case CLIP:
        case LEAKY_RELU:
          return 2;
        case SIGMOID:
        case TANH:
          return 3;
        case HARD_SIGMOID:
        case SILU:
          return 4;
        default:
          return 5;
      }
    }

    @Override
    public String toString() {
      return activation + (alpha != 0 || beta != 0 ? "(" + alpha + ", " + beta + ")" : "");
    }
  }

  /** Adds the residual input, element by element (a ResNet block's skip connection). */
  record ResidualAddStep() implements EpilogueStep {
    @Override
    public int flopsPerElement() {
      return 1;
    }

    @Override
    public String toString() {
      return "ADD_RESIDUAL";
    }
  }

  /** {@code y = x·scale[c] + shift[c]}: a BatchNormalization after the activation. */
  record ScaleShiftStep() implements EpilogueStep {
    @Override
    public int flopsPerElement() {
      return 2;
    }

    @Override
    public String toString() {
      return "SCALE_SHIFT";
    }
  }

  /** {@code BIAS -> RELU}, or {@code NONE}: the runtime {@link Epilogue#toString()} form. */
  static String describe(boolean bias, List<EpilogueStep> steps) {
    List<String> parts = new ArrayList<>();
    if (bias) {
      parts.add("BIAS");
    }
    for (EpilogueStep s : steps) {
      parts.add(s.toString());
    }
    return parts.isEmpty() ? "NONE" : String.join(" -> ", parts);
  }

  /** Whether {@link #describe} text starts with the bias. */
  static boolean describesBias(String text) {
    return text.trim().startsWith("BIAS");
  }

  /** The steps of a {@link #describe} text, the bias left out. */
  static List<EpilogueStep> parse(String text) {
    List<EpilogueStep> steps = new ArrayList<>();
    String trimmed = text.trim();
    if (trimmed.equals("NONE")) {
      return steps;
    }
    String[] parts = trimmed.split("\\s*->\\s*");
    for (int i = 0; i < parts.length; i++) {
      String p = parts[i];
      if (i == 0 && p.equals("BIAS")) {
        continue;
      }
      if (p.equals("ADD_RESIDUAL")) {
        steps.add(new ResidualAddStep());
      } else if (p.equals("SCALE_SHIFT")) {
        steps.add(new ScaleShiftStep());
      } else {
        steps.add(parseActivation(p, text));
      }
    }
    return steps;
  }

  private static ActivationStep parseActivation(String p, String whole) {
    String name = p;
    float alpha = 0f;
    float beta = 0f;
    int open = p.indexOf('(');
    try {
      if (open >= 0) {
        if (!p.endsWith(")")) {
          throw new IllegalArgumentException();
        }
        name = p.substring(0, open);
        String[] args = p.substring(open + 1, p.length() - 1).split(",");
        if (args.length != 2) {
          throw new IllegalArgumentException();
        }
        alpha = Float.parseFloat(args[0].trim());
        beta = Float.parseFloat(args[1].trim());
      }
      return new ActivationStep(Epilogue.Activation.valueOf(name.toUpperCase(Locale.ROOT)), alpha, beta);
    } catch (IllegalArgumentException e) {
      throw new OpException("epilogue '" + whole + "': cannot read step '" + p + "'");
    }
  }
}
