package dev.kiln.maven;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import dev.kiln.compiler.importer.onnx.proto.OnnxProto.GraphProto;
import dev.kiln.compiler.importer.onnx.proto.OnnxProto.ModelProto;
import dev.kiln.compiler.importer.onnx.proto.OnnxProto.StringStringEntryProto;
import dev.kiln.compiler.importer.onnx.proto.OnnxProto.TensorProto;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ModelInputsTest {
  @TempDir Path dir;

  @Test
  void aJsonGraphsDataFileIsAnInput() throws IOException {
    Path model = Files.writeString(dir.resolve("m.json"),
        "{\"format\": \"kiln-graph\", \"data_file\": {\"path\": \"weights/m.bin\"}}");
    Path data = Files.createDirectories(dir.resolve("weights")).resolve("m.bin");
    Files.write(data, new byte[] {1, 2, 3});
    List<String> before = ModelInputs.fingerprint(model);
    assertEquals(List.of(model + " " + ModelInputs.sha256(model), data + " " + ModelInputs.sha256(data)),
        before);

    Files.write(data, new byte[] {1, 2, 4});
    assertNotEquals(before, ModelInputs.fingerprint(model));
  }

  @Test
  void anOnnxModelsExternalDataIsAnInput() throws IOException {
    TensorProto external = TensorProto.newBuilder()
        .setName("w")
        .setDataType(TensorProto.DataType.FLOAT_VALUE)
        .addDims(2)
        .setDataLocation(TensorProto.DataLocation.EXTERNAL)
        .addExternalData(StringStringEntryProto.newBuilder().setKey("location").setValue("m.data"))
        .build();
    Path model = dir.resolve("m.onnx");
    Files.write(model, ModelProto.newBuilder()
        .setGraph(GraphProto.newBuilder().addInitializer(external))
        .build().toByteArray());
    Path data = Files.write(dir.resolve("m.data"), new byte[8]);
    assertEquals(List.of(model + " " + ModelInputs.sha256(model), data + " " + ModelInputs.sha256(data)),
        ModelInputs.fingerprint(model));
  }

  @Test
  void missingOrUnreadableReferencesAreLeftToTheImporter() throws IOException {
    Path missing = Files.writeString(dir.resolve("a.json"), "{\"data_file\": {\"path\": \"gone.bin\"}}");
    assertEquals(List.of(missing + " " + ModelInputs.sha256(missing)), ModelInputs.fingerprint(missing));
    Path broken = Files.writeString(dir.resolve("b.onnx"), "not protobuf at all");
    assertEquals(List.of(broken + " " + ModelInputs.sha256(broken)), ModelInputs.fingerprint(broken));
  }
}
