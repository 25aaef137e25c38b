package dev.kiln.compiler.codegen;

import dev.kiln.compiler.codegen.bytecode.BytecodeGenerator;
import dev.kiln.compiler.codegen.java.JavaSourceGenerator;
import dev.kiln.compiler.lower.Program;
import dev.kiln.compiler.memory.MemoryPlanJson;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;

/** The backends' entry point: a lowered program in, the files of a generated model out. */
public final class Codegen {
  private Codegen() {}

  public static GeneratedModel generate(Program program, Target target, CodegenOptions options) {
    long crc = WeightsFile.crc32(program.weights());
    ModelClass layout = ModelClass.of(program, options, crc);
    Map<String, byte[]> code = new LinkedHashMap<>();
    switch (target) {
      case JAVA -> code.put(options.pathBeside(".java"),
          JavaSourceGenerator.generate(layout).getBytes(StandardCharsets.UTF_8));
      case BYTECODE -> BytecodeGenerator.generate(layout)
          .forEach((internalName, bytes) -> code.put(internalName + ".class", bytes));
    }
    return new GeneratedModel(options, target, layout, code, program.weights(), crc,
        MemoryPlanJson.toString(program.plan()));
  }
}
