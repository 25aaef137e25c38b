package dev.kiln.compiler.codegen.opencl;

import static dev.kiln.compiler.codegen.opencl.OpenClTesting.TOLERANCE;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.kiln.compiler.KilnException;
import dev.kiln.compiler.api.CompileOptions;
import dev.kiln.compiler.api.CompileResult;
import dev.kiln.compiler.exec.ProgramModel;
import dev.kiln.compiler.io.Npy;
import dev.kiln.compiler.ir.Tensor;
import dev.kiln.compiler.lower.Program;
import dev.kiln.compiler.testing.SharedModels;
import dev.kiln.compiler.testing.TensorAssert;
import dev.kiln.runtime.opencl.OpenClModel;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.FieldSource;

/**
 * Every shared model through the OpenCL target, against ONNX Runtime's output within
 * {@code 1e-3 · max(1, max|expected|)}: on PoCL here and in CI, on a GPU wherever one is present
 * ({@code KILN_OPENCL_DEVICE} picks it).
 */
class OpenClSharedModelsTest {
  static final List<String> MODELS = SharedModels.ALL;

  /** Compiles for the device; skips (saying why) a model the lowering cannot compile yet. */
  private static CompileResult compile(Path dir, String model) {
    try {
      return OpenClBackend.compile(dir.resolve("model.onnx"), CompileOptions.DEFAULTS);
    } catch (KilnException e) {
      // Only the lowering's own gaps skip: an OpenCL generation failure comes later and fails.
      assumeTrue(!e.getMessage().contains("code generation does not support this operator"),
          () -> model + ": skipped until the lowering supports it: " + e.getMessage());
      throw e;
    }
  }

  @ParameterizedTest
  @FieldSource("MODELS")
  void matchesOnnxRuntimeOnTheDevice(String model) {
    OpenClTesting.assumeOpenCl();
    Path dir = SharedModels.dir(model);
    CompileResult result = compile(dir, model);
    Tensor input = Npy.read(dir.resolve("input.npy"));
    Tensor expected = Npy.read(dir.resolve("expected_ort.npy"));
    Program program = result.program();
    try (OpenClModel device = OpenClTesting.load(result)) {
      float[] out = device.run(Map.of(program.inputs().get(0).name(), input.toFloatArray()))
          .get(program.outputs().get(0).name());
      TensorAssert.assertClose(expected, Tensor.adopt(expected.shape(), out), TOLERANCE,
          model + " on " + device.context().describe());
    }
  }

  /** The device program (Winograd weights, workspaces) run by the CPU interpreter: no device needed. */
  @ParameterizedTest
  @FieldSource("MODELS")
  void deviceProgramMatchesOnnxRuntimeOnTheCpu(String model) {
    Path dir = SharedModels.dir(model);
    CompileResult result = compile(dir, model);
    Tensor input = Npy.read(dir.resolve("input.npy"));
    Tensor expected = Npy.read(dir.resolve("expected_ort.npy"));
    try (ProgramModel cpu = new ProgramModel(result.program())) {
      float[] out = cpu.run(input.toFloatArray());
      TensorAssert.assertClose(expected, Tensor.adopt(expected.shape(), out), 1e-4, model + " (device program on the CPU)");
    }
  }
}
