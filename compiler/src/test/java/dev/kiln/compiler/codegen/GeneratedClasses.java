package dev.kiln.compiler.codegen;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;

import dev.kiln.runtime.KilnModel;
import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import javax.tools.Diagnostic;
import javax.tools.DiagnosticCollector;
import javax.tools.FileObject;
import javax.tools.ForwardingJavaFileManager;
import javax.tools.JavaCompiler;
import javax.tools.JavaFileObject;
import javax.tools.SimpleJavaFileObject;
import javax.tools.StandardJavaFileManager;
import javax.tools.ToolProvider;
import org.objectweb.asm.ClassReader;
import org.objectweb.asm.util.CheckClassAdapter;

/**
 * Loads generated models in the test JVM: source through an in-memory javac run, class files
 * through a class loader; both with the weights served as a class-path resource beside the class.
 */
final class GeneratedClasses {
  private GeneratedClasses() {}

  /** Compiles and loads the source model, and instantiates it (weights from the "class path"). */
  static KilnModel loadSource(GeneratedModel g) {
    return instantiate(g, compile(g));
  }

  /** Verifies each class file with {@link CheckClassAdapter}, loads them and instantiates the model. */
  static KilnModel loadBytecode(GeneratedModel g) {
    Map<String, byte[]> classes = g.classes();
    ModelClassLoader loader = new ModelClassLoader(classes, g);
    for (Map.Entry<String, byte[]> e : classes.entrySet()) {
      checkClass(e.getValue(), loader);
    }
    return loader.newModel();
  }

  /** Fails with ASM's report when a class does not verify. */
  static void checkClass(byte[] bytes, ClassLoader loader) {
    StringWriter report = new StringWriter();
    CheckClassAdapter.verify(new ClassReader(bytes), loader, false, new PrintWriter(report));
    assertEquals("", report.toString(), "CheckClassAdapter");
  }

  static KilnModel instantiate(GeneratedModel g, Map<String, byte[]> classes) {
    return new ModelClassLoader(classes, g).newModel();
  }

  static Class<?> loadClass(GeneratedModel g, Map<String, byte[]> classes) {
    return new ModelClassLoader(classes, g).modelClass();
  }

  /** javac in memory: {@code --release 17}, every lint warning an error. Class files by binary name. */
  static Map<String, byte[]> compile(GeneratedModel g) {
    JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
    DiagnosticCollector<JavaFileObject> diagnostics = new DiagnosticCollector<>();
    StandardJavaFileManager standard = javac.getStandardFileManager(diagnostics, Locale.ROOT,
        StandardCharsets.UTF_8);
    Map<String, ByteArrayOutputStream> outputs = new LinkedHashMap<>();
    ForwardingJavaFileManager<StandardJavaFileManager> files = new ForwardingJavaFileManager<>(standard) {
      @Override
      public JavaFileObject getJavaFileForOutput(Location location, String className,
          JavaFileObject.Kind kind, FileObject sibling) {
        return new SimpleJavaFileObject(URI.create("mem:///" + className.replace('.', '/') + ".class"),
            kind) {
          @Override
          public OutputStream openOutputStream() {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            outputs.put(className, out);
            return out;
          }
        };
      }
    };
    String source = g.source();
    JavaFileObject unit = new SimpleJavaFileObject(
        URI.create("mem:///" + g.options().pathBeside(".java")), JavaFileObject.Kind.SOURCE) {
      @Override
      public CharSequence getCharContent(boolean ignoreEncodingErrors) {
        return source;
      }
    };
    List<String> options = List.of("--release", "17", "-Xlint:all", "-Werror", "-proc:none",
        "-classpath", System.getProperty("java.class.path"));
    boolean ok = javac.getTask(null, files, diagnostics, options, null, List.of(unit)).call();
    if (!ok || !diagnostics.getDiagnostics().isEmpty()) {
      StringBuilder sb = new StringBuilder("javac failed:\n");
      for (Diagnostic<? extends JavaFileObject> d : diagnostics.getDiagnostics()) {
        sb.append(d.getKind()).append(" line ").append(d.getLineNumber()).append(": ")
            .append(d.getMessage(Locale.ROOT)).append('\n');
      }
      String[] lines = source.split("\n", -1);
      sb.append("source (first 200 lines):\n");
      for (int i = 0; i < Math.min(200, lines.length); i++) {
        sb.append(i + 1).append(": ").append(lines[i]).append('\n');
      }
      fail(sb.toString());
    }
    Map<String, byte[]> classes = new LinkedHashMap<>();
    outputs.forEach((name, out) -> classes.put(name, out.toByteArray()));
    return classes;
  }
}
