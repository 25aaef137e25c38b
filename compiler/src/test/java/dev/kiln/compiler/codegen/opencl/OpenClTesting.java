package dev.kiln.compiler.codegen.opencl;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.kiln.compiler.api.CompileOptions;
import dev.kiln.compiler.api.CompileResult;
import dev.kiln.compiler.api.Compiler;
import dev.kiln.compiler.exec.ProgramModel;
import dev.kiln.compiler.ir.Graph;
import dev.kiln.compiler.ir.Tensor;
import dev.kiln.compiler.lower.Program;
import dev.kiln.compiler.testing.TensorAssert;
import dev.kiln.runtime.opencl.OpenClContext;
import dev.kiln.runtime.opencl.OpenClModel;
import java.util.LinkedHashMap;
import java.util.Map;

/** What the OpenCL tests share: one device context for the whole run, and comparisons. */
final class OpenClTesting {
  /** The bound for the device against ONNX Runtime: 1e-3 · max(1, max|expected|). */
  static final double TOLERANCE = 1e-3;

  private OpenClTesting() {}

  private static final class Shared {
    /** Profiling on, so the profile tests can use it too; closed when the JVM exits. */
    static final OpenClContext CONTEXT = OpenClContext.create(OpenClContext.Options.DEFAULTS.withProfiling(true));
  }

  /** Skips the calling test, saying why, when this machine has no usable OpenCL platform. */
  static void assumeOpenCl() {
    String reason = OpenClContext.unavailableReason();
    assumeTrue(reason == null, () -> "OpenCL tests skipped: " + reason
        + " (.ci/run installs PoCL, a CPU platform, so CI always runs them)");
  }

  /** The run's shared context; skips the test when OpenCL is unavailable. */
  static OpenClContext context() {
    assumeOpenCl();
    return Shared.CONTEXT;
  }

  static CompileResult compile(Graph graph) {
    return OpenClBackend.compile(graph, CompileOptions.DEFAULTS);
  }

  static OpenClModel load(CompileResult result) {
    return OpenClBackend.load(context(), OpenClBackend.generate(result, "Test"));
  }

  /** The outputs of the graph's plain CPU program (reference kernels, direct convolution). */
  static Map<String, float[]> cpu(Graph graph, Map<String, float[]> inputs) {
    return cpu(Compiler.compile(graph, CompileOptions.DEFAULTS).program(), inputs);
  }

  static Map<String, float[]> cpu(Program program, Map<String, float[]> inputs) {
    try (ProgramModel model = new ProgramModel(program)) {
      return model.run(inputs);
    }
  }

  static Map<String, float[]> floats(Map<String, Tensor> tensors) {
    Map<String, float[]> out = new LinkedHashMap<>();
    tensors.forEach((k, v) -> out.put(k, v.toFloatArray()));
    return out;
  }

  /** Every output of {@code actual} against {@code expected}, within {@code tolerance} of each's scale. */
  static void assertOutputsClose(Map<String, float[]> expected, Map<String, float[]> actual, double tolerance,
      String context) {
    if (!expected.keySet().equals(actual.keySet())) {
      throw new AssertionError(context + ": outputs " + actual.keySet() + ", expected " + expected.keySet());
    }
    for (String name : expected.keySet()) {
      float[] e = expected.get(name);
      float[] a = actual.get(name);
      TensorAssert.assertClose(Tensor.adopt(dev.kiln.compiler.ir.Shape.of(e.length), e),
          Tensor.adopt(dev.kiln.compiler.ir.Shape.of(a.length), a), tolerance, context + ", output '" + name + "'");
    }
  }
}
