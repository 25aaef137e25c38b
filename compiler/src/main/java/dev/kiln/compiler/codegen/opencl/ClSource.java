package dev.kiln.compiler.codegen.opencl;

import dev.kiln.compiler.lower.KernelCall;
import dev.kiln.runtime.opencl.OpenClPlan;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The OpenCL program being generated: its kernels, each specialized with one layer's constants, and
 * the launches in program order. Offsets are kernel arguments rather than constants, so layers with
 * the same geometry share one kernel (ResNet's repeated blocks, MobileNet's repeated shapes) and the
 * driver compiles fewer of them.
 */
final class ClSource {
  /** Work-items per work-group of the one-dimensional kernels. */
  static final int LOCAL_1D = 64;

  /** A kernel and the layers that launch it. */
  private static final class Kernel {
    final String name;
    final String text;
    final Set<String> layers = new LinkedHashSet<>();

    Kernel(String name, String text) {
      this.name = name;
      this.text = text;
    }
  }

  private final Map<String, Kernel> bySpecialization = new HashMap<>();
  private final List<Kernel> kernels = new ArrayList<>();
  private final List<OpenClPlan.Launch> launches = new ArrayList<>();

  /**
   * Adds a kernel, or finds the identical one added earlier, and returns its name.
   *
   * @param family what it computes, part of its name ({@code conv_tiled}, {@code relu})
   * @param description the specialization in a line or two (geometry, epilogue); no layer names,
   *     since layers with the same geometry share the kernel
   * @param params the int parameters after {@code arena} and {@code weights}, in argument order
   * @param attributes e.g. {@code __attribute__((reqd_work_group_size(16, 16, 1)))}, or ""
   * @param body the statements, indented two spaces
   */
  String kernel(String family, String description, List<String> params, String attributes, String body) {
    int unfilled = body.indexOf("${");
    if (unfilled >= 0) {
      throw new IllegalStateException("OpenCL template bug: " + family + " left "
          + body.substring(unfilled, body.indexOf('}', unfilled) + 1) + " unfilled");
    }
    StringBuilder signature = new StringBuilder("(__global float* arena, __global const float* weights");
    for (String p : params) {
      signature.append(", const int ").append(p);
    }
    signature.append(")");
    String specialization = description + "\n" + attributes + "\n" + signature + "\n" + body;
    Kernel k = bySpecialization.get(specialization);
    if (k == null) {
      String name = "k" + kernels.size() + "_" + family;
      StringBuilder text = new StringBuilder();
      for (String line : description.split("\n")) {
        text.append("// ").append(line).append('\n');
      }
      text.append("__kernel ").append(attributes.isEmpty() ? "" : attributes + "\n")
          .append("void ").append(name).append(signature).append(" {\n").append(body);
      if (!body.endsWith("\n")) {
        text.append('\n');
      }
      text.append("}\n");
      k = new Kernel(name, text.toString());
      bySpecialization.put(specialization, k);
      kernels.add(k);
    }
    return k.name;
  }

  /** A 1-D launch of {@code items} work-items (rounded up to whole work-groups; kernels guard). */
  void launch1d(KernelCall call, String kernel, long items, int... args) {
    long global = (items + LOCAL_1D - 1) / LOCAL_1D * LOCAL_1D;
    launch(call, kernel, new long[] {global}, new long[] {LOCAL_1D}, args);
  }

  void launch(KernelCall call, String kernel, long[] global, long[] local, int... args) {
    for (Kernel k : kernels) {
      if (k.name.equals(kernel)) {
        k.layers.add(call.layer());
      }
    }
    launches.add(new OpenClPlan.Launch(call.layer(), call.opType(), kernel, global, local, args));
  }

  List<OpenClPlan.Launch> launches() {
    return launches;
  }

  int kernelCount() {
    return kernels.size();
  }

  /** The program text: {@code header}, the shared helper functions, then every kernel. */
  String render(String header) {
    StringBuilder sb = new StringBuilder(header);
    sb.append('\n').append(PRELUDE);
    for (Kernel k : kernels) {
      sb.append('\n');
      List<String> layers = new ArrayList<>(k.layers);
      int shown = Math.min(layers.size(), 8);
      sb.append("// Layers: ");
      for (int i = 0; i < shown; i++) {
        sb.append(i == 0 ? "" : ", ").append(ClText.comment(layers.get(i)));
      }
      if (layers.size() > shown) {
        sb.append(" and ").append(layers.size() - shown).append(" more");
      }
      sb.append('\n').append(k.text);
    }
    return sb.toString();
  }

  /**
   * The activations as runtime-min's {@code Epilogue.activate} and {@code ReferenceUnary} define
   * them, NaN handling included (Java's {@code Math.max(0, NaN)} is NaN where C's {@code fmax}
   * would drop it).
   */
  static final String PRELUDE = """
      float kiln_relu(float x) {
        return x > 0.0f ? x : (isnan(x) ? x : 0.0f);
      }

      float kiln_clip(float x, float lo, float hi) {
        return x < lo ? lo : (x > hi ? hi : x);
      }

      float kiln_leaky_relu(float x, float alpha) {
        return x >= 0.0f ? x : x * alpha;
      }

      float kiln_sigmoid(float x) {
        if (x >= 0.0f) {
          return 1.0f / (1.0f + exp(-x));
        }
        const float e = exp(x);
        return e / (1.0f + e);
      }

      float kiln_unit_clamp(float t) {
        return isnan(t) ? t : fmin(1.0f, fmax(0.0f, t));
      }

      float kiln_hard_sigmoid(float x, float alpha, float beta) {
        return kiln_unit_clamp(alpha * x + beta);
      }

      float kiln_hard_swish(float x) {
        return x * kiln_unit_clamp(x / 6.0f + 0.5f);
      }

      float kiln_max(float a, float b) {
        return isnan(a) || isnan(b) ? NAN : fmax(a, b);
      }

      float kiln_min(float a, float b) {
        return isnan(a) || isnan(b) ? NAN : fmin(a, b);
      }
      """;
}
