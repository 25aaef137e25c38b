package dev.kiln.compiler.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kiln.compiler.importer.ImportOptions;
import dev.kiln.compiler.importer.ModelImporter;
import dev.kiln.compiler.ir.Graph;
import dev.kiln.compiler.ir.GraphPrinter;
import dev.kiln.compiler.testing.Attr;
import dev.kiln.compiler.testing.ModelBuilder;
import dev.kiln.compiler.testing.Tensors;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ConvertCommandTest {
  @TempDir Path dir;

  private Path model;
  private String out;
  private String err;

  @BeforeEach
  void writeModel() throws IOException {
    model = dir.resolve("model.onnx");
    Files.write(model, new ModelBuilder(13)
        .input("x", 1, 3, 8, 8)
        .initializer("w", Tensors.random(1, 4, 3, 3, 3))
        .initializer("b", Tensors.random(2, 4))
        .node("Conv", List.of("x", "w", "b"), List.of("y"), Attr.ints("pads", 1, 1, 1, 1))
        .node("Relu", List.of("y"), List.of("z"))
        .output("z")
        .build()
        .toByteArray());
  }

  private int kiln(String... args) {
    StringWriter o = new StringWriter();
    StringWriter e = new StringWriter();
    int status = Main.execute(args, new PrintWriter(o), new PrintWriter(e));
    out = o.toString();
    err = e.toString();
    return status;
  }

  private List<String> files() throws IOException {
    try (Stream<Path> s = Files.list(dir)) {
      return s.map(p -> p.getFileName().toString()).sorted().toList();
    }
  }

  @Test
  void convertsOnnxToJsonAndData() throws IOException {
    Path json = dir.resolve("out.json");
    assertEquals(Main.OK, kiln("convert", model.toString(), "-o", json.toString()), err);
    assertEquals("wrote " + json + " (2 nodes, 2 constants) and " + dir.resolve("out.bin")
        + " (432 bytes)\n", out.replace("\r\n", "\n"));
    assertEquals("", err);
    assertEquals(List.of("model.onnx", "out.bin", "out.json"), files(), "no temporary files are left");
    Graph onnx = ModelImporter.load(model, ImportOptions.DEFAULTS);
    Graph converted = ModelImporter.load(json, ImportOptions.DEFAULTS);
    assertEquals(GraphPrinter.print(onnx), GraphPrinter.print(converted));
    assertEquals(onnx.constants(), converted.constants());
    assertTrue(Files.readString(json).contains("\"data_file\": {\"path\": \"out.bin\", \"size\": 432,"));
  }

  @Test
  void convertsJsonToJson() throws IOException {
    assertEquals(Main.OK, kiln("convert", model.toString(), "-o", dir.resolve("a.json").toString()));
    assertEquals(Main.OK, kiln("convert", dir.resolve("a.json").toString(), "-o",
        dir.resolve("b.json").toString()), err);
    assertArrayEquals(Files.readAllBytes(dir.resolve("a.bin")), Files.readAllBytes(dir.resolve("b.bin")));
    assertEquals(Files.readString(dir.resolve("a.json")).replace("a.bin", "b.bin"),
        Files.readString(dir.resolve("b.json")));
  }

  @Test
  void inputShapeMustAgree() throws IOException {
    Path json = dir.resolve("out.json");
    assertEquals(Main.OK, kiln("convert", model.toString(), "-o", json.toString(),
        "--input-shape", "x=1x3x8x8"), err);
    Files.delete(json);
    Files.delete(dir.resolve("out.bin"));
    assertEquals(Main.USER_ERROR, kiln("convert", model.toString(), "-o", json.toString(),
        "--input-shape", "x=1x3x9x9"));
    assertEquals("kiln: model.onnx: --input-shape x=1x3x9x9 disagrees with the model's static shape"
        + " [1, 3, 8, 8]\n", err.replace("\r\n", "\n"));
    assertEquals(List.of("model.onnx"), files());
  }

  @Test
  void outputMustBeJson() throws IOException {
    assertEquals(Main.USER_ERROR, kiln("convert", model.toString(), "-o", "out.txt"));
    assertEquals("kiln: -o out.txt: the output must be a .json file\n", err.replace("\r\n", "\n"));
    assertEquals(List.of("model.onnx"), files());
  }

  @Test
  void outputIsRequired() {
    assertEquals(Main.USAGE_ERROR, kiln("convert", model.toString()));
    assertTrue(err.contains("Missing required option: '--output=OUT.json'"), err);
  }

  /** The import fails before anything is written: the previous conversion stays whole. */
  @Test
  void aFailedConversionLeavesThePreviousOutput() throws IOException {
    Path json = dir.resolve("out.json");
    assertEquals(Main.OK, kiln("convert", model.toString(), "-o", json.toString()));
    byte[] jsonBefore = Files.readAllBytes(json);
    byte[] dataBefore = Files.readAllBytes(dir.resolve("out.bin"));
    Path broken = dir.resolve("broken.onnx");
    Files.write(broken, new byte[] {1, 2, 3});
    assertEquals(Main.USER_ERROR, kiln("convert", broken.toString(), "-o", json.toString()));
    assertTrue(err.startsWith("kiln: broken.onnx: not a valid ONNX model"), err);
    assertArrayEquals(jsonBefore, Files.readAllBytes(json));
    assertArrayEquals(dataBefore, Files.readAllBytes(dir.resolve("out.bin")));
    assertEquals(List.of("broken.onnx", "model.onnx", "out.bin", "out.json"), files());

    assertEquals(Main.USER_ERROR, kiln("convert", dir.resolve("missing.onnx").toString(), "-o",
        json.toString()));
    assertEquals("kiln: " + dir.resolve("missing.onnx") + ": no such file\n", err.replace("\r\n", "\n"));
    assertArrayEquals(jsonBefore, Files.readAllBytes(json));
  }

  /** A .bin without its .json may be another model's data (ONNX external data): never overwrite it. */
  @Test
  void refusesToReplaceADataFileItDidNotWrite() throws IOException {
    Path foreign = dir.resolve("model.bin");
    Files.write(foreign, new byte[] {42});
    assertEquals(Main.USER_ERROR, kiln("convert", model.toString(), "-o",
        dir.resolve("model.json").toString()));
    assertEquals("kiln: -o " + dir.resolve("model.json") + ": " + foreign + " already exists and was"
        + " not written with model.json; remove it or choose another output name\n",
        err.replace("\r\n", "\n"));
    assertArrayEquals(new byte[] {42}, Files.readAllBytes(foreign));
    assertFalse(Files.exists(dir.resolve("model.json")));
  }
}
