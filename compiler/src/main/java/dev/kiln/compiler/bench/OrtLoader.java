package dev.kiln.compiler.bench;

import dev.kiln.compiler.KilnException;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.MalformedURLException;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

/** Where {@link OrtRunner#open} finds ONNX Runtime. */
final class OrtLoader {
  static final String RUNNER = "dev.kiln.compiler.bench.ort.OnnxRuntimeRunner";
  static final String ORT_CLASS = "ai.onnxruntime.OrtEnvironment";
  private static final String ORT_PACKAGE = "ai.onnxruntime.";
  private static final String RUNNER_PACKAGE = "dev.kiln.compiler.bench.ort.";

  /** By absolute jar path: ONNX Runtime's native library loads once per process. */
  private static final Map<Path, ClassLoader> LOADERS = new HashMap<>();

  private OrtLoader() {}

  /**
   * {@code base} when it sees ONNX Runtime and no jar is named; else a loader over {@code
   * ortJar}.
   */
  static synchronized ClassLoader find(ClassLoader base, Path ortJar) {
    if (ortJar == null) {
      if (!visible(base)) {
        throw new KilnException("--compare-ort needs ONNX Runtime (" + OrtRunner.ARTIFACT + "), which"
            + " kiln.jar does not bundle: give its jar with --ort-jar FILE, or put it on the class"
            + " path");
      }
      return base;
    }
    Path jar = ortJar.toAbsolutePath().normalize();
    ClassLoader cached = LOADERS.get(jar);
    if (cached != null) {
      return cached;
    }
    if (!Files.isRegularFile(jar)) {
      throw new KilnException("--ort-jar " + ortJar + ": no such file");
    }
    ClassLoader loader = new OrtClassLoader(jar, base);
    if (!visible(loader)) {
      throw new KilnException("--ort-jar " + ortJar + ": no ONNX Runtime in it (" + ORT_CLASS
          + " is missing); expected the jar of " + OrtRunner.ARTIFACT);
    }
    LOADERS.put(jar, loader);
    return loader;
  }

  private static boolean visible(ClassLoader loader) {
    try {
      Class.forName(ORT_CLASS, false, loader);
      return true;
    } catch (ClassNotFoundException | LinkageError e) {
      return false;
    }
  }

  /**
   * ONNX Runtime from the jar, and the runner class defined again here from kiln's own bytes so
   * that its references to ONNX Runtime resolve in this loader; everything else (the {@link
   * OrtRunner} interface the caller holds included) comes from the parent.
   */
  private static final class OrtClassLoader extends URLClassLoader {
    private final ClassLoader kiln;

    OrtClassLoader(Path jar, ClassLoader kiln) {
      super(new URL[] {url(jar)}, kiln);
      this.kiln = kiln;
    }

    private static URL url(Path jar) {
      try {
        return jar.toUri().toURL();
      } catch (MalformedURLException e) {
        throw new KilnException("--ort-jar " + jar + ": " + e.getMessage());
      }
    }

    @Override
    protected Class<?> loadClass(String name, boolean resolve) throws ClassNotFoundException {
      if (!name.startsWith(ORT_PACKAGE) && !name.startsWith(RUNNER_PACKAGE)) {
        return super.loadClass(name, resolve);
      }
      synchronized (getClassLoadingLock(name)) {
        Class<?> c = findLoadedClass(name);
        if (c == null) {
          c = name.startsWith(ORT_PACKAGE) ? findClass(name) : defineFromKiln(name);
        }
        if (resolve) {
          resolveClass(c);
        }
        return c;
      }
    }

    private Class<?> defineFromKiln(String name) throws ClassNotFoundException {
      try (InputStream in = kiln.getResourceAsStream(name.replace('.', '/') + ".class")) {
        if (in == null) {
          throw new ClassNotFoundException(name);
        }
        byte[] bytes = in.readAllBytes();
        return defineClass(name, bytes, 0, bytes.length);
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
  }
}
