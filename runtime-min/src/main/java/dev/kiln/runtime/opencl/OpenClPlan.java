package dev.kiln.runtime.opencl;

import dev.kiln.runtime.TensorInfo;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * How to run a compiled model's OpenCL program: the device arena's size (the static memory plan),
 * where the inputs and outputs sit in it, and the kernel launches in order, each with its work sizes
 * and integer arguments. Immutable; read from and written to the {@code Name.clplan.json} the
 * compiler emits beside {@code Name.cl}.
 *
 * <p>Every kernel of a Kiln program has the signature {@code (__global float* arena, __global const
 * float* weights, int arg0, int arg1, ...)}: the two buffers, then the launch's {@link Launch#args()}
 * (offsets in floats, fixed at compile time). The host sets them once, when the model loads.
 */
public final class OpenClPlan {
  /** The {@code format} member every plan carries. */
  public static final String FORMAT = "kiln-opencl-plan";
  public static final int VERSION = 1;

  /**
   * One kernel launch.
   *
   * @param layer the graph node it computes (several launches may share one)
   * @param kernel the {@code __kernel} function's name in the program
   * @param global the NDRange, 1 to 3 dimensions
   * @param local the work-group size (same rank), or null to let the driver choose
   * @param args the integer arguments after {@code arena} and {@code weights}
   */
  public record Launch(String layer, String op, String kernel, long[] global, long[] local, int[] args) {
    public Launch {
      Objects.requireNonNull(layer, "layer");
      Objects.requireNonNull(op, "op");
      Objects.requireNonNull(kernel, "kernel");
      global = global.clone();
      local = local == null ? null : local.clone();
      args = args.clone();
      if (global.length < 1 || global.length > 3) {
        throw new IllegalArgumentException(kernel + ": an NDRange has 1 to 3 dimensions, got "
            + Arrays.toString(global));
      }
      for (int d = 0; d < global.length; d++) {
        if (global[d] < 1) {
          throw new IllegalArgumentException(kernel + ": empty NDRange " + Arrays.toString(global));
        }
        if (local != null && (local.length != global.length || local[d] < 1 || global[d] % local[d] != 0)) {
          throw new IllegalArgumentException(kernel + ": work-group " + Arrays.toString(local)
              + " does not divide NDRange " + Arrays.toString(global));
        }
      }
    }

    @Override
    public long[] global() {
      return global.clone();
    }

    @Override
    public long[] local() {
      return local == null ? null : local.clone();
    }

    @Override
    public int[] args() {
      return args.clone();
    }

    @Override
    public boolean equals(Object o) {
      return o instanceof Launch l && layer.equals(l.layer) && op.equals(l.op) && kernel.equals(l.kernel)
          && Arrays.equals(global, l.global) && Arrays.equals(local, l.local) && Arrays.equals(args, l.args);
    }

    @Override
    public int hashCode() {
      return Objects.hash(layer, op, kernel, Arrays.hashCode(global), Arrays.hashCode(local), Arrays.hashCode(args));
    }

    @Override
    public String toString() {
      return layer + ": " + kernel + Arrays.toString(global)
          + (local == null ? "" : "/" + Arrays.toString(local)) + " args " + Arrays.toString(args);
    }
  }

  private final String model;
  private final String sourceSha256;
  private final String buildOptions;
  private final long arenaBytes;
  private final int weightFloats;
  private final long weightsCrc32;
  private final List<TensorInfo> inputs;
  private final List<TensorInfo> outputs;
  private final List<Launch> launches;

  /**
   * @param sourceSha256 the SHA-256 of the {@code .cl} source (hex), so a plan is never run against
   *     another build's kernels
   * @param arenaBytes the device arena: every activation and workspace at its planned offset
   */
  public OpenClPlan(String model, String sourceSha256, String buildOptions, long arenaBytes,
      int weightFloats, long weightsCrc32, List<TensorInfo> inputs, List<TensorInfo> outputs,
      List<Launch> launches) {
    this.model = Objects.requireNonNull(model, "model");
    this.sourceSha256 = Objects.requireNonNull(sourceSha256, "sourceSha256");
    this.buildOptions = Objects.requireNonNull(buildOptions, "buildOptions");
    this.arenaBytes = arenaBytes;
    this.weightFloats = weightFloats;
    this.weightsCrc32 = weightsCrc32;
    this.inputs = List.copyOf(inputs);
    this.outputs = List.copyOf(outputs);
    this.launches = List.copyOf(launches);
    if (arenaBytes < 0 || weightFloats < 0) {
      throw new IllegalArgumentException(model + ": negative arena or weights size");
    }
    for (TensorInfo t : concat(this.inputs, this.outputs)) {
      if (t.arenaOffset() < 0 || ((long) t.arenaOffset() + t.elements()) * Float.BYTES > arenaBytes) {
        throw new IllegalArgumentException(model + ": '" + t.name() + "' at float " + t.arenaOffset()
            + " does not fit the " + arenaBytes + "-byte arena");
      }
    }
  }

  private static List<TensorInfo> concat(List<TensorInfo> a, List<TensorInfo> b) {
    List<TensorInfo> all = new ArrayList<>(a);
    all.addAll(b);
    return all;
  }

  public String model() {
    return model;
  }

  public String sourceSha256() {
    return sourceSha256;
  }

  /** The options {@code clBuildProgram} gets, e.g. {@code -cl-std=CL1.2}. */
  public String buildOptions() {
    return buildOptions;
  }

  public long arenaBytes() {
    return arenaBytes;
  }

  public int weightFloats() {
    return weightFloats;
  }

  /** The CRC-32 of the weights as little-endian float32s (see {@link dev.kiln.runtime.Weights}). */
  public long weightsCrc32() {
    return weightsCrc32;
  }

  public List<TensorInfo> inputs() {
    return inputs;
  }

  public List<TensorInfo> outputs() {
    return outputs;
  }

  public List<Launch> launches() {
    return launches;
  }

  /** Reads a plan as {@link #toJson()} writes it. */
  public static OpenClPlan parse(String json) {
    Object root = PlanJson.parse(json);
    if (!(root instanceof Map<?, ?> m) || !FORMAT.equals(m.get("format"))) {
      throw new IllegalArgumentException("not an OpenCL plan: expected {\"format\": \"" + FORMAT + "\", ...}");
    }
    long version = number(m, "version");
    if (version != VERSION) {
      throw new IllegalArgumentException("OpenCL plan version " + version + " is not supported (this runtime reads "
          + VERSION + "): recompile the model with this Kiln version");
    }
    List<Launch> launches = new ArrayList<>();
    for (Object o : list(m, "launches")) {
      Map<?, ?> l = (Map<?, ?>) o;
      Object local = l.get("local");
      launches.add(new Launch(string(l, "layer"), string(l, "op"), string(l, "kernel"),
          longs(list(l, "global")), local == null ? null : longs((List<?>) local),
          ints(list(l, "args"))));
    }
    return new OpenClPlan(string(m, "model"), string(m, "sourceSha256"), string(m, "buildOptions"),
        number(m, "arenaBytes"), Math.toIntExact(number(m, "weightFloats")),
        Long.parseLong(string(m, "weightsCrc32"), 16), slots(list(m, "inputs")),
        slots(list(m, "outputs")), launches);
  }

  /** The plan as JSON: one launch per line, so diffs between compiles stay readable. */
  public String toJson() {
    StringBuilder sb = new StringBuilder("{\n");
    sb.append("  \"format\": ").append(PlanJson.quote(FORMAT)).append(",\n");
    sb.append("  \"version\": ").append(VERSION).append(",\n");
    sb.append("  \"model\": ").append(PlanJson.quote(model)).append(",\n");
    sb.append("  \"sourceSha256\": ").append(PlanJson.quote(sourceSha256)).append(",\n");
    sb.append("  \"buildOptions\": ").append(PlanJson.quote(buildOptions)).append(",\n");
    sb.append("  \"arenaBytes\": ").append(arenaBytes).append(",\n");
    sb.append("  \"weightFloats\": ").append(weightFloats).append(",\n");
    sb.append("  \"weightsCrc32\": ").append(PlanJson.quote(String.format("%08x", weightsCrc32))).append(",\n");
    sb.append("  \"inputs\": ").append(slotsJson(inputs)).append(",\n");
    sb.append("  \"outputs\": ").append(slotsJson(outputs)).append(",\n");
    sb.append("  \"launches\": [");
    for (int i = 0; i < launches.size(); i++) {
      Launch l = launches.get(i);
      sb.append(i == 0 ? "\n" : ",\n");
      sb.append("    {\"layer\": ").append(PlanJson.quote(l.layer()))
          .append(", \"op\": ").append(PlanJson.quote(l.op()))
          .append(", \"kernel\": ").append(PlanJson.quote(l.kernel()))
          .append(", \"global\": ").append(Arrays.toString(l.global))
          .append(", \"local\": ").append(l.local == null ? "null" : Arrays.toString(l.local))
          .append(", \"args\": ").append(Arrays.toString(l.args)).append('}');
    }
    sb.append(launches.isEmpty() ? "]\n" : "\n  ]\n");
    return sb.append("}\n").toString();
  }

  private static String slotsJson(List<TensorInfo> slots) {
    StringBuilder sb = new StringBuilder("[");
    for (int i = 0; i < slots.size(); i++) {
      TensorInfo t = slots.get(i);
      sb.append(i == 0 ? "" : ", ").append("{\"name\": ").append(PlanJson.quote(t.name()))
          .append(", \"shape\": ").append(Arrays.toString(t.shape()))
          .append(", \"arenaOffset\": ").append(t.arenaOffset()).append('}');
    }
    return sb.append(']').toString();
  }

  private static List<TensorInfo> slots(List<?> list) {
    List<TensorInfo> out = new ArrayList<>();
    for (Object o : list) {
      Map<?, ?> s = (Map<?, ?>) o;
      out.add(new TensorInfo(string(s, "name"), ints(list(s, "shape")),
          Math.toIntExact(number(s, "arenaOffset"))));
    }
    return out;
  }

  private static String string(Map<?, ?> m, String key) {
    if (!(m.get(key) instanceof String s)) {
      throw new IllegalArgumentException("OpenCL plan: '" + key + "' must be a string");
    }
    return s;
  }

  private static long number(Map<?, ?> m, String key) {
    if (!(m.get(key) instanceof Long n)) {
      throw new IllegalArgumentException("OpenCL plan: '" + key + "' must be an integer");
    }
    return n;
  }

  private static List<?> list(Map<?, ?> m, String key) {
    if (!(m.get(key) instanceof List<?> l)) {
      throw new IllegalArgumentException("OpenCL plan: '" + key + "' must be an array");
    }
    return l;
  }

  private static long[] longs(List<?> list) {
    long[] out = new long[list.size()];
    for (int i = 0; i < out.length; i++) {
      out[i] = (Long) list.get(i);
    }
    return out;
  }

  private static int[] ints(List<?> list) {
    int[] out = new int[list.size()];
    for (int i = 0; i < out.length; i++) {
      out[i] = Math.toIntExact((Long) list.get(i));
    }
    return out;
  }

  @Override
  public String toString() {
    return model + " (" + launches.size() + " launches, arena " + arenaBytes + " bytes, "
        + weightFloats + " weight floats)";
  }
}
