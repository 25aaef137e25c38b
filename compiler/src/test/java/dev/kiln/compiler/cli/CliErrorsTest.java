package dev.kiln.compiler.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kiln.compiler.Version;
import dev.kiln.compiler.importer.onnx.proto.OnnxProto.ModelProto;
import dev.kiln.compiler.importer.onnx.proto.OnnxProto.StringStringEntryProto;
import dev.kiln.compiler.importer.onnx.proto.OnnxProto.TensorProto;
import dev.kiln.compiler.io.Npy;
import dev.kiln.compiler.ir.DType;
import dev.kiln.compiler.ir.Shape;
import dev.kiln.compiler.ir.Tensor;
import dev.kiln.compiler.ops.OpRegistry;
import dev.kiln.compiler.testing.ModelBuilder;
import dev.kiln.compiler.testing.Tensors;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What a user sees when something is wrong: exit status 1 and exactly one line on stderr, starting
 * with "kiln: " and naming the file (and the node and op where there is one), never a stack trace;
 * and the --output file neither created nor touched. Also the other exit statuses.
 */
class CliErrorsTest {
  @TempDir Path dir;

  private Path output;
  private Path input;

  /** The result of one {@code kiln} invocation. */
  record Result(int status, String out, String err) {}

  static Result kiln(String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    int status = Main.execute(args, new PrintWriter(out), new PrintWriter(err));
    return new Result(status, out.toString(), err.toString());
  }

  @BeforeEach
  void files() {
    output = dir.resolve("y.npy");
    input = dir.resolve("x.npy");
  }

  private static ModelBuilder relu() {
    return new ModelBuilder(13)
        .input("x", 1, 3)
        .namedNode("r", "Relu", List.of("x"), List.of("y"))
        .output("y");
  }

  private Path write(String name, ModelProto model) throws IOException {
    return write(name, model.toByteArray());
  }

  private Path write(String name, byte[] bytes) throws IOException {
    Path file = dir.resolve(name);
    Files.write(file, bytes);
    return file;
  }

  private Path writeInput(Tensor t) {
    Npy.write(input, t);
    return input;
  }

  /** {@code kiln run MODEL --input x.npy --output y.npy}, with x a valid [1,3] input. */
  private Result run(Path model, String... extra) {
    if (!Files.exists(input)) {
      writeInput(Tensors.random(1, 1, 3));
    }
    List<String> args = new java.util.ArrayList<>(List.of("run", model.toString(),
        "--input", input.toString(), "--output", output.toString()));
    args.addAll(Arrays.asList(extra));
    return kiln(args.toArray(new String[0]));
  }

  /** Exit status 1, the exact one-line message, nothing on stdout, and no output file. */
  private void assertUserError(String message, Result r) {
    assertEquals(Main.USER_ERROR, r.status(), r.err());
    assertEquals("kiln: " + message + "\n", r.err().replace(System.lineSeparator(), "\n"));
    assertNoTrace(r);
    assertEquals("", r.out());
    assertFalse(Files.exists(output), "the output file was created");
  }

  /** For messages that quote protobuf's own words: fixed start and end, one line. */
  private void assertUserErrorLike(String prefix, String suffix, Result r) {
    assertEquals(Main.USER_ERROR, r.status(), r.err());
    List<String> lines = r.err().lines().toList();
    assertEquals(1, lines.size(), r.err());
    assertTrue(lines.get(0).startsWith("kiln: " + prefix) && lines.get(0).endsWith(suffix),
        lines.get(0));
    assertNoTrace(r);
    assertFalse(Files.exists(output), "the output file was created");
  }

  private static void assertNoTrace(Result r) {
    assertFalse(r.err().contains("Exception") || r.err().contains("at dev."), r.err());
  }

  @Test
  void aTruncatedModel() throws IOException {
    byte[] model = relu().build().toByteArray();
    Path file = write("model.onnx", Arrays.copyOf(model, model.length / 2));
    assertUserErrorLike("model.onnx: not a valid ONNX model (", ")", run(file));
  }

  @Test
  void aCorruptedModel() throws IOException {
    byte[] model = relu().build().toByteArray();
    model[0] = (byte) 0xff;
    assertUserErrorLike("model.onnx: not a valid ONNX model (", ")", run(write("model.onnx", model)));
  }

  @Test
  void aFileThatIsNotAModelAtAll() throws IOException {
    assertUserError("model.onnx: not an ONNX model (no graph)", run(write("model.onnx", new byte[0])));
  }

  @Test
  void aNonexistentModel() {
    Path missing = dir.resolve("missing.onnx");
    assertUserError(missing + ": no such file", run(missing));
  }

  @Test
  void anUnsupportedOperatorIsNamedAndTheSupportedOnesListed() throws IOException {
    ModelProto model = new ModelBuilder(13)
        .input("x", 1, 3)
        .namedNode("n", "KilnNoSuchOp", List.of("x"), List.of("y"))
        .output("y")
        .build();
    assertUserError("model.onnx: node 'n' (KilnNoSuchOp, opset 13): unsupported operator; Kiln"
        + " supports " + String.join(", ", OpRegistry.supportedTypes()),
        run(write("model.onnx", model)));
  }

  @Test
  void aNodeReadingAnUndefinedValue() throws IOException {
    ModelProto model = new ModelBuilder(13)
        .input("x", 1, 3)
        .namedNode("add", "Add", List.of("x", "w"), List.of("y"))
        .output("y")
        .build();
    assertUserError("model.onnx: node 'add' (Add, opset 13): input 'w' is not a graph input, an"
        + " initializer or any node's output", run(write("model.onnx", model)));
  }

  @Test
  void mismatchedShapes() throws IOException {
    ModelProto model = new ModelBuilder(13)
        .input("x", 1, 3)
        .initializer("b", Tensors.random(1, 1, 4))
        .namedNode("add", "Add", List.of("x", "b"), List.of("y"))
        .output("y")
        .build();
    assertUserError("model.onnx: node 'add' (Add, opset 13): shapes [1,3] and [1,4] cannot be"
        + " broadcast together", run(write("model.onnx", model)));
  }

  @Test
  void anInputOfTheWrongShape() throws IOException {
    writeInput(Tensors.random(1, 1, 4));
    assertUserError(input + ": holds float32[1,4] but input 'x' of model.onnx is float32[1,3]",
        run(write("model.onnx", relu().build())));
  }

  @Test
  void anInputOfTheWrongDtype() throws IOException {
    byte[] f8 = npyHeader("<f8", "(1, 3)");
    ByteBuffer data = ByteBuffer.allocate(24).order(ByteOrder.LITTLE_ENDIAN);
    data.putDouble(1).putDouble(2).putDouble(3);
    Files.write(input, concat(f8, data.array()));
    assertUserError(input + ": dtype '<f8' is not supported; inputs must be float32 ('<f4'), or"
        + " int64/int32/bool for integer inputs", run(write("model.onnx", relu().build())));
  }

  @Test
  void symbolicDimensionsWithoutInputShape() throws IOException {
    ModelProto model = new ModelBuilder(13)
        .symbolicInput("x", "N", "3")
        .node("Relu", List.of("x"), List.of("y"))
        .output("y")
        .build();
    Path file = write("model.onnx", model);
    String message = "model.onnx: graph input 'x' has symbolic dimensions [N,3]; give its shape with"
        + " --input-shape x=Nx3";
    assertUserError(message, kiln("inspect", file.toString()));
    // An input file of another rank cannot stand in for the missing dimension either.
    writeInput(Tensors.random(1, 3));
    assertUserError(message, run(file));
  }

  @Test
  void anInputShapeThatContradictsTheModel() throws IOException {
    assertUserError("model.onnx: --input-shape x=1x4 disagrees with the model's static shape [1, 3]",
        run(write("model.onnx", relu().build()), "--input-shape", "x=1x4"));
  }

  @Test
  void anInputShapeForAnInputTheModelDoesNotHave() throws IOException {
    assertUserError("model.onnx: --input-shape names 'z' but the model's inputs are [x]",
        run(write("model.onnx", relu().build()), "--input-shape", "z=1x3"));
  }

  private ModelProto withExternalWeights(String location) {
    ModelProto m = new ModelBuilder(13)
        .input("x", 1, 3)
        .namedNode("add", "Add", List.of("x", "w"), List.of("y"))
        .output("y")
        .build();
    TensorProto w = TensorProto.newBuilder().setName("w").setDataType(DType.FLOAT32.onnxCode())
        .addDims(1).addDims(3)
        .setDataLocation(TensorProto.DataLocation.EXTERNAL)
        .addExternalData(StringStringEntryProto.newBuilder().setKey("location").setValue(location))
        .build();
    return m.toBuilder().setGraph(m.getGraph().toBuilder().addInitializer(w)).build();
  }

  @Test
  void externalDataAtAnAbsolutePath() throws IOException {
    Path weights = write("w.bin", new byte[12]);
    assertUserError("model.onnx: initializer 'w': external data path '" + weights
        + "' is absolute; only paths inside the model's folder are allowed",
        run(write("model.onnx", withExternalWeights(weights.toString()))));
  }

  @Test
  void externalDataEscapingTheModelFolder() throws IOException {
    Files.write(dir.resolve("w.bin"), new byte[12]);
    Path modelDir = Files.createDirectory(dir.resolve("model"));
    Path model = modelDir.resolve("model.onnx");
    Files.write(model, withExternalWeights("../w.bin").toByteArray());
    assertUserError("model.onnx: initializer 'w': external data path '../w.bin' leaves the"
        + " model's folder", run(model));
  }

  @Test
  void externalDataInsideTheFolderIsRead() throws IOException {
    ByteBuffer w = ByteBuffer.allocate(12).order(ByteOrder.LITTLE_ENDIAN);
    w.putFloat(1).putFloat(-2).putFloat(3);
    Files.write(dir.resolve("w.bin"), w.array());
    writeInput(Tensor.ofFloats(Shape.of(1, 3), 0.5f, 0.5f, 0.5f));
    Result r = run(write("model.onnx", withExternalWeights("w.bin")));
    assertEquals(Main.OK, r.status(), r.err());
    assertEquals(Tensor.ofFloats(Shape.of(1, 3), 1.5f, -1.5f, 3.5f), Npy.read(output));
  }

  @Test
  void aFailedRunLeavesAnExistingOutputUntouched() throws IOException {
    byte[] before = "previous results".getBytes(StandardCharsets.UTF_8);
    Files.write(output, before);
    writeInput(Tensors.random(1, 1, 4));
    Result r = run(write("model.onnx", relu().build()));
    assertEquals(Main.USER_ERROR, r.status());
    assertEquals("kiln: " + input + ": holds float32[1,4] but input 'x' of model.onnx is"
        + " float32[1,3]", r.err().strip());
    assertArrayEquals(before, Files.readAllBytes(output));
    try (var files = Files.list(dir)) {
      assertEquals(List.of("model.onnx", "x.npy", "y.npy"),
          files.map(p -> p.getFileName().toString()).sorted().toList(), "no temporary files left");
    }
  }

  @Test
  void aSuccessfulRunExitsZeroAndWritesTheOutput() throws IOException {
    writeInput(Tensor.ofFloats(Shape.of(1, 3), -1f, 2f, 0.5f));
    Result r = run(write("model.onnx", relu().build()));
    assertEquals(Main.OK, r.status(), r.err());
    // The one line a run prints to stderr says which kernels it uses.
    assertEquals(1, r.err().lines().count(), r.err());
    assertTrue(r.err().startsWith("kiln: kernels: "), r.err());
    assertEquals(Tensor.ofFloats(Shape.of(1, 3), 0f, 2f, 0.5f), Npy.read(output));
  }

  @Test
  void withoutOutputARunPrintsASummary() throws IOException {
    writeInput(Tensor.ofFloats(Shape.of(1, 3), -1f, 2f, 0.5f));
    Result r = kiln("run", write("model.onnx", relu().build()).toString(), "--input", input.toString());
    assertEquals(Main.OK, r.status(), r.err());
    assertEquals("y: float32[1,3] min 0.00000 max 2.00000 argmax 1\n",
        r.out().replace(System.lineSeparator(), "\n"));
  }

  @Test
  void aUsageErrorExitsTwo() throws IOException {
    Path model = write("model.onnx", relu().build());
    Result missing = kiln("run", model.toString());
    assertEquals(Main.USAGE_ERROR, missing.status());
    assertTrue(missing.err().startsWith("Missing required option: '--input=[NAME=]FILE'"),
        missing.err());
    Result unknown = kiln("run", model.toString(), "--input", "x.npy", "--no-such-option");
    assertEquals(Main.USAGE_ERROR, unknown.status());
    assertTrue(unknown.err().startsWith("Unknown option: '--no-such-option'"), unknown.err());
    assertNoTrace(missing);
    assertNoTrace(unknown);
  }

  @Test
  void versionPrintsTheVersion() {
    Result r = kiln("--version");
    assertEquals(Main.OK, r.status());
    assertEquals("kiln " + Version.KILN + "\n", r.out().replace(System.lineSeparator(), "\n"));
    assertFalse(Version.KILN.isBlank() || Version.KILN.equals("unknown"), Version.KILN);
  }

  private static byte[] npyHeader(String descr, String shape) {
    String dict = "{'descr': '" + descr + "', 'fortran_order': False, 'shape': " + shape + ", }";
    String header = dict + " ".repeat(63 - (10 + dict.length()) % 64) + "\n";
    byte[] h = header.getBytes(StandardCharsets.ISO_8859_1);
    byte[] out = new byte[10 + h.length];
    out[0] = (byte) 0x93;
    System.arraycopy("NUMPY".getBytes(StandardCharsets.ISO_8859_1), 0, out, 1, 5);
    out[6] = 1;
    out[8] = (byte) h.length;
    out[9] = (byte) (h.length >>> 8);
    System.arraycopy(h, 0, out, 10, h.length);
    return out;
  }

  private static byte[] concat(byte[] a, byte[] b) {
    byte[] out = Arrays.copyOf(a, a.length + b.length);
    System.arraycopy(b, 0, out, a.length, b.length);
    return out;
  }

  @Test
  void theNpyHelperWritesWhatNpyReads() {
    byte[] f4 = npyHeader("<f4", "(2,)");
    ByteBuffer data = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putFloat(1).putFloat(2);
    assertEquals(Tensor.ofFloats(Shape.of(2), 1, 2), Npy.parse(concat(f4, data.array()), "t.npy"));
    assertEquals(0, f4.length % 64);
  }
}
