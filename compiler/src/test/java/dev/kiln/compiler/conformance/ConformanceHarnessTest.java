package dev.kiln.compiler.conformance;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kiln.compiler.conformance.ConformanceCase.Result;
import dev.kiln.compiler.conformance.ConformanceCase.Status;
import dev.kiln.compiler.importer.onnx.OnnxTensors;
import dev.kiln.compiler.importer.onnx.proto.OnnxProto.ModelProto;
import dev.kiln.compiler.ir.DType;
import dev.kiln.compiler.ir.Shape;
import dev.kiln.compiler.ir.Tensor;
import dev.kiln.compiler.ir.TensorType;
import dev.kiln.compiler.ops.OpRegistry;
import dev.kiln.compiler.testing.ModelBuilder;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The conformance harness itself, on cases written to a temporary folder: it must tell a pass from
 * a wrong answer, classify what does not apply, and keep the exclusion bookkeeping honest, or the
 * real suite could pass without checking anything.
 */
class ConformanceHarnessTest {
  @TempDir Path root;

  private static final Tensor X = Tensor.ofFloats(Shape.of(2, 3), -2, -1, 5, 0.5f, 3, -0.25f);
  private static final Tensor RELU_X = Tensor.ofFloats(Shape.of(2, 3), 0, 0, 5, 0.5f, 3, 0);

  private static ModelProto relu(int opset) {
    return new ModelBuilder(opset)
        .input("x", 2, 3)
        .node("Relu", List.of("x"), List.of("y"))
        .output("y")
        .build();
  }

  private ConformanceCase write(String name, ModelProto model, List<Tensor> inputs,
      List<Tensor> outputs) throws IOException {
    Path dir = root.resolve(name);
    Path set = dir.resolve("test_data_set_0");
    Files.createDirectories(set);
    Files.write(dir.resolve("model.onnx"), model.toByteArray());
    for (int k = 0; k < inputs.size(); k++) {
      Files.write(set.resolve("input_" + k + ".pb"),
          OnnxTensors.encode("in" + k, inputs.get(k)).toByteArray());
    }
    for (int k = 0; k < outputs.size(); k++) {
      Files.write(set.resolve("output_" + k + ".pb"),
          OnnxTensors.encode("out" + k, outputs.get(k)).toByteArray());
    }
    return ConformanceCase.load(dir);
  }

  @Test
  void aCorrectCasePasses() throws IOException {
    Result r = write("test_relu", relu(13), List.of(X), List.of(RELU_X)).run();
    assertEquals(Status.PASS, r.status(), r.detail());
    assertEquals("", r.detail());
  }

  @Test
  void aWrongOutputFailsNamingTheFirstBadElement() throws IOException {
    Tensor wrong = Tensor.ofFloats(Shape.of(2, 3), 0, 0, 4, 0.5f, 3, 0);
    Result r = write("test_relu", relu(13), List.of(X), List.of(wrong)).run();
    assertEquals(Status.FAIL, r.status());
    assertFalse(r.crashed());
    assertEquals("test_data_set_0: output 0 'y': 1 of 6 elements differ (rtol 1e-3, atol 1e-7);"
        + " first at flat index 2: expected 4.0, got 5.0", r.detail());
  }

  @Test
  void anImportErrorFailsWithKilnsMessage() throws IOException {
    ModelProto model = new ModelBuilder(13)
        .input("a", 1, 3)
        .input("b", 1, 4)
        .node("Add", List.of("a", "b"), List.of("y"))
        .output("y")
        .build();
    Result r = write("test_add_bad", model,
        List.of(Tensor.zeros(TensorType.float32(1, 3)), Tensor.zeros(TensorType.float32(1, 4))),
        List.of(X)).run();
    assertEquals(Status.FAIL, r.status());
    assertFalse(r.crashed());
    assertEquals("model.onnx: node 'Add_0' (Add, opset 13): shapes [1,3] and [1,4] cannot be"
        + " broadcast together", r.detail());
  }

  @Test
  void anUnknownOperatorIsNotApplicable() throws IOException {
    ModelProto model = new ModelBuilder(13)
        .input("x", 2, 3)
        .node("KilnNoSuchOp", List.of("x"), List.of("y"))
        .output("y")
        .build();
    Result r = write("test_nosuch", model, List.of(X), List.of(X)).run();
    assertEquals(Status.NOT_APPLICABLE, r.status());
    assertEquals("unsupported operator KilnNoSuchOp", r.detail());
  }

  @Test
  void anOpsetKilnDoesNotImportIsNotApplicable() throws IOException {
    int old = OpRegistry.MIN_OPSET - 1;
    Result r = write("test_relu_old", relu(old), List.of(X), List.of(RELU_X)).run();
    assertEquals(Status.NOT_APPLICABLE, r.status());
    assertEquals("opset " + old + " is outside the opsets " + OpRegistry.MIN_OPSET + " to "
        + OpRegistry.MAX_OPSET + " Kiln imports", r.detail());
  }

  @Test
  void anOperandNeededAtCompileTimeIsFrozenAndRetried() throws IOException {
    ModelProto model = new ModelBuilder(14)
        .input("data", 2, 3)
        .input("shape", DType.INT64, 2)
        .node("Reshape", List.of("data", "shape"), List.of("y"))
        .output("y")
        .build();
    Tensor reshaped = Tensor.ofFloats(Shape.of(3, 2), -2, -1, 5, 0.5f, 3, -0.25f);
    Result r = write("test_reshape", model, List.of(X, Tensor.int64Vector(3, 2)),
        List.of(reshaped)).run();
    assertEquals(Status.PASS, r.status(), r.detail());
    assertEquals("passes with input(s) [shape] given as initializers", r.detail());
  }

  @Test
  void comparisonUsesOnnxTolerance() {
    Tensor expected = Tensor.ofFloats(Shape.of(3), 1000f, 0f, Float.NaN);
    assertNull(ConformanceCase.compare(expected, Tensor.ofFloats(Shape.of(3), 1000.99f, 0f,
        Float.NaN)));
    assertEquals("1 of 3 elements differ (rtol 1e-3, atol 1e-7); first at flat index 0: expected"
        + " 1000.0, got 1001.02", ConformanceCase.compare(expected,
            Tensor.ofFloats(Shape.of(3), 1001.02f, 0f, Float.NaN)));
    assertEquals("1 of 3 elements differ (rtol 1e-3, atol 1e-7); first at flat index 1: expected"
        + " 0.0, got 1.0E-6", ConformanceCase.compare(expected,
            Tensor.ofFloats(Shape.of(3), 1000f, 1e-6f, Float.NaN)));
    assertEquals("1 of 3 elements differ (rtol 1e-3, atol 1e-7); first at flat index 2: expected"
        + " NaN, got 0.0", ConformanceCase.compare(expected,
            Tensor.ofFloats(Shape.of(3), 1000f, 0f, 0f)));
  }

  @Test
  void integerOutputsMustMatchExactlyAndTypesMustAgree() {
    Tensor expected = Tensor.int64Vector(1, 2, 3);
    assertNull(ConformanceCase.compare(expected, Tensor.int64Vector(1, 2, 3)));
    assertEquals("1 of 3 elements differ (rtol 1e-3, atol 1e-7); first at flat index 2: expected"
        + " 3, got 4", ConformanceCase.compare(expected, Tensor.int64Vector(1, 2, 4)));
    assertEquals("expected int64[3] but got float32[3]", ConformanceCase.compare(expected,
        Tensor.ofFloats(Shape.of(3), 1, 2, 3)));
  }

  /** A case on disk, for results made up by the test. */
  private ConformanceCase named(String name) throws IOException {
    return write(name, relu(13), List.of(X), List.of(RELU_X));
  }

  private static void put(Map<String, Result> results, Result r) {
    results.put(r.name(), r);
  }

  @Test
  void staleExclusionsAreReported() throws IOException {
    Map<String, Result> results = new LinkedHashMap<>();
    put(results, new Result(named("test_pass"), Status.PASS, "", false));
    put(results, new Result(named("test_na"), Status.NOT_APPLICABLE, "unsupported operator Foo",
        false));
    put(results, new Result(named("test_fail"), Status.FAIL, "float64", false));
    Map<String, String> exclusions = new LinkedHashMap<>();
    exclusions.put("test_pass", "x");
    exclusions.put("test_na", "x");
    exclusions.put("test_fail", "x");
    exclusions.put("test_gone", "x");
    assertEquals(List.of(
        "test_pass: passes now",
        "test_na: not applicable (unsupported operator Foo), so it needs no exclusion",
        "test_gone: no such case"), OnnxConformanceTest.staleExclusions(results, exclusions));
  }

  @Test
  void noExclusionExcusesACrash() throws IOException {
    Map<String, Result> results = new LinkedHashMap<>();
    put(results, new Result(named("test_excluded"), Status.FAIL, "float64", false));
    put(results, new Result(named("test_new"), Status.FAIL, "wrong", false));
    put(results, new Result(named("test_crash"), Status.FAIL, "internal error: NPE", true));
    Map<String, String> exclusions = Map.of("test_excluded", "x", "test_crash", "x");
    assertEquals(List.of("test_new: wrong", "test_crash: CRASH internal error: NPE"),
        OnnxConformanceTest.unexcusedFailures(results, exclusions));
  }

  @Test
  void theDocCountsEachCaseForEveryOperatorItUses() throws IOException {
    ConformanceCase old = write("test_relu_old", relu(OpRegistry.MIN_OPSET - 1), List.of(X),
        List.of(RELU_X));
    List<Result> results = List.of(
        new Result(named("test_relu"), Status.PASS, "", false),
        new Result(named("test_relu_double"), Status.FAIL, "float64", false),
        new Result(named("test_relu_wrong"), Status.FAIL, "wrong", false),
        new Result(old, Status.NOT_APPLICABLE, "old opset", false));
    String doc = OpsDoc.render(results, Map.of("Relu", "6, 13, 14 | float32"),
        Map.of("test_relu_double", "float64 is not supported"), "test data");
    assertTrue(doc.contains("\n4 node test cases: 3 applicable, of which 1 pass and 1 are excluded"
        + " (1 fail without an exclusion); 0 need an operator Kiln does not support and 1 use an"
        + " opset outside "), doc);
    assertTrue(doc.contains("\n| Relu | 6, 13, 14 | 1 / 3; 1 more at opsets Kiln does not import"
        + " | 1 | float32 |\n"), doc);
    assertTrue(doc.contains("\n### Relu\n\n- `test_relu_double`: float64 is not supported\n"), doc);
    assertTrue(doc.contains("\n## Failing cases without an exclusion\n"), doc);
    assertTrue(doc.contains("\n- `test_relu_wrong`: wrong\n"), doc);
    assertTrue(doc.contains("\n| Conv | ? | 0 / 0 | 0 | (no entry in ops-notes.txt) |\n"), doc);
  }

  @Test
  void keyedLinesRejectDuplicatesAndMalformedLines() {
    assertEquals(Map.of("a", "one", "b", "two: three"),
        KeyedLines.parse("# comment\n\na: one\n  b : two: three  \n", "f.txt"));
    IllegalStateException dup = assertThrows(IllegalStateException.class,
        () -> KeyedLines.parse("a: one\na: two\n", "f.txt"));
    assertEquals("f.txt:2: 'a' is listed twice", dup.getMessage());
    IllegalStateException bad = assertThrows(IllegalStateException.class,
        () -> KeyedLines.parse("a: one\njust words\n", "f.txt"));
    assertEquals("f.txt:2: expected 'key: value', got 'just words'", bad.getMessage());
    IllegalStateException empty = assertThrows(IllegalStateException.class,
        () -> KeyedLines.parse("a:\n", "f.txt"));
    assertEquals("f.txt:1: expected 'key: value', got 'a:'", empty.getMessage());
  }
}
