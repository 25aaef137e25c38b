package dev.kiln.compiler.codegen;

import dev.kiln.compiler.Version;
import dev.kiln.compiler.io.AtomicFiles;
import java.io.IOException;
import java.nio.FloatBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.jar.Attributes;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;
import java.util.zip.ZipEntry;

/**
 * The files of one generated model, in memory until written: the code ({@code P/Name.java}, or
 * {@code P/Name.class} and its nested parts), the weights resource {@code P/Name.weights} and the
 * memory plan {@code P/Name.plan.json}, all at paths relative to an output root.
 */
public final class GeneratedModel {
  /** A fixed time for jar entries, so the same model and Kiln build give the same jar. */
  private static final long JAR_ENTRY_TIME = 315_532_800_000L + 86_400_000L * 31;

  private final CodegenOptions options;
  private final Target target;
  private final ModelClass layout;
  private final Map<String, byte[]> code;
  private final FloatBuffer weights;
  private final long weightsCrc32;
  private final String planJson;

  GeneratedModel(CodegenOptions options, Target target, ModelClass layout, Map<String, byte[]> code,
      FloatBuffer weights, long weightsCrc32, String planJson) {
    this.options = options;
    this.target = target;
    this.layout = layout;
    this.code = Collections.unmodifiableMap(new LinkedHashMap<>(code));
    this.weights = weights.asReadOnlyBuffer();
    this.weightsCrc32 = weightsCrc32;
    this.planJson = planJson;
  }

  public CodegenOptions options() {
    return options;
  }

  public Target target() {
    return target;
  }

  public ModelClass layout() {
    return layout;
  }

  /** Source or class files by relative path; the model class first. */
  public Map<String, byte[]> code() {
    return code;
  }

  /** The source, for {@link Target#JAVA}. */
  public String source() {
    if (target != Target.JAVA) {
      throw new IllegalStateException("no source for target " + target.cliName());
    }
    return new String(code.values().iterator().next(), StandardCharsets.UTF_8);
  }

  /** The class files by binary name ({@code p.Name}, {@code p.Name$Part0}), for {@link Target#BYTECODE}. */
  public Map<String, byte[]> classes() {
    if (target != Target.BYTECODE) {
      throw new IllegalStateException("no class files for target " + target.cliName());
    }
    Map<String, byte[]> classes = new LinkedHashMap<>();
    code.forEach((path, bytes) ->
        classes.put(path.substring(0, path.length() - ".class".length()).replace('/', '.'), bytes));
    return classes;
  }

  public String weightsPath() {
    return options.pathBeside(".weights");
  }

  public String planPath() {
    return options.pathBeside(".plan.json");
  }

  public long weightsBytes() {
    return (long) weights.capacity() * Float.BYTES;
  }

  public long weightsCrc32() {
    return weightsCrc32;
  }

  public String planJson() {
    return planJson;
  }

  /** The weights file's bytes; for tests and small models (a large one is streamed by the writers). */
  public byte[] weightsFileBytes() {
    java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream((int) weightsBytes());
    try {
      WeightsFile.write(weights, out);
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
    return out.toByteArray();
  }

  /**
   * Writes every file under {@code root}, each atomically (never a half-written file); the weights
   * first, so a class never sits beside weights older than itself (the CRC would refuse them anyway).
   *
   * @return the files written, in order
   */
  public List<Path> writeTo(Path root) {
    return writeTo(root, root, root);
  }

  /**
   * The same with each kind of file under its own root, as a build tool lays them out: code with
   * the sources (or classes), the weights with the resources, the plan with the reports.
   */
  public List<Path> writeTo(Path codeRoot, Path weightsRoot, Path planRoot) {
    List<Path> written = new ArrayList<>();
    Path weightsFile = weightsRoot.resolve(weightsPath());
    AtomicFiles.write(weightsFile, out -> WeightsFile.write(weights, out));
    written.add(weightsFile);
    Path plan = planRoot.resolve(planPath());
    AtomicFiles.write(plan, planJson.getBytes(StandardCharsets.UTF_8));
    written.add(plan);
    for (Map.Entry<String, byte[]> e : code.entrySet()) {
      Path file = codeRoot.resolve(e.getKey());
      AtomicFiles.write(file, e.getValue());
      written.add(file);
    }
    return written;
  }

  /**
   * Writes a jar with the class files, the weights (stored uncompressed: floats barely compress,
   * and the class loader then reads them without inflating) and the plan, atomically.
   */
  public void writeJar(Path jar) {
    if (target != Target.BYTECODE) {
      throw new IllegalStateException("a jar needs class files; the target is " + target.cliName());
    }
    AtomicFiles.write(jar, stream -> {
      Manifest manifest = new Manifest();
      manifest.getMainAttributes().put(Attributes.Name.MANIFEST_VERSION, "1.0");
      manifest.getMainAttributes().putValue("Created-By", "Kiln " + Version.KILN);
      try (JarOutputStream out = new JarOutputStream(stream)) {
        JarEntry manifestEntry = new JarEntry("META-INF/MANIFEST.MF");
        manifestEntry.setTime(JAR_ENTRY_TIME);
        out.putNextEntry(manifestEntry);
        manifest.write(out);
        out.closeEntry();
        for (Map.Entry<String, byte[]> e : code.entrySet()) {
          JarEntry entry = new JarEntry(e.getKey());
          entry.setTime(JAR_ENTRY_TIME);
          out.putNextEntry(entry);
          out.write(e.getValue());
          out.closeEntry();
        }
        JarEntry w = new JarEntry(weightsPath());
        w.setTime(JAR_ENTRY_TIME);
        w.setMethod(ZipEntry.STORED);
        w.setSize(weightsBytes());
        w.setCompressedSize(weightsBytes());
        w.setCrc(weightsCrc32);
        out.putNextEntry(w);
        WeightsFile.write(weights, out);
        out.closeEntry();
        JarEntry plan = new JarEntry(planPath());
        plan.setTime(JAR_ENTRY_TIME);
        out.putNextEntry(plan);
        out.write(planJson.getBytes(StandardCharsets.UTF_8));
        out.closeEntry();
      }
    });
  }
}
