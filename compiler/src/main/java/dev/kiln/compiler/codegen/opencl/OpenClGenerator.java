package dev.kiln.compiler.codegen.opencl;

import dev.kiln.compiler.KilnException;
import dev.kiln.compiler.api.CompileResult;
import dev.kiln.compiler.ir.Graph;
import dev.kiln.compiler.ir.Node;
import dev.kiln.compiler.ir.TypeInference;
import dev.kiln.compiler.lower.ConvChoice;
import dev.kiln.compiler.lower.KernelCall;
import dev.kiln.compiler.lower.Program;
import dev.kiln.compiler.memory.MemoryPlan;
import dev.kiln.runtime.TensorInfo;
import dev.kiln.runtime.Weights;
import dev.kiln.runtime.kernels.conv.ConvRunner;
import dev.kiln.runtime.kernels.reference.ReferenceBinary;
import dev.kiln.runtime.kernels.reference.ReferenceGemm;
import dev.kiln.runtime.kernels.reference.ReferenceLayout;
import dev.kiln.runtime.kernels.reference.ReferenceNormalization;
import dev.kiln.runtime.kernels.reference.ReferencePool;
import dev.kiln.runtime.kernels.reference.ReferenceSoftmax;
import dev.kiln.runtime.kernels.reference.ReferenceUnary;
import dev.kiln.runtime.opencl.OpenClPlan;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.BiConsumer;

/**
 * Translates a lowered {@link Program} into an OpenCL C program and its launch plan: each kernel
 * call, by the runtime-min method it names, becomes one or more kernel launches specialized with
 * the call's constants. The arena offsets are the memory plan's, unchanged: the device arena is the
 * CPU arena's layout.
 */
final class OpenClGenerator {
  /** Translators by {@code Owner.method}. */
  private static final Map<String, BiConsumer<ClCall, ClSource>> TRANSLATORS = new HashMap<>();

  static {
    register(ConvRunner.class, "run", ClConv::translate);
    for (String unary : List.of("relu", "leakyRelu", "clip", "sigmoid", "hardSigmoid", "hardSwish",
        "tanh", "exp", "sqrt", "reciprocal", "erf")) {
      register(ReferenceUnary.class, unary, ClOps::unary);
    }
    register(ReferenceBinary.class, "apply", ClOps::binary);
    register(ReferencePool.class, "maxPool2d", ClOps::pool);
    register(ReferencePool.class, "averagePool2d", ClOps::pool);
    register(ReferencePool.class, "globalAveragePool", ClOps::globalPool);
    register(ReferencePool.class, "globalMaxPool", ClOps::globalPool);
    register(ReferenceGemm.class, "gemm", ClOps::gemm);
    register(ReferenceGemm.class, "addScaled", ClOps::addScaled);
    register(ReferenceSoftmax.class, "softmax", ClOps::softmax);
    register(ReferenceSoftmax.class, "logSoftmax", ClOps::softmax);
    register(ReferenceNormalization.class, "batchNorm", ClOps::batchNorm);
    register(ReferenceNormalization.class, "scaleShift", ClOps::scaleShift);
    register(ReferenceLayout.class, "stridedCopy", ClOps::stridedCopy);
    register(ReferenceLayout.class, "fill", ClOps::fill);
  }

  private OpenClGenerator() {}

  private static void register(Class<?> owner, String method, BiConsumer<ClCall, ClSource> t) {
    TRANSLATORS.put(owner.getName() + "." + method, t);
  }

  /** Whether a call has an OpenCL translation (the rest make {@link #generate} fail). */
  static boolean supports(KernelCall call) {
    return TRANSLATORS.containsKey(call.owner().getName() + "." + call.method());
  }

  static OpenClArtifact generate(CompileResult result, String className) {
    Program program = result.program();
    Graph graph = result.optimized();
    ClSource source = new ClSource();
    for (KernelCall call : program.calls()) {
      BiConsumer<ClCall, ClSource> translator = TRANSLATORS.get(call.owner().getName() + "." + call.method());
      try {
        if (translator == null) {
          throw ClOps.unsupported(new ClCall(call));
        }
        translator.accept(new ClCall(call), source);
      } catch (KilnException e) {
        throw new KilnException(where(graph, call) + ": " + e.getMessage(), e);
      }
    }
    float[] weights = program.weightsCopy();
    String text = source.render(header(result, source, className));
    OpenClPlan plan = new OpenClPlan(program.name(), sha256(text), OpenClBackend.BUILD_OPTIONS,
        (long) program.arenaFloats() * Float.BYTES, weights.length, Weights.crc32(weights),
        slots(program.inputs()), slots(program.outputs()), source.launches());
    return new OpenClArtifact(className, text, plan, weights);
  }

  /** {@code model.onnx: node 'x' (Op, opset 13)}: where the failing call came from. */
  private static String where(Graph graph, KernelCall call) {
    for (Node n : graph.nodes()) {
      if (n.name().equals(call.layer())) {
        return TypeInference.where(graph.source(), n, graph.opset());
      }
    }
    return graph.source() + ": layer '" + call.layer() + "' (" + call.opType() + ")";
  }

  private static List<TensorInfo> slots(List<Program.IoSlot> list) {
    List<TensorInfo> out = new ArrayList<>();
    for (Program.IoSlot s : list) {
      out.add(new TensorInfo(s.name(), s.shape(), s.arenaOffset()));
    }
    return out;
  }

  /**
   * The file header: what the program is, the calling convention, each convolution's algorithm and
   * why, and the arena's memory map (offsets in floats, as the kernel arguments give them).
   */
  private static String header(CompileResult result, ClSource source, String className) {
    Program program = result.program();
    MemoryPlan plan = result.plan();
    StringBuilder sb = new StringBuilder();
    sb.append("// Generated by Kiln - do not edit.\n");
    sb.append("// ").append(ClText.comment(className)).append(": model '").append(ClText.comment(program.name()))
        .append("' as OpenCL C 1.2 (build options ").append(OpenClBackend.BUILD_OPTIONS).append(").\n");
    sb.append("// ").append(program.calls().size()).append(" kernel calls -> ").append(source.launches().size())
        .append(" launches of ").append(source.kernelCount()).append(" kernels.\n");
    sb.append("//\n// Every kernel takes (__global float* arena, __global const float* weights, int...):\n")
        .append("// the device arena of the static memory plan (").append(plan.arenaBytes())
        .append(" bytes), the weights (").append(program.weightFloats())
        .append(" floats), then offsets in floats.\n");
    if (!result.choices().isEmpty()) {
      sb.append("//\n// Convolution algorithms:\n");
      // In graph order: the choices map has no stable order, and the source must not vary between
      // compiles (its hash keys the binary cache).
      for (Node n : result.optimized().nodes()) {
        ConvChoice choice = result.choices().get(n.name());
        if (choice != null) {
          sb.append("//   ").append(ClText.comment(n.name())).append(": ").append(choice.kernel().name())
              .append(" (").append(ClText.comment(choice.reason())).append(")\n");
        }
      }
    }
    sb.append("//\n// Memory map (arena offset in floats, floats, value):\n");
    List<Map.Entry<String, MemoryPlan.Placement>> values = new ArrayList<>(plan.values().entrySet());
    values.sort(Comparator.comparingLong((Map.Entry<String, MemoryPlan.Placement> e) -> plan.valueOffset(e.getKey()))
        .thenComparing(Map.Entry::getKey));
    for (Map.Entry<String, MemoryPlan.Placement> e : values) {
      sb.append(String.format(Locale.ROOT, "//   %10d %10d  %s\n", plan.valueOffset(e.getKey()) / Float.BYTES,
          e.getValue().bytes() / Float.BYTES, ClText.comment(e.getKey())));
    }
    for (MemoryPlan.Buffer b : plan.buffers()) {
      if (b.kind() == MemoryPlan.Kind.SCRATCH) {
        sb.append(String.format(Locale.ROOT, "//   %10d %10d  (workspace) %s\n", b.offset() / Float.BYTES,
            b.bytes() / Float.BYTES, ClText.comment(b.name())));
      }
    }
    return sb.toString();
  }

  static String sha256(String text) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256")
          .digest(text.getBytes(StandardCharsets.UTF_8)));
    } catch (NoSuchAlgorithmException e) {
      throw new AssertionError(e);
    }
  }
}
