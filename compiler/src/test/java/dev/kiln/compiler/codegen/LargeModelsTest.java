package dev.kiln.compiler.codegen;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kiln.compiler.api.CompileOptions;
import dev.kiln.compiler.api.Compiler;
import dev.kiln.compiler.exec.ProgramModel;
import dev.kiln.compiler.importer.ImportOptions;
import dev.kiln.compiler.importer.onnx.OnnxImporter;
import dev.kiln.compiler.lower.Program;
import dev.kiln.compiler.testing.ModelBuilder;
import dev.kiln.compiler.testing.Tensors;
import dev.kiln.runtime.KilnModel;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Models that break naive model-to-bytecode tools: thousands of layers (64 KiB per method, 65,535
 * constant-pool entries, initializers that grow with the layer count) and 100 MB of weights (which
 * never go into the class file).
 */
class LargeModelsTest {
  /** Well under the JVM's 65,535 bytes: "no method near the limit". */
  private static final int MAX_CODE_BYTES = 32 * 1024;
  private static final int MAX_CONSTANT_POOL = 40_000;

  @TempDir Path dir;

  @Test
  void thousandsOfLayersAreSplitIntoPartsWithinClassFileLimits() {
    int blocks = 1_500;
    ModelBuilder b = new ModelBuilder(13).input("x", 1, 2, 3, 3);
    String x = "x";
    for (int i = 0; i < blocks; i++) {
      b.initializer("w" + i, Tensors.random(i, 2, 2, 1, 1)).initializer("b" + i, Tensors.random(-i - 1, 2));
      b.namedNode("conv" + i, "Conv", List.of(x, "w" + i, "b" + i), List.of("c" + i));
      b.namedNode("act" + i, i % 2 == 0 ? "Relu" : "Tanh", List.of("c" + i), List.of("a" + i));
      x = "a" + i;
    }
    b.namedNode("sum", "Add", List.of(x, "a0"), List.of("y")).output("y");
    Program program = Compiler.compile(OnnxImporter.read(b.build().toByteArray(), "deep.onnx",
        ImportOptions.DEFAULTS), CompileOptions.builder().optimize(false).build()).program();
    CodegenOptions options = CodegenOptions.of("dev.kiln.generated.deep", "Deep");

    GeneratedModel bytecode = Codegen.generate(program, Target.BYTECODE, options);
    GeneratedModel source = Codegen.generate(program, Target.JAVA, options);
    assertTrue(bytecode.layout().parts().size() > 1, "split into parts: " + bytecode.layout());
    assertEquals(2 * blocks + 1, bytecode.layout().parts().stream().mapToInt(p -> p.layers().size()).sum());
    Map<String, byte[]> compiled = GeneratedClasses.compile(source);
    assertEquals(bytecode.classes().keySet(), compiled.keySet(), "the same classes from both backends");
    for (Map<String, byte[]> classes : List.of(bytecode.classes(), compiled)) {
      classes.forEach((name, bytes) -> {
        ClassFileStats stats = ClassFileStats.of(bytes);
        assertTrue(stats.maxCodeLength() < MAX_CODE_BYTES, name + ": " + stats.codeLengths());
        assertTrue(stats.constantPoolCount() < MAX_CONSTANT_POOL, name + ": " + stats.constantPoolCount());
      });
    }

    float[] input = Tensors.random(99, 1, 2, 3, 3).toFloatArray();
    float[] expected = new ProgramModel(program).run(input);
    KilnModel fromSource = GeneratedClasses.instantiate(source, compiled);
    KilnModel fromBytecode = GeneratedClasses.loadBytecode(bytecode);
    Bits.assertBitIdentical(expected, fromSource.run(input), "source");
    Bits.assertBitIdentical(expected, fromBytecode.run(input), "bytecode");
    // Split models time their layers part by part, each at its index in the whole model.
    ProfiledExecuteTest.assertProfiles(fromSource, program, input, "source");
    ProfiledExecuteTest.assertProfiles(fromBytecode, program, input, "bytecode");
    assertEquals(ClassStructure.of(GeneratedClasses.loadClass(source, compiled)),
        ClassStructure.of(GeneratedClasses.loadClass(bytecode, bytecode.classes())));
  }

  /**
   * 100 MB of weights (4 wide 1x1 convolutions, 2,500 channels each): written to disk, loaded from
   * the class path and through the weights-file constructor.
   */
  @Test
  void hundredMegabyteModelCompilesAndLoadsFromDisk() throws Exception {
    int channels = 2_500;
    ModelBuilder b = new ModelBuilder(13).input("x", 1, channels, 1, 1);
    String x = "x";
    for (int i = 0; i < 4; i++) {
      b.initializer("w" + i, Tensors.uniform(i, -0.02f, 0.02f, channels, channels, 1, 1));
      b.namedNode("conv" + i, "Conv", List.of(x, "w" + i), List.of("c" + i));
      x = "c" + i;
    }
    b.output(x);
    Program program = Compiler.compile(OnnxImporter.read(b.build().toByteArray(), "wide.onnx",
        ImportOptions.DEFAULTS), CompileOptions.DEFAULTS).program();
    assertTrue(program.weightFloats() * 4L >= 100_000_000L, "weights: " + program.weightFloats());

    GeneratedModel g = Codegen.generate(program, Target.BYTECODE, CodegenOptions.of("wide", "Wide"));
    for (byte[] bytes : g.code().values()) {
      assertTrue(bytes.length < 64 * 1024, "the class file holds no weights: " + bytes.length + " bytes");
    }
    g.writeTo(dir);
    Path weightsFile = dir.resolve("wide/Wide.weights");
    assertEquals(program.weightFloats() * 4L, Files.size(weightsFile));

    float[] input = Tensors.random(5, 1, channels, 1, 1).toFloatArray();
    float[] expected = new ProgramModel(program).run(input);
    try (URLClassLoader loader = new URLClassLoader(new URL[] {dir.toUri().toURL()},
        getClass().getClassLoader())) {
      GeneratedClasses.checkClass(g.code().get("wide/Wide.class"), loader);
      Class<?> c = Class.forName("wide.Wide", true, loader);
      try (KilnModel fromClassPath = (KilnModel) c.getConstructor().newInstance()) {
        Bits.assertBitIdentical(expected, fromClassPath.run(input), "class-path weights");
      }
      try (KilnModel fromFile = (KilnModel) c.getConstructor(Path.class).newInstance(weightsFile)) {
        Bits.assertBitIdentical(expected, fromFile.run(input), "weights file");
      }
    }
  }
}
