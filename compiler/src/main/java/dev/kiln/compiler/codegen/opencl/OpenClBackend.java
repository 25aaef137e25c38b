package dev.kiln.compiler.codegen.opencl;

import dev.kiln.compiler.KilnException;
import dev.kiln.compiler.api.CompileListener;
import dev.kiln.compiler.api.CompileOptions;
import dev.kiln.compiler.api.CompileResult;
import dev.kiln.compiler.api.Compiler;
import dev.kiln.compiler.io.AtomicFiles;
import dev.kiln.compiler.ir.Graph;
import dev.kiln.compiler.lower.Program;
import dev.kiln.runtime.opencl.OpenClContext;
import dev.kiln.runtime.opencl.OpenClModel;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import javax.lang.model.SourceVersion;

/**
 * The OpenCL target: compiles a model with the device's convolution algorithms under a device
 * memory budget, generates the OpenCL C program and its launch plan, writes them out, or loads them
 * onto a device.
 *
 * <pre>
 * CompileResult r = OpenClBackend.compile(Path.of("resnet18.onnx"), CompileOptions.DEFAULTS);
 * OpenClArtifact a = OpenClBackend.generate(r, "ResNet18");
 * OpenClBackend.emit(a, outDir, "com.example");        // ResNet18.cl, .clplan.json, .weights, .java
 * try (OpenClContext cl = OpenClContext.create(); OpenClModel m = OpenClBackend.load(cl, a)) { ... }
 * </pre>
 */
public final class OpenClBackend {
  /** The options every Kiln program is built with: OpenCL C 1.2, no fast-math. */
  public static final String BUILD_OPTIONS = "-cl-std=CL1.2";

  private OpenClBackend() {}

  public static CompileResult compile(Path model, CompileOptions options) {
    return compile(model, options, CompileListener.NONE);
  }

  /** The same, telling {@code listener} as each stage ends. */
  public static CompileResult compile(Path model, CompileOptions options, CompileListener listener) {
    refuseCpuOnly(options);
    return Compiler.compile(model, options, OpenClTarget.INSTANCE, listener);
  }

  /**
   * Compiles with the device's algorithms, chosen by the selection stage ({@link OpenClTarget})
   * under the options' memory budget — the device memory the model may hold, arena plus weights —
   * or memory mode. An infeasible budget is a {@link KilnException} naming the minimum.
   */
  public static CompileResult compile(Graph graph, CompileOptions options) {
    refuseCpuOnly(options);
    return Compiler.compile(graph, options, OpenClTarget.INSTANCE, CompileListener.NONE);
  }

  /** Autotuning times candidates on this machine's CPU; nothing here can time the device's. */
  private static void refuseCpuOnly(CompileOptions options) {
    if (options.autotune()) {
      throw new KilnException("autotuning times the CPU's algorithms on this machine; nothing"
          + " measures the device's, so it does not go with the OpenCL target");
    }
  }

  /** The device bytes a compiled program holds: its arena and its weights. */
  public static long deviceBytes(Program program) {
    return ((long) program.arenaFloats() + program.weightFloats()) * Float.BYTES;
  }

  /**
   * The OpenCL program, plan and weights of a compiled model. Fails with a {@link KilnException}
   * naming the layer when a call has no OpenCL kernel.
   *
   * @param className the files' base name and the generated class's simple name
   */
  public static OpenClArtifact generate(CompileResult result, String className) {
    if (!SourceVersion.isName(className) || className.contains(".")) {
      throw new KilnException("'" + className + "' is not a valid simple Java class name");
    }
    return OpenClGenerator.generate(result, className);
  }

  /**
   * Writes {@code Name.cl}, {@code Name.clplan.json}, {@code Name.weights} (little-endian float32)
   * and {@code Name.java} (a class whose {@code load(OpenClContext)} finds the others beside it on the
   * class path) into {@code outDir}'s folder for {@code packageName} ("" for none). Returns the files.
   */
  public static List<Path> emit(OpenClArtifact artifact, Path outDir, String packageName) {
    if (!packageName.isEmpty() && !SourceVersion.isName(packageName)) {
      throw new KilnException("'" + packageName + "' is not a valid Java package name");
    }
    Path dir = packageName.isEmpty() ? outDir : outDir.resolve(packageName.replace('.', '/'));
    String name = artifact.className();
    List<Path> files = new ArrayList<>();
    Path cl = dir.resolve(name + ".cl");
    AtomicFiles.write(cl, artifact.source().getBytes(StandardCharsets.UTF_8));
    files.add(cl);
    Path plan = dir.resolve(name + ".clplan.json");
    AtomicFiles.write(plan, artifact.plan().toJson().getBytes(StandardCharsets.UTF_8));
    files.add(plan);
    Path weights = dir.resolve(name + ".weights");
    float[] w = artifact.weights();
    ByteBuffer bytes = ByteBuffer.allocate(w.length * Float.BYTES).order(ByteOrder.LITTLE_ENDIAN);
    bytes.asFloatBuffer().put(w);
    AtomicFiles.write(weights, bytes.array());
    files.add(weights);
    Path java = dir.resolve(name + ".java");
    AtomicFiles.write(java, hostClass(artifact, packageName).getBytes(StandardCharsets.UTF_8));
    files.add(java);
    return files;
  }

  /** The thin generated class: the plan, source and weights are resources beside it. */
  static String hostClass(OpenClArtifact artifact, String packageName) {
    String name = artifact.className();
    String model = artifact.plan().model().replace("\\", "\\\\").replace("*/", "* /");
    StringBuilder sb = new StringBuilder("// Generated by Kiln - do not edit.\n");
    if (!packageName.isEmpty()) {
      sb.append("package ").append(packageName).append(";\n\n");
    }
    sb.append("import dev.kiln.runtime.opencl.OpenClContext;\n")
        .append("import dev.kiln.runtime.opencl.OpenClModel;\n\n")
        .append("/**\n")
        .append(" * The model '").append(ClText.comment(model)).append("' compiled for OpenCL: ")
        .append(artifact.plan().launches().size()).append(" kernel launches, a ")
        .append(artifact.plan().arenaBytes()).append("-byte device arena and ")
        .append(artifact.plan().weightFloats()).append(" weight floats.\n")
        .append(" * The program (").append(name).append(".cl), its launch plan (").append(name)
        .append(".clplan.json) and the weights (").append(name).append(".weights) are resources beside\n")
        .append(" * this class.\n */\n")
        .append("public final class ").append(name).append(" {\n")
        .append("  private ").append(name).append("() {}\n\n")
        .append("  /** Builds the program (or takes it from the binary cache) and uploads the weights. */\n")
        .append("  public static OpenClModel load(OpenClContext context) {\n")
        .append("    return OpenClModel.fromResources(context, ").append(name).append(".class, \"")
        .append(name).append("\");\n")
        .append("  }\n}\n");
    return sb.toString();
  }

  /** Puts a compiled model on a device without writing files (what {@code kiln run --target opencl} does). */
  public static OpenClModel load(OpenClContext context, OpenClArtifact artifact) {
    return OpenClModel.load(context, artifact.plan(), artifact.source(), artifact.weights());
  }
}
