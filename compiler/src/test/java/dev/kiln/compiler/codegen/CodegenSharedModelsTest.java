package dev.kiln.compiler.codegen;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.kiln.compiler.api.CompileOptions;
import dev.kiln.compiler.api.Compiler;
import dev.kiln.compiler.exec.ProgramModel;
import dev.kiln.compiler.io.Npy;
import dev.kiln.compiler.ir.Tensor;
import dev.kiln.compiler.lower.Program;
import dev.kiln.compiler.testing.SharedModels;
import dev.kiln.compiler.testing.TensorAssert;
import dev.kiln.runtime.KilnModel;
import dev.kiln.runtime.TensorInfo;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.FieldSource;

/**
 * Every real exported model compiled to both targets, loaded, run and compared: with ONNX Runtime's
 * output within tolerance, and with the program interpreter and each other bit for bit.
 */
class CodegenSharedModelsTest {
  static final List<String> MODELS = SharedModels.ALL;

  @ParameterizedTest
  @FieldSource("MODELS")
  void bothTargetsMatchOnnxRuntimeAndEachOtherBitForBit(String model) {
    Path dir = SharedModels.dir(model);
    Program program = SharedModelPrograms.compileOrSkip(dir.resolve("model.onnx"));
    CodegenOptions options = CodegenOptions.of("dev.kiln.generated",
        JavaNames.classNameFromFile(model + ".onnx"));
    KilnModel source = GeneratedClasses.loadSource(Codegen.generate(program, Target.JAVA, options));
    KilnModel bytecode = GeneratedClasses.loadBytecode(
        Codegen.generate(program, Target.BYTECODE, options));
    Tensor input = Npy.read(dir.resolve("input.npy"));
    Tensor expected = Npy.read(dir.resolve("expected_ort.npy"));

    float[] interpreted = new ProgramModel(program).run(input.toFloatArray());
    float[] fromSource = source.run(input.toFloatArray());
    float[] fromBytecode = bytecode.run(input.toFloatArray());

    TensorAssert.assertClose(expected, Tensor.adopt(expected.shape(), fromSource), 1e-4, model);
    Bits.assertBitIdentical(interpreted, fromSource, model + " source vs interpreter");
    Bits.assertBitIdentical(fromSource, fromBytecode, model + " bytecode vs source");
    for (KilnModel m : List.of(source, bytecode)) {
      assertEquals(describe(program), describe(m), model);
    }
  }

  private static String describe(Program p) {
    StringBuilder sb = new StringBuilder(p.name());
    p.inputs().forEach(s -> sb.append(" in ").append(s.name()).append(java.util.Arrays.toString(s.shape())));
    p.outputs().forEach(s -> sb.append(" out ").append(s.name()).append(java.util.Arrays.toString(s.shape())));
    return sb.append(" arena ").append(p.arenaFloats()).toString();
  }

  private static String describe(KilnModel m) {
    StringBuilder sb = new StringBuilder(m.name());
    for (TensorInfo t : m.inputs()) {
      sb.append(" in ").append(t.name()).append(java.util.Arrays.toString(t.shape()));
    }
    for (TensorInfo t : m.outputs()) {
      sb.append(" out ").append(t.name()).append(java.util.Arrays.toString(t.shape()));
    }
    return sb.append(" arena ").append(m.arenaFloats()).toString();
  }
}
