package dev.kiln.compiler.importer.json;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.kiln.compiler.KilnException;
import dev.kiln.compiler.exec.GraphInterpreter;
import dev.kiln.compiler.importer.ImportOptions;
import dev.kiln.compiler.importer.ModelImporter;
import dev.kiln.compiler.ir.Graph;
import dev.kiln.compiler.ir.GraphVerifier;
import dev.kiln.compiler.ir.Shape;
import dev.kiln.compiler.ir.Tensor;
import dev.kiln.compiler.ir.TensorType;
import dev.kiln.compiler.ops.OpRegistry;
import dev.kiln.compiler.testing.Attr;
import dev.kiln.compiler.testing.ModelBuilder;
import dev.kiln.compiler.testing.Ort;
import dev.kiln.compiler.testing.TensorAssert;
import dev.kiln.compiler.testing.Tensors;
import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The JSON importer on hand-written files: what it accepts, and the exact message for what it refuses. */
class JsonImporterTest {
  @TempDir Path dir;

  /** A 1x1 convolution whose 6 weights live in the data file at offset 64, after 64 bytes of padding. */
  private static final String MODEL = """
      {
        "format": "kiln-graph",
        "version": 1,
        "opset": 13,
        "data_file": {"path": "model.bin"},
        "inputs": [{"name": "x", "dtype": "float32", "shape": [1, 2, 4, 4]}],
        "outputs": ["y"],
        "constants": [
          {"name": "w", "dtype": "float32", "shape": [3, 2, 1, 1], "data": {"offset": 64, "length": 24}},
          {"name": "b", "dtype": "float32", "shape": [3], "values": [1, -0.5, 2.5e-1]}
        ],
        "nodes": [
          {"name": "c1", "op": "Conv", "inputs": ["x", "w", "b"], "outputs": ["y"],
           "attributes": {"kernel_shape": [1, 1]}}
        ]
      }
      """;

  private static final float[] WEIGHTS = {1f, 2f, -3f, 0.5f, 0.25f, -0.125f};

  private Path write(String json) throws IOException {
    Path bin = dir.resolve("model.bin");
    ByteBuffer data = ByteBuffer.allocate(64 + 4 * WEIGHTS.length).order(ByteOrder.LITTLE_ENDIAN);
    data.position(64);
    for (float w : WEIGHTS) {
      data.putFloat(w);
    }
    Files.write(bin, data.array());
    Path file = dir.resolve("model.json");
    Files.writeString(file, json);
    return file;
  }

  private String error(String json) throws IOException {
    return error(json, ImportOptions.DEFAULTS);
  }

  private String error(String json, ImportOptions options) throws IOException {
    Path file = write(json);
    return assertThrows(KilnException.class, () -> JsonImporter.load(file, options)).getMessage();
  }

  private static String replace(String text, String from, String to) {
    if (!text.contains(from)) {
      throw new IllegalArgumentException("'" + from + "' is not in the model");
    }
    return text.replace(from, to);
  }

  @Test
  void readsInlineValuesAndTheDataFile() throws IOException {
    Graph g = ModelImporter.load(write(MODEL), ImportOptions.DEFAULTS);
    GraphVerifier.verify(g);
    assertEquals("model", g.name());
    assertEquals("model.json", g.source());
    assertEquals(13, g.opset());
    assertEquals(TensorType.float32(1, 3, 4, 4), g.type("y"));
    assertEquals(Tensor.ofFloats(Shape.of(3, 2, 1, 1), WEIGHTS), g.constant("w"));
    assertEquals(Tensor.ofFloats(Shape.of(3), 1f, -0.5f, 0.25f), g.constant("b"));
  }

  @Test
  void inputShapeMustAgreeWithTheStaticShape() throws IOException {
    Graph g = JsonImporter.load(write(MODEL),
        ImportOptions.withInputShapes(Map.of("x", Shape.of(1, 2, 4, 4))));
    assertEquals(TensorType.float32(1, 2, 4, 4), g.type("x"));
    assertEquals("model.json: --input-shape x=1x2x8x8 disagrees with the model's static shape"
        + " [1,2,4,4]", error(MODEL, ImportOptions.withInputShapes(Map.of("x", Shape.of(1, 2, 8, 8)))));
    assertEquals("model.json: --input-shape x=2x4x4 has rank 3 but the model declares [1,2,4,4]",
        error(MODEL, ImportOptions.withInputShapes(Map.of("x", Shape.of(2, 4, 4)))));
    assertEquals("model.json: --input-shape names 'image' but the model's inputs are [x]",
        error(MODEL, ImportOptions.withInputShapes(Map.of("image", Shape.of(1, 2, 4, 4)))));
  }

  /** The hand-written small conv net in the test resources, against ONNX Runtime on the same graph. */
  @Test
  void handWrittenModelImportsAndRuns() throws URISyntaxException {
    Path file = Path.of(getClass().getResource("small_convnet.json").toURI());
    Graph g = ModelImporter.load(file, ImportOptions.DEFAULTS);
    GraphVerifier.verify(g);
    assertEquals("small_convnet", g.name());
    assertEquals(TensorType.float32(1, 3), g.type("probabilities"));
    assertEquals(0.25f, g.constant("fc.weight").floatAt(21));

    Tensor image = Tensors.random(5, 1, 1, 4, 4);
    Tensor got = GraphInterpreter.run(g, Map.of("image", image)).get("probabilities");

    ModelBuilder onnx = new ModelBuilder(13).input("image", 1, 1, 4, 4);
    for (String c : List.of("conv.weight", "conv.bias", "flat_shape", "fc.weight", "fc.bias")) {
      onnx.initializer(c, g.constant(c));
    }
    onnx.node("Conv", List.of("image", "conv.weight", "conv.bias"), List.of("conv_out"),
            Attr.ints("kernel_shape", 3, 3), Attr.ints("pads", 1, 1, 1, 1))
        .node("Relu", List.of("conv_out"), List.of("relu_out"))
        .node("MaxPool", List.of("relu_out"), List.of("pool_out"), Attr.ints("kernel_shape", 2, 2),
            Attr.ints("strides", 2, 2))
        .node("Reshape", List.of("pool_out", "flat_shape"), List.of("features"))
        .node("Gemm", List.of("features", "fc.weight", "fc.bias"), List.of("logits"),
            Attr.i("transB", 1), Attr.f("alpha", 0.5f))
        .node("Softmax", List.of("logits"), List.of("probabilities"), Attr.i("axis", 1))
        .output("probabilities");
    Tensor expected = Ort.run(onnx.build(), Map.of("image", image)).get("probabilities");
    TensorAssert.assertClose(expected, got, 1e-6, "small_convnet");
  }

  @Test
  void truncatedJson() throws IOException {
    assertEquals("model.json: line 13, column 9: invalid JSON: Unexpected end-of-input in field"
        + " name", error(MODEL.substring(0, MODEL.indexOf("\"name\": \"c1\"") + 3)));
    assertEquals("model.json: line 15, column 3: invalid JSON: Unexpected end-of-input: expected"
        + " close marker for Array (opened at line 12, column 12)",
        error(MODEL.substring(0, MODEL.lastIndexOf(']'))));
  }

  @Test
  void jsonSyntaxErrorsNameLineAndColumn() throws IOException {
    assertEquals("model.json: line 5, column 3: invalid JSON: Unexpected character ('\"' (code 34)):"
        + " was expecting comma to separate Object entries", error(replace(MODEL, "13,", "13")));
    assertEquals("model.json: line 4, column 16: invalid JSON: duplicate key \"opset\"",
        error(replace(MODEL, "\"opset\": 13,", "\"opset\": 13, \"opset\": 13,")));
    assertEquals("model.json: line 17, column 1: invalid JSON: content after the end of the document",
        error(MODEL + "{}"));
    assertEquals("model.json: invalid JSON: the file is empty", error(""));
    assertEquals("model.json: line 1, column 65: invalid JSON: Document nesting depth (65) exceeds"
        + " the maximum allowed (64)", error("[".repeat(100_000)));
  }

  @Test
  void missingDataFile() throws IOException {
    Path file = write(MODEL);
    Files.delete(dir.resolve("model.bin"));
    assertEquals("model.json: data file 'model.bin' not found",
        assertThrows(KilnException.class, () -> JsonImporter.load(file, ImportOptions.DEFAULTS))
            .getMessage());
  }

  @Test
  void dataReferencesAreCheckedAgainstTheFile() throws IOException {
    assertEquals("model.json: constant 'w': \"data\" (offset 128, length 24) reaches beyond the end"
        + " of 'model.bin' (88 bytes)", error(replace(MODEL, "\"offset\": 64", "\"offset\": 128")));
    assertEquals("model.json: constant 'w': \"data\" offset 8 is not a non-negative multiple of 64",
        error(replace(MODEL, "\"offset\": 64", "\"offset\": 8")));
    assertEquals("model.json: constant 'w': \"data\" offset -64 is not a non-negative multiple of 64",
        error(replace(MODEL, "\"offset\": 64", "\"offset\": -64")));
    assertEquals("model.json: constant 'w': \"data\" has length 20 but float32[3,2,1,1] needs 24"
        + " bytes", error(replace(MODEL, "\"length\": 24", "\"length\": 20")));
    // A billion floats: refused by the size check before 4 GB are allocated.
    assertEquals("model.json: constant 'w': \"data\" (offset 64, length 4000000000) reaches beyond"
        + " the end of 'model.bin' (88 bytes)", error(replace(replace(MODEL, "[3, 2, 1, 1], \"data\"",
            "[1000000000], \"data\""), "\"length\": 24", "\"length\": 4000000000")));
    assertEquals("model.json: constant 'w': shape [65536, 65536, 2] has more than 2147483639"
        + " elements", error(replace(MODEL, "[3, 2, 1, 1], \"data\"", "[65536, 65536, 2], \"data\"")));
    assertEquals("model.json: constant 'w': \"data\" refers to the data file, but the model names"
        + " none (add \"data_file\": {\"path\": \"...\"})",
        error(replace(MODEL, "\"data_file\": {\"path\": \"model.bin\"},", "")));
  }

  @Test
  void dataFileMustMatchItsSizeAndChecksum() throws IOException {
    assertEquals("model.json: data file 'model.bin' has 88 bytes but the model says 100 (is it the"
        + " file written with this model?)",
        error(replace(MODEL, "\"path\": \"model.bin\"", "\"path\": \"model.bin\", \"size\": 100")));
    assertEquals("model.json: data file 'model.bin' does not match the sha256 in the model (is it"
        + " the file written with this model?)", error(replace(MODEL, "\"path\": \"model.bin\"",
            "\"path\": \"model.bin\", \"sha256\": \"" + "0".repeat(64) + "\"")));
    assertEquals("model.json: \"data_file\": \"sha256\" must be 64 lower-case hex digits",
        error(replace(MODEL, "\"path\": \"model.bin\"", "\"path\": \"model.bin\", \"sha256\": \"AB\"")));
  }

  @Test
  void dataFilePathMustStayInTheModelsFolder() throws IOException {
    assertEquals("model.json: data file '../model.bin': the path leaves the model's folder",
        error(replace(MODEL, "\"path\": \"model.bin\"", "\"path\": \"../model.bin\"")));
    assertEquals("model.json: data file 'sub/../../x.bin': the path leaves the model's folder",
        error(replace(MODEL, "\"path\": \"model.bin\"", "\"path\": \"sub/../../x.bin\"")));
    assertEquals("model.json: data file '/etc/passwd': the path is absolute; only paths inside the"
        + " model's folder are allowed",
        error(replace(MODEL, "\"path\": \"model.bin\"", "\"path\": \"/etc/passwd\"")));
    assertEquals("model.json: data file 'C:\\\\x.bin': the path is absolute; only paths inside the"
        .replace("\\\\", "\\") + " model's folder are allowed",
        error(replace(MODEL, "\"path\": \"model.bin\"", "\"path\": \"C:\\\\x.bin\"")));
  }

  @Test
  void dataFileSymlinkMustNotLeaveTheModelsFolder() throws IOException {
    Path outside = Files.createTempFile("kiln-outside", ".bin");
    try {
      Files.write(outside, new byte[88]);
      Path model = write(replace(MODEL, "\"path\": \"model.bin\"", "\"path\": \"link.bin\""));
      Files.createSymbolicLink(dir.resolve("link.bin"), outside);
      assertEquals("model.json: data file 'link.bin': the path leaves the model's folder",
          assertThrows(KilnException.class, () -> JsonImporter.load(model, ImportOptions.DEFAULTS))
              .getMessage());
    } finally {
      Files.deleteIfExists(outside);
    }
  }

  @Test
  void unknownOperator() throws IOException {
    assertEquals("model.json: node 'c1' (Convolution, opset 13): unsupported operator; Kiln supports "
        + String.join(", ", OpRegistry.supportedTypes()),
        error(replace(MODEL, "\"op\": \"Conv\"", "\"op\": \"Convolution\"")));
  }

  @Test
  void wrongDtypeString() throws IOException {
    assertEquals("model.json: graph input 'x': unknown data type 'float' (expected float32, int64,"
        + " int32 or bool)", error(replace(MODEL, "\"dtype\": \"float32\", \"shape\": [1, 2, 4, 4]",
            "\"dtype\": \"float\", \"shape\": [1, 2, 4, 4]")));
    assertEquals("model.json: constant 'b': \"dtype\" must be a string, got an integer",
        error(replace(MODEL, "\"dtype\": \"float32\", \"shape\": [3]", "\"dtype\": 1, \"shape\": [3]")));
  }

  @Test
  void nodeReadingAnUndefinedValue() throws IOException {
    assertEquals("model.json: node 'c1' (Conv, opset 13): input 'z' is not a graph input, a constant"
        + " or an earlier node's output",
        error(replace(MODEL, "\"inputs\": [\"x\", \"w\", \"b\"]", "\"inputs\": [\"z\", \"w\", \"b\"]")));
    String twoNodes = replace(MODEL, "\"outputs\": [\"y\"],\n", "\"outputs\": [\"y\"],\n")
        .replace("\"attributes\": {\"kernel_shape\": [1, 1]}}\n",
            "\"attributes\": {\"kernel_shape\": [1, 1]}},\n"
                + "      {\"name\": \"r\", \"op\": \"Relu\", \"inputs\": [\"x\"], \"outputs\": [\"x2\"]}\n");
    assertEquals("model.json: node 'c1' (Conv, opset 13): input 'x2' is only produced later, by node"
        + " 'r' (nodes must be in topological order)",
        error(replace(twoNodes, "\"inputs\": [\"x\", \"w\", \"b\"]", "\"inputs\": [\"x2\", \"w\", \"b\"]")));
  }

  @Test
  void nodeErrorsNameTheNodeAndOp() throws IOException {
    assertEquals("model.json: node 'c1' (Conv, opset 13): unknown field \"attribute\" (expected name,"
        + " op, inputs, outputs, attributes)", error(replace(MODEL, "\"attributes\"", "\"attribute\"")));
    assertEquals("model.json: node 'c1' (Conv, opset 13): unsupported attribute [kernel]",
        error(replace(MODEL, "\"kernel_shape\"", "\"kernel\"")));
    assertEquals("model.json: node 'c1' (Conv, opset 13): attribute 'kernel_shape' must be INTS, got"
        + " FLOATS", error(replace(MODEL, "\"kernel_shape\": [1, 1]", "\"kernel_shape\": [1.0, 1]")));
    assertEquals("model.json: node 'c1' (Conv, opset 13): kernel_shape [3, 3] does not match the"
        + " weights' spatial shape [1, 1]", error(replace(MODEL, "\"kernel_shape\": [1, 1]",
            "\"kernel_shape\": [3, 3]")));
    assertEquals("model.json: node 'c1' (Conv, opset 13): output 'x': 'x' is already defined by graph"
        + " input 'x'", error(replace(MODEL, "\"inputs\": [\"x\", \"w\", \"b\"], \"outputs\": [\"y\"]",
            "\"inputs\": [\"x\", \"w\", \"b\"], \"outputs\": [\"x\"]")));
    assertEquals("model.json: node 'Conv_0' (Conv, opset 13): input 'q' is not a graph input, a"
        + " constant or an earlier node's output",
        error(replace(MODEL, "\"name\": \"c1\", \"op\": \"Conv\", \"inputs\": [\"x\"",
            "\"op\": \"Conv\", \"inputs\": [\"q\"")));
    assertEquals("model.json: nodes[0]: missing \"op\"",
        error(replace(MODEL, "\"name\": \"c1\", \"op\": \"Conv\", ", "")));
  }

  @Test
  void structuralErrors() throws IOException {
    assertEquals("model.json: not a Kiln graph (expected an object with \"format\": \"kiln-graph\")",
        error("[1, 2]"));
    assertEquals("model.json: not a Kiln graph (expected an object with \"format\": \"kiln-graph\")",
        error(replace(MODEL, "\"kiln-graph\"", "\"onnx\"")));
    assertEquals("model.json: format version 2 is not supported (this Kiln reads version 1)",
        error(replace(MODEL, "\"version\": 1", "\"version\": 2")));
    assertEquals("model.json: opset 5 is not supported (Kiln imports opsets " + OpRegistry.MIN_OPSET
        + " to " + OpRegistry.MAX_OPSET + ")", error(replace(MODEL, "\"opset\": 13", "\"opset\": 5")));
    assertEquals("model.json: missing \"opset\"", error(replace(MODEL, "\"opset\": 13,", "")));
    assertEquals("model.json: unknown field \"input\" (expected format, version, name, opset,"
        + " data_file, inputs, outputs, constants, nodes)",
        error(replace(MODEL, "\"inputs\": [{", "\"input\": [{")));
    assertEquals("model.json: constant 'w': 'w' is already defined by graph input 'w'",
        error(replace(MODEL, "[{\"name\": \"x\"", "[{\"name\": \"w\"")));
    assertEquals("model.json: graph output 'q' is not defined (not a graph input, a constant or a"
        + " node's output)", error(replace(MODEL, "\"outputs\": [\"y\"],\n  \"constants\"",
            "\"outputs\": [\"q\"],\n  \"constants\"")));
    assertEquals("model.json: the graph has no outputs",
        error(replace(MODEL, "\"outputs\": [\"y\"],\n  \"constants\"", "\"outputs\": [],\n  \"constants\"")));
    assertEquals("model.json: graph input 'x': dimension -1 out of range in shape [1, -1, 4, 4]",
        error(replace(MODEL, "[1, 2, 4, 4]", "[1, -1, 4, 4]")));
  }

  @Test
  void inlineValuesAreChecked() throws IOException {
    assertEquals("model.json: constant 'b': \"values\" holds 2 values but float32[3] needs 3",
        error(replace(MODEL, "[1, -0.5, 2.5e-1]", "[1, -0.5]")));
    assertEquals("model.json: constant 'b': \"values\"[1] must be a number (or \"NaN\", \"Infinity\","
        + " \"-Infinity\"), got a boolean", error(replace(MODEL, "[1, -0.5, 2.5e-1]", "[1, true, 0]")));
    assertEquals("model.json: constant 'b': \"values\"[0] = 3e38000 is out of the float32 range"
        + " (write \"Infinity\" or \"-Infinity\" for an infinity)",
        error(replace(MODEL, "[1, -0.5, 2.5e-1]", "[3e38000, 0, 0]")));
    assertEquals("model.json: constant 'b': \"values\"[2] = 2147483648 does not fit in int32",
        error(replace(MODEL, "\"float32\", \"shape\": [3], \"values\": [1, -0.5, 2.5e-1]",
            "\"int32\", \"shape\": [3], \"values\": [1, -1, 2147483648]")));
    assertEquals("model.json: constant 'b': \"values\"[1] must be true or false (or 0 or 1), got an"
        + " integer", error(replace(MODEL, "\"float32\", \"shape\": [3], \"values\": [1, -0.5, 2.5e-1]",
            "\"bool\", \"shape\": [3], \"values\": [true, 2, 0]")));
    assertEquals("model.json: constant 'b': give exactly one of \"values\" and \"data\"",
        error(replace(MODEL, "\"values\": [1, -0.5, 2.5e-1]",
            "\"values\": [1, -0.5, 2.5e-1], \"data\": {\"offset\": 0, \"length\": 12}")));
    assertEquals("model.json: constant 'b': give exactly one of \"values\" and \"data\"",
        error(replace(MODEL, ", \"values\": [1, -0.5, 2.5e-1]", "")));
  }

  @Test
  void readsFromMemoryWithoutADataFile() {
    String json = replace(replace(MODEL, "\"data_file\": {\"path\": \"model.bin\"},", ""),
        "\"data\": {\"offset\": 64, \"length\": 24}", "\"values\": [1, 2, -3, 0.5, 0.25, -0.125]");
    Graph g = JsonImporter.read(json.getBytes(StandardCharsets.UTF_8), "mem.json", null,
        ImportOptions.DEFAULTS);
    assertEquals(Tensor.ofFloats(Shape.of(3, 2, 1, 1), WEIGHTS), g.constant("w"));
    assertEquals("mem.json: data file 'model.bin': data files are not allowed here",
        assertThrows(KilnException.class, () -> JsonImporter.read(
            MODEL.getBytes(StandardCharsets.UTF_8), "mem.json", null, ImportOptions.DEFAULTS))
            .getMessage());
  }
}
