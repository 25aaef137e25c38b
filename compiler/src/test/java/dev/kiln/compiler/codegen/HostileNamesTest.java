package dev.kiln.compiler.codegen;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kiln.compiler.api.CompileOptions;
import dev.kiln.compiler.api.Compiler;
import dev.kiln.compiler.exec.ProgramModel;
import dev.kiln.compiler.importer.ImportOptions;
import dev.kiln.compiler.importer.onnx.OnnxImporter;
import dev.kiln.compiler.lower.Program;
import dev.kiln.compiler.testing.Attr;
import dev.kiln.compiler.testing.ModelBuilder;
import dev.kiln.compiler.testing.Tensors;
import dev.kiln.runtime.KilnModel;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * A model file is untrusted input: names that try to end a comment or a string, smuggle a line break
 * through a unicode escape, collide with keywords, or run to tens of thousands of characters must
 * give source that compiles, and a model that reports exactly those names and computes what the
 * interpreter computes.
 */
class HostileNamesTest {
  /** Ends a comment, opens code, breaks a line through a unicode escape javac would translate. */
  static final String COMMENT_BREAKER = "*/ static { System.exit(1); } /* \\u000a System.exit(2); \\";
  /** Ends a string literal and a comment, with a raw newline, a tab, NUL, a lone surrogate. */
  static final String STRING_BREAKER = "\"+System.exit(3)+\" */\n\r\t\u0000\u2028\u00e9\\u0022\\";
  /** 10,000 characters, mostly outside ASCII. */
  static final String LONG_NAME = "x".repeat(10) + "\u00e9\u20ac\ud83d\ude00*/\\u000a".repeat(1_000);
  /** Past one class-file constant (65,535 bytes of modified UTF-8): needs several literal pieces. */
  static final String HUGE_NAME = "\u20ac".repeat(40_000);

  @Test
  void hostileNamesCompileAndMeanWhatTheyShould() {
    byte[] onnx = new ModelBuilder(13)
        .input(STRING_BREAKER, 1, 2, 5, 5)
        .initializer(COMMENT_BREAKER, Tensors.random(1, 3, 2, 3, 3))
        .initializer(LONG_NAME, Tensors.random(2, 3))
        .namedNode(COMMENT_BREAKER, "Conv", List.of(STRING_BREAKER, COMMENT_BREAKER, LONG_NAME),
            List.of("class"), Attr.ints("pads", 1, 1, 1, 1))
        .namedNode("class", "Relu", List.of("class"), List.of("int"))
        .namedNode("int", "Add", List.of("int", "class"), List.of("_"))
        .namedNode(LONG_NAME, "Sigmoid", List.of("_"), List.of("\\u000a"))
        .namedNode("\\u000a", "Relu", List.of("\\u000a"), List.of("1 2"))
        .namedNode("yield", "Sigmoid", List.of("1 2"), List.of("yield"))
        .namedNode("", "Tanh", List.of("yield"), List.of(HUGE_NAME))
        .output(HUGE_NAME)
        .build().toByteArray();
    var graph = OnnxImporter.fromProto(
        dev.kiln.compiler.importer.onnx.proto.OnnxProto.ModelProto.newBuilder()
            .mergeFrom(parse(onnx)).setGraph(parse(onnx).getGraph().toBuilder().setName(COMMENT_BREAKER))
            .build(),
        "hostile.onnx", null, ImportOptions.DEFAULTS);
    Program program = Compiler.compile(graph, CompileOptions.DEFAULTS).program();
    CodegenOptions options = CodegenOptions.of("dev.kiln.generated.hostile", "Hostile")
        .withModel(STRING_BREAKER + ".onnx", COMMENT_BREAKER);

    GeneratedModel source = Codegen.generate(program, Target.JAVA, options);
    String text = source.source();
    assertTrue(text.replace("\u2014", "").chars().allMatch(c -> c < 0x80),
        "the source is ASCII apart from the header's dash");
    assertEquals(List.of(), dangerousEscapes(text), "no unicode escape javac would turn into a"
        + " line break, quote or backslash");

    float[] input = Tensors.random(3, 1, 2, 5, 5).toFloatArray();
    float[] expected = new ProgramModel(program).run(input);
    KilnModel fromSource = GeneratedClasses.loadSource(source);
    KilnModel fromBytecode = GeneratedClasses.loadBytecode(
        Codegen.generate(program, Target.BYTECODE, options));
    for (KilnModel m : List.of(fromSource, fromBytecode)) {
      assertEquals(COMMENT_BREAKER, m.name());
      assertEquals(STRING_BREAKER, m.inputs().get(0).name());
      assertEquals(HUGE_NAME, m.outputs().get(0).name());
      Bits.assertBitIdentical(expected, m.run(input), "hostile");
    }
  }

  /**
   * A lone surrogate cannot travel through protobuf (it becomes '?'), so it is tested on a program
   * built by hand: the string literal must still give exactly that UTF-16 sequence.
   */
  @Test
  void loneSurrogatesAndControlCharactersSurviveInNames() {
    String name = "\ud800 lone \udfff\u0000\u0001\u007f\u0085\ufffe\\";
    Program hand = HandMadePrograms.of(name, List.of(), 16, new float[0]);
    Program program = new Program(hand.name(), hand.calls(), hand.arenaFloats(), hand.maxThreads(), hand.weightsCopy(),
        List.of(new Program.IoSlot(name, new int[] {1}, 0)),
        List.of(new Program.IoSlot(name + "out", new int[] {16}, 0)), hand.plan());
    CodegenOptions options = CodegenOptions.of("", "Surrogates");
    for (KilnModel m : List.of(
        GeneratedClasses.loadSource(Codegen.generate(program, Target.JAVA, options)),
        GeneratedClasses.loadBytecode(Codegen.generate(program, Target.BYTECODE, options)))) {
      assertEquals(name, m.name());
      assertEquals(name, m.inputs().get(0).name());
      assertEquals(name + "out", m.outputs().get(0).name());
    }
  }

  /** Unicode escapes javac would translate (JLS 3.3) into a character that ends a line or a literal. */
  static List<String> dangerousEscapes(String source) {
    List<String> found = new java.util.ArrayList<>();
    int backslashes = 0;
    for (int i = 0; i < source.length(); i++) {
      char c = source.charAt(i);
      if (c == 'u' && backslashes % 2 == 1) {
        int j = i;
        while (j < source.length() && source.charAt(j) == 'u') {
          j++;
        }
        String hex = source.substring(j, Math.min(source.length(), j + 4)).toLowerCase(java.util.Locale.ROOT);
        if (List.of("000a", "000d", "0022", "005c", "002a", "002f").contains(hex)) {
          found.add(source.substring(Math.max(0, i - 20), Math.min(source.length(), j + 24)));
        }
      }
      backslashes = c == '\\' ? backslashes + 1 : 0;
    }
    return found;
  }

  private static dev.kiln.compiler.importer.onnx.proto.OnnxProto.ModelProto parse(byte[] bytes) {
    try {
      return dev.kiln.compiler.importer.onnx.proto.OnnxProto.ModelProto.parseFrom(bytes);
    } catch (com.google.protobuf.InvalidProtocolBufferException e) {
      throw new AssertionError(e);
    }
  }
}
