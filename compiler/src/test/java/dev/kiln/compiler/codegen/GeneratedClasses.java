package dev.kiln.compiler.codegen;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;

import dev.kiln.runtime.KilnModel;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
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
    MemoryClassLoader loader = new MemoryClassLoader(classes, g);
    for (Map.Entry<String, byte[]> e : classes.entrySet()) {
      checkClass(e.getValue(), loader);
    }
    return instantiate(loader, g.options().qualifiedName());
  }

  /** Fails with ASM's report when a class does not verify. */
  static void checkClass(byte[] bytes, ClassLoader loader) {
    StringWriter report = new StringWriter();
    CheckClassAdapter.verify(new ClassReader(bytes), loader, false, new PrintWriter(report));
    assertEquals("", report.toString(), "CheckClassAdapter");
  }

  static KilnModel instantiate(GeneratedModel g, Map<String, byte[]> classes) {
    return instantiate(new MemoryClassLoader(classes, g), g.options().qualifiedName());
  }

  private static KilnModel instantiate(ClassLoader loader, String name) {
    try {
      return (KilnModel) Class.forName(name, true, loader).getConstructor().newInstance();
    } catch (ReflectiveOperationException e) {
      throw new AssertionError("cannot instantiate " + name, e);
    }
  }

  static Class<?> loadClass(GeneratedModel g, Map<String, byte[]> classes) {
    try {
      return Class.forName(g.options().qualifiedName(), false, new MemoryClassLoader(classes, g));
    } catch (ClassNotFoundException e) {
      throw new AssertionError(e);
    }
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

  /** Defines the given classes and serves the model's weights and plan as resources. */
  static final class MemoryClassLoader extends ClassLoader {
    private final Map<String, byte[]> classes;
    private final Map<String, byte[]> resources = new HashMap<>();

    MemoryClassLoader(Map<String, byte[]> classes, GeneratedModel g) {
      super(GeneratedClasses.class.getClassLoader());
      this.classes = classes;
      resources.put(g.weightsPath(), g.weightsFileBytes());
    }

    @Override
    protected Class<?> findClass(String name) throws ClassNotFoundException {
      byte[] bytes = classes.get(name);
      if (bytes == null) {
        throw new ClassNotFoundException(name);
      }
      return defineClass(name, bytes, 0, bytes.length);
    }

    @Override
    public InputStream getResourceAsStream(String name) {
      byte[] bytes = resources.get(name);
      return bytes != null ? new ByteArrayInputStream(bytes) : super.getResourceAsStream(name);
    }
  }
}
