package dev.kiln.compiler.codegen;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kiln.compiler.api.CompileOptions;
import dev.kiln.compiler.api.Compiler;
import dev.kiln.compiler.exec.ProgramModel;
import dev.kiln.compiler.importer.ImportOptions;
import dev.kiln.compiler.importer.onnx.OnnxImporter;
import dev.kiln.compiler.lower.Program;
import dev.kiln.compiler.select.MachineProfile;
import dev.kiln.compiler.testing.Attr;
import dev.kiln.compiler.testing.ModelBuilder;
import dev.kiln.compiler.testing.Tensors;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.objectweb.asm.ClassReader;
import org.objectweb.asm.util.Textifier;
import org.objectweb.asm.util.TraceClassVisitor;

/**
 * Golden files for a small model's generated source and a Textifier dump of its bytecode, in
 * {@code src/test/resources/golden/}. After an intended change to the generated code, regenerate
 * them and review the diff:
 *
 * <pre>
 * ./mvnw -pl runtime-min,compiler verify -Dtest=GoldenTest -Dsurefire.failIfNoSpecifiedTests=false -Dkiln.updateGolden=true
 * </pre>
 */
class GoldenTest {
  private static final Path GOLDEN = Path.of("src", "test", "resources", "golden");
  private static final Path DOC = Path.of("..", "docs", "generated-code.md");

  /** conv 3x3 + bias -> relu -> max pool 2x2 -> flatten -> gemm + bias; seeded weights. */
  static byte[] tinyNet() {
    return new ModelBuilder(13)
        .input("image", 1, 3, 8, 8)
        .initializer("conv.weight", Tensors.random(11, 4, 3, 3, 3))
        .initializer("conv.bias", Tensors.random(12, 4))
        .initializer("fc.weight", Tensors.random(13, 10, 64))
        .initializer("fc.bias", Tensors.random(14, 10))
        .namedNode("conv", "Conv", List.of("image", "conv.weight", "conv.bias"), List.of("c"),
            Attr.ints("pads", 1, 1, 1, 1))
        .namedNode("relu", "Relu", List.of("c"), List.of("r"))
        .namedNode("pool", "MaxPool", List.of("r"), List.of("p"), Attr.ints("kernel_shape", 2, 2),
            Attr.ints("strides", 2, 2))
        .namedNode("flatten", "Flatten", List.of("p"), List.of("f"))
        .namedNode("fc", "Gemm", List.of("f", "fc.weight", "fc.bias"), List.of("logits"),
            Attr.i("transB", 1))
        .output("logits")
        .build().toByteArray();
  }

  static Program tinyNetProgram() {
    return Compiler.compile(OnnxImporter.read(tinyNet(), "tiny_net.onnx", ImportOptions.DEFAULTS),
        // Pinned: the workspace (and so every offset) depends on the threads compiled for, the
        // algorithms and their reasons on the machine profile.
        CompileOptions.builder().threads(1).machineProfile(MachineProfile.BUILT_IN).build())
        .program();
  }

  static CodegenOptions tinyNetOptions() {
    return CodegenOptions.of("dev.kiln.golden", "TinyNet")
        .withModel("tiny_net.onnx", sha256(tinyNet()))
        .withKilnVersion("(golden)");
  }

  @Test
  void sourceMatchesGoldenFile() throws IOException {
    GeneratedModel g = Codegen.generate(tinyNetProgram(), Target.JAVA, tinyNetOptions());
    assertGolden("TinyNet.java.txt", g.source());
  }

  @Test
  void bytecodeMatchesGoldenTextifierDump() throws IOException {
    GeneratedModel g = Codegen.generate(tinyNetProgram(), Target.BYTECODE, tinyNetOptions());
    assertGolden("TinyNet.class.txt", textify(g.classes()));
  }

  @Test
  void goldenModelRunsTheSameFromSourceAndBytecode() {
    Program program = tinyNetProgram();
    GeneratedModel source = Codegen.generate(program, Target.JAVA, tinyNetOptions());
    GeneratedModel bytecode = Codegen.generate(program, Target.BYTECODE, tinyNetOptions());
    float[] input = Tensors.random(15, 1, 3, 8, 8).toFloatArray();
    float[] expected = new ProgramModel(program).run(input);
    Bits.assertBitIdentical(expected, GeneratedClasses.loadSource(source).run(input), "source");
    Bits.assertBitIdentical(expected, GeneratedClasses.loadBytecode(bytecode).run(input), "bytecode");
    assertEquals(ClassStructure.of(GeneratedClasses.loadClass(source, GeneratedClasses.compile(source))),
        ClassStructure.of(GeneratedClasses.loadClass(bytecode, bytecode.classes())),
        "both backends declare the same members");
  }

  /** Every code excerpt in docs/generated-code.md marked as from the golden file occurs in it. */
  @Test
  void documentationExcerptsComeFromTheGoldenFile() throws IOException {
    String doc = Files.readString(DOC);
    String golden = Files.readString(GOLDEN.resolve("TinyNet.java.txt"));
    Matcher m = Pattern.compile("<!-- excerpt of TinyNet\\.java\\.txt -->\\s*```java\\n(.*?)```",
        Pattern.DOTALL).matcher(doc);
    List<String> excerpts = new ArrayList<>();
    while (m.find()) {
      excerpts.add(m.group(1));
    }
    assertFalse(excerpts.isEmpty(), "docs/generated-code.md has excerpts to check");
    for (String excerpt : excerpts) {
      for (String part : excerpt.split("\\n\\s*// \\.\\.\\.\\n")) {
        assertTrue(golden.contains(part), "docs/generated-code.md excerpt not in the golden file:\n"
            + part);
      }
    }
  }

  static String textify(Map<String, byte[]> classes) {
    StringWriter out = new StringWriter();
    for (byte[] bytes : classes.values()) {
      new ClassReader(bytes).accept(new TraceClassVisitor(null, new Textifier(), new PrintWriter(out)), 0);
    }
    return out.toString();
  }

  private static void assertGolden(String name, String actual) throws IOException {
    Path file = GOLDEN.resolve(name);
    if (Boolean.getBoolean("kiln.updateGolden")) {
      Files.createDirectories(GOLDEN);
      Files.writeString(file, actual, StandardCharsets.UTF_8);
      return;
    }
    assertTrue(Files.exists(file), file + " is missing; generate it with -Dkiln.updateGolden=true");
    assertEquals(Files.readString(file, StandardCharsets.UTF_8), actual,
        name + " changed; if intended, regenerate with -Dkiln.updateGolden=true and review the diff");
  }

  static String sha256(byte[] bytes) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
    } catch (java.security.NoSuchAlgorithmException e) {
      throw new AssertionError(e);
    }
  }
}
