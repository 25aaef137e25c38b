package dev.kiln.compiler.lower;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kiln.compiler.api.CompileOptions;
import dev.kiln.compiler.api.CompileResult;
import dev.kiln.compiler.api.Compiler;
import dev.kiln.compiler.exec.ProgramModel;
import dev.kiln.compiler.io.Npy;
import dev.kiln.compiler.ir.Tensor;
import dev.kiln.compiler.testing.SharedModels;
import dev.kiln.compiler.testing.TensorAssert;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.FieldSource;

/** The whole pipeline on the real models: optimized, planned, lowered, run as a model. */
class LoweringSharedModelsTest {
  static final List<String> MODELS = SharedModels.ALL;

  @ParameterizedTest
  @FieldSource("MODELS")
  void compiledProgramMatchesOnnxRuntime(String model) {
    Path dir = SharedModels.dir(model);
    CompileResult result = Compiler.compile(dir.resolve("model.onnx"), CompileOptions.DEFAULTS);
    assertTrue(result.plan().arenaBytes() <= 1.05 * result.plan().lowerBoundBytes(), result.plan().toString());
    Tensor input = Npy.read(dir.resolve("input.npy"));
    Tensor expected = Npy.read(dir.resolve("expected_ort.npy"));
    try (ProgramModel m = new ProgramModel(result.program())) {
      float[] actual = m.run(input.toFloatArray());
      TensorAssert.assertClose(expected, Tensor.adopt(expected.shape(), actual), 1e-4, model);
    }
  }
}
