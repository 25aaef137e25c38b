package dev.kiln.compiler.testing;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * The real exported models in {@code ../shared/models} (system property {@code kiln.sharedModels}).
 * Tests that need them are skipped when the folder is absent (a fresh clone); CI has it.
 */
public final class SharedModels {
  public static final List<String> ALL =
      List.of("tiny_cbr", "digits_cnn", "resnet18", "mobilenet_v2", "squeezenet1_1");

  private SharedModels() {}

  public static Path root() {
    String configured = System.getProperty("kiln.sharedModels");
    return configured != null ? Path.of(configured) : Path.of("..", "..", "shared", "models");
  }

  /** The model's folder; skips the calling test when it is not there. */
  public static Path dir(String model) {
    Path dir = root().resolve(model);
    assumeTrue(Files.isRegularFile(dir.resolve("model.onnx")),
        "shared model " + model + " not found under " + root().toAbsolutePath() + "; skipping");
    return dir;
  }
}
