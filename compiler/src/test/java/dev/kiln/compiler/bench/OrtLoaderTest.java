package dev.kiln.compiler.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.kiln.compiler.KilnException;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.jar.JarOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Where --compare-ort finds ONNX Runtime, and the one line a user gets when it is not there. */
class OrtLoaderTest {
  @TempDir Path dir;

  @Test
  void withoutOnnxRuntimeOnTheClassPathOrAJarTheErrorSaysWhatToAdd() {
    ClassLoader bare = new ClassLoader(null) {};
    KilnException e = assertThrows(KilnException.class, () -> OrtLoader.find(bare, null));
    assertEquals("--compare-ort needs ONNX Runtime (com.microsoft.onnxruntime:onnxruntime:1.29.0),"
        + " which kiln.jar does not bundle: give its jar with --ort-jar FILE, or put it on the class"
        + " path", e.getMessage());
  }

  @Test
  void aJarWithoutOnnxRuntimeIsRefused() throws IOException {
    Path jar = dir.resolve("other.jar");
    try (OutputStream out = Files.newOutputStream(jar); JarOutputStream j = new JarOutputStream(out)) {
      j.putNextEntry(new java.util.jar.JarEntry("readme.txt"));
      j.write("nothing".getBytes(java.nio.charset.StandardCharsets.UTF_8));
      j.closeEntry();
    }
    KilnException e = assertThrows(KilnException.class,
        () -> OrtLoader.find(new ClassLoader(null) {}, jar));
    assertEquals("--ort-jar " + jar + ": no ONNX Runtime in it (ai.onnxruntime.OrtEnvironment is"
        + " missing); expected the jar of com.microsoft.onnxruntime:onnxruntime:1.29.0", e.getMessage());
  }

  @Test
  void onTheClassPathItIsUsedAsIs() {
    ClassLoader app = OrtLoaderTest.class.getClassLoader();
    assertEquals(app, OrtLoader.find(app, null));
  }
}
