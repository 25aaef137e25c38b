package dev.kiln.compiler.importer;

import dev.kiln.compiler.KilnException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;

/** Reading a model file, the same for every format: its bytes, and the name errors give it. */
public final class ModelFile {
  private ModelFile() {}

  /** The file's name, which every import error starts with ({@code digits.onnx: node ...}). */
  public static String sourceName(Path file) {
    return file.getFileName() == null ? file.toString() : file.getFileName().toString();
  }

  /** The whole file; a missing or unreadable one is a one-line error naming the path. */
  public static byte[] read(Path file) {
    try {
      return Files.readAllBytes(file);
    } catch (NoSuchFileException e) {
      throw new KilnException(file + ": no such file");
    } catch (IOException e) {
      throw new KilnException(file + ": cannot read: " + e.getMessage());
    }
  }
}
