package dev.kiln.compiler.importer;

import dev.kiln.compiler.KilnException;
import dev.kiln.compiler.importer.json.JsonImporter;
import dev.kiln.compiler.importer.onnx.OnnxImporter;
import dev.kiln.compiler.ir.Graph;
import java.nio.file.Path;

/** Imports a model file by its extension: {@code .onnx}, or Kiln's {@code .json} graph format. */
public final class ModelImporter {
  private ModelImporter() {}

  public static Graph load(Path file, ImportOptions options) {
    String name = file.getFileName() == null ? "" : file.getFileName().toString();
    if (name.endsWith(".onnx")) {
      return OnnxImporter.load(file, options);
    }
    if (name.endsWith(".json")) {
      return JsonImporter.load(file, options);
    }
    throw new KilnException(file + ": unknown model format (expected a .onnx or .json file)");
  }
}
