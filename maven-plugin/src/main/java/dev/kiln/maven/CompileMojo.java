package dev.kiln.maven;

import dev.kiln.compiler.KilnException;
import dev.kiln.compiler.Version;
import dev.kiln.compiler.api.CompileListener;
import dev.kiln.compiler.api.CompileResult;
import dev.kiln.compiler.api.Compiler;
import dev.kiln.compiler.api.MemorySize;
import dev.kiln.compiler.codegen.Codegen;
import dev.kiln.compiler.codegen.GeneratedModel;
import dev.kiln.compiler.codegen.Target;
import dev.kiln.compiler.report.CompileReport;
import dev.kiln.runtime.KilnModel;
import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.CodeSource;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;
import org.apache.maven.model.Resource;
import org.apache.maven.plugin.AbstractMojo;
import org.apache.maven.plugin.MojoExecution;
import org.apache.maven.plugin.MojoExecutionException;
import org.apache.maven.plugin.MojoFailureException;
import org.apache.maven.plugins.annotations.LifecyclePhase;
import org.apache.maven.plugins.annotations.Mojo;
import org.apache.maven.plugins.annotations.Parameter;
import org.apache.maven.project.MavenProject;
import org.codehaus.plexus.util.DirectoryScanner;

/**
 * Compiles the models in {@code src/main/kiln} (ONNX, or Kiln JSON graphs) into Java classes the
 * project's code imports: the source goes to {@code target/generated-sources/kiln} (a compile source
 * root), the weights to {@code target/generated-resources/kiln} (a resource folder, not filtered),
 * the memory plan to {@code target/kiln}. With {@code target=bytecode} the class files go straight
 * to {@code target/classes}. A model whose file, options and Kiln build are unchanged since the last
 * build is not compiled again.
 */
@Mojo(name = "compile", defaultPhase = LifecyclePhase.GENERATE_SOURCES, threadSafe = true)
public class CompileMojo extends AbstractMojo {
  private static final List<String> DEFAULT_INCLUDES = List.of("**/*.onnx", "**/*.json");

  @Parameter(defaultValue = "${project}", readonly = true, required = true)
  private MavenProject project;

  @Parameter(defaultValue = "${mojoExecution}", readonly = true, required = true)
  private MojoExecution mojoExecution;

  /** The folder the models are in; their subfolders become packages under {@code packageName}. */
  @Parameter(property = "kiln.modelDirectory", defaultValue = "${project.basedir}/src/main/kiln")
  private File modelDirectory;

  /** Which files under {@code modelDirectory} are models (Ant patterns); default {@code **}{@code /*.onnx} and {@code **}{@code /*.json}. */
  @Parameter
  private List<String> includes;

  /** Files under {@code modelDirectory} that are not models, though {@code includes} matches them. */
  @Parameter
  private List<String> excludes;

  /**
   * The package of the generated classes, to which a model's subfolders under {@code
   * modelDirectory} are appended. Default: none, which puts models at the top of {@code
   * modelDirectory} in the unnamed package (which no named package can import).
   */
  @Parameter(property = "kiln.packageName")
  private String packageName;

  /** Per-model settings: class name, package, budget, memory mode, target, input shapes. */
  @Parameter
  private List<Model> models;

  /**
   * The most bytes a model instance may hold (weights plus one session's arena), e.g. {@code 24MiB}
   * or {@code 100MB}; Kiln picks each layer's algorithm to fit. Exclusive with {@code memoryMode}.
   */
  @Parameter(property = "kiln.memoryBudget")
  private String memoryBudget;

  /** {@code low}, {@code balanced} or {@code fast}, when no {@code memoryBudget} is given. */
  @Parameter(property = "kiln.memoryMode")
  private String memoryMode;

  /** {@code java} (a source file compiled with the project) or {@code bytecode} (class files). */
  @Parameter(property = "kiln.target", defaultValue = "java")
  private String target;

  /** Shapes for graph inputs, {@code NAME=DIMS} each (e.g. {@code input=1x3x224x224}). */
  @Parameter
  private List<String> inputShapes;

  /**
   * The most threads a session of a generated model may use (kernel workspace is planned for that
   * many). Default: the processors of the machine that builds.
   */
  @Parameter(property = "kiln.threads")
  private Integer threads;

  /** Compile nothing (the folders of an earlier build are still added to the project). */
  @Parameter(property = "kiln.skip", defaultValue = "false")
  private boolean skip;

  @Parameter(defaultValue = "${project.build.directory}/generated-sources/kiln", required = true)
  private File sourceDirectory;

  @Parameter(defaultValue = "${project.build.directory}/generated-resources/kiln", required = true)
  private File resourceDirectory;

  /**
   * Memory plans ({@code P/Name.plan.json}), algorithm reports ({@code P/Name.report.json}) and
   * up-to-date stamps ({@code stamps/}).
   */
  @Parameter(defaultValue = "${project.build.directory}/kiln", required = true)
  private File reportDirectory;

  /** Where {@code target=bytecode} writes class files. */
  @Parameter(defaultValue = "${project.build.outputDirectory}", required = true)
  private File classesDirectory;

  @Override
  public void execute() throws MojoExecutionException, MojoFailureException {
    if (skip) {
      getLog().info("Kiln: skipped (kiln.skip)");
      addOutputFolders(Files.isDirectory(sourceDirectory.toPath()));
      return;
    }
    if (!modelDirectory.isDirectory()) {
      getLog().info("Kiln: no models (" + relative(modelDirectory.toPath()) + " does not exist)");
      return;
    }
    List<ModelJob> jobs;
    try {
      jobs = jobs();
    } catch (KilnException e) {
      throw new MojoFailureException(e.getMessage());
    }
    if (jobs.isEmpty()) {
      getLog().info("Kiln: no models in " + relative(modelDirectory.toPath()) + " match "
          + includesOrDefault());
    }
    for (ModelJob job : jobs) {
      compile(job);
    }
    removeStaleOutputs(jobs);
    addOutputFolders(jobs.stream().anyMatch(j -> j.target() == Target.JAVA));
  }

  /** The included models, resolved, in path order; fails on names two models would share. */
  private List<ModelJob> jobs() {
    DirectoryScanner scanner = new DirectoryScanner();
    scanner.setBasedir(modelDirectory);
    scanner.setIncludes(includesOrDefault().toArray(String[]::new));
    if (excludes != null) {
      scanner.setExcludes(excludes.toArray(String[]::new));
    }
    scanner.addDefaultExcludes();
    scanner.scan();
    String[] found = scanner.getIncludedFiles();
    Arrays.sort(found);

    Map<String, Model> overrides = new LinkedHashMap<>();
    for (Model m : models == null ? List.<Model>of() : models) {
      if (m.file == null || m.file.isBlank()) {
        throw new KilnException("a <model> entry has no <file> (the model's path relative to "
            + relative(modelDirectory.toPath()) + ")");
      }
      String key = m.file.trim().replace('\\', '/');
      if (overrides.put(key, m) != null) {
        throw new KilnException("two <model> entries for " + key);
      }
    }

    ModelJob.Defaults defaults = new ModelJob.Defaults(packageName, memoryBudget, memoryMode, target,
        inputShapes, threads);
    List<ModelJob> jobs = new ArrayList<>();
    Map<String, String> classes = new HashMap<>();
    for (String path : found) {
      String relativePath = path.replace(File.separatorChar, '/');
      ModelJob job = ModelJob.of(modelDirectory.toPath(), relativePath, defaults,
          overrides.remove(relativePath));
      String other = classes.put(job.qualifiedName().toLowerCase(Locale.ROOT), relativePath);
      if (other != null) {
        // Lower case: the classes' files would collide on case-insensitive file systems.
        throw new KilnException("models " + other + " and " + relativePath + " would both generate "
            + job.qualifiedName() + "; give one a <className> in a <model> entry");
      }
      jobs.add(job);
    }
    if (!overrides.isEmpty()) {
      throw new KilnException("<model> entries name files that are not included models: "
          + String.join(", ", overrides.keySet()) + " (models found: " + String.join(", ",
              jobs.stream().map(ModelJob::relativePath).toList()) + ")");
    }
    if (jobs.stream().anyMatch(j -> j.codegen().packageName().isEmpty())) {
      getLog().warn("Kiln: classes in the unnamed package cannot be imported from a named package;"
          + " set <packageName>");
    }
    return jobs;
  }

  /** Compiles one model unless its stamp says it is up to date. */
  private void compile(ModelJob job) throws MojoFailureException, MojoExecutionException {
    Path stampFile = stampDirectory().resolve(job.qualifiedName() + ".stamp");
    List<String> inputs = new ArrayList<>();
    inputs.add("kiln=" + KilnBuild.ID);
    inputs.add("execution=" + mojoExecution.getExecutionId());
    String modelSha256;
    try {
      modelSha256 = ModelInputs.sha256(job.file());
      for (String line : ModelInputs.fingerprint(job.file(), modelSha256)) {
        inputs.add("input=" + line);
      }
    } catch (UncheckedIOException e) {
      throw new MojoFailureException(e.getMessage());
    }
    inputs.addAll(job.settings());
    Path codeRoot = (job.target() == Target.JAVA ? sourceDirectory : classesDirectory).toPath();
    inputs.add("code=" + codeRoot.toAbsolutePath());
    inputs.add("resources=" + resourceDirectory.toPath().toAbsolutePath());

    Optional<Stamp> previous = Stamp.read(stampFile);
    if (previous.isPresent() && previous.get().upToDate(inputs)) {
      getLog().info("Kiln: " + job.relativePath() + " is up to date (" + job.qualifiedName() + ")");
      return;
    }

    long start = System.nanoTime();
    try {
      previous.ifPresent(stamp -> stamp.deleteOutputs(outputRoots()));
      CompileListener stages = (stage, nanos) -> getLog().debug(String.format(Locale.ROOT,
          "Kiln: %s: %s %.2f s", job.relativePath(), stage.displayName(), nanos / 1e9));
      CompileResult result = Compiler.compile(job.file(), job.options(), stages);
      GeneratedModel generated = Codegen.generate(result.program(), job.target(),
          job.codegen().withModel(job.file().getFileName().toString(), modelSha256));
      List<Path> written = new ArrayList<>(generated.writeTo(codeRoot, resourceDirectory.toPath(),
          reportDirectory.toPath()));
      Path report = reportDirectory.toPath().resolve(job.codegen().pathBeside(".report.json"));
      CompileReport.write(report, result);
      written.add(report);
      new Stamp(inputs, written).write(stampFile);
      long arenaBytes = result.plan().arenaBytes();
      getLog().info(String.format(Locale.ROOT, "Kiln: %s -> %s (%s; weights %s, arena %s) in %.1f s",
          job.relativePath(), job.qualifiedName(), job.target().cliName(),
          MemorySize.format(generated.weightsBytes()), MemorySize.format(arenaBytes),
          (System.nanoTime() - start) / 1e9));
      getLog().info("Kiln: " + job.relativePath() + ": " + CompileReport.summary(result.selection()));
    } catch (KilnException e) {
      throw new MojoFailureException(withPath(e.getMessage(), job));
    } catch (UncheckedIOException e) {
      throw new MojoFailureException(e.getMessage());
    } catch (RuntimeException e) {
      throw new MojoExecutionException("Kiln failed on " + job.relativePath()
          + " (a bug in Kiln, please report it): " + e, e);
    }
  }

  /**
   * Kiln's messages name the model by file name ({@code digits.onnx: node ...}); the build log
   * names it by its path in the project, which also tells apart models in different folders.
   */
  private String withPath(String message, ModelJob job) {
    String fileName = job.file().getFileName().toString();
    String path = relative(job.file());
    if (message.startsWith(fileName + ":")) {
      return path + message.substring(fileName.length());
    }
    if (message.startsWith(job.file() + ":")) {
      return path + message.substring(job.file().toString().length());
    }
    return path + ": " + message;
  }

  /**
   * Deletes what this execution generated for models that are gone (removed, renamed or now
   * excluded), so a stale class never compiles with the project.
   */
  private void removeStaleOutputs(List<ModelJob> jobs) throws MojoFailureException {
    Path dir = stampDirectory();
    if (!Files.isDirectory(dir)) {
      return;
    }
    List<Path> stamps;
    try (Stream<Path> files = Files.list(dir)) {
      stamps = files.filter(p -> p.getFileName().toString().endsWith(".stamp")).toList();
    } catch (IOException e) {
      throw new MojoFailureException(dir + ": cannot list: " + e.getMessage());
    }
    List<String> current = jobs.stream().map(j -> j.qualifiedName() + ".stamp").toList();
    for (Path stampFile : stamps) {
      if (current.contains(stampFile.getFileName().toString())) {
        continue;
      }
      Optional<Stamp> stamp = Stamp.read(stampFile);
      if (stamp.isEmpty() || !stamp.get().value("execution")
          .equals(Optional.of(mojoExecution.getExecutionId()))) {
        continue;
      }
      try {
        stamp.get().deleteOutputs(outputRoots());
        Files.deleteIfExists(stampFile);
      } catch (KilnException | IOException e) {
        throw new MojoFailureException(e.getMessage());
      }
      String name = stampFile.getFileName().toString();
      getLog().info("Kiln: removed the outputs of " + name.substring(0, name.length() - ".stamp".length())
          + " (its model is no longer included)");
    }
  }

  /** Adds the generated sources as a compile source root and the weights as a resource folder. */
  private void addOutputFolders(boolean sources) {
    if (sources) {
      project.addCompileSourceRoot(sourceDirectory.getAbsolutePath());
    }
    String weights = resourceDirectory.getAbsolutePath();
    boolean present = project.getResources().stream()
        .anyMatch(r -> new File(r.getDirectory()).getAbsolutePath().equals(weights));
    if (!present) {
      Resource resource = new Resource();
      resource.setDirectory(weights);
      resource.setFiltering(false);
      project.addResource(resource);
    }
  }

  /** Where this execution writes; it deletes nothing elsewhere. */
  private List<Path> outputRoots() {
    return List.of(sourceDirectory.toPath(), resourceDirectory.toPath(), reportDirectory.toPath(),
        classesDirectory.toPath());
  }

  private Path stampDirectory() {
    return reportDirectory.toPath().resolve("stamps");
  }

  private List<String> includesOrDefault() {
    return includes == null || includes.isEmpty() ? DEFAULT_INCLUDES : includes;
  }

  /** {@code src/main/kiln/digits.onnx}: relative to the project when inside it. */
  private String relative(Path path) {
    Path base = project.getBasedir().toPath().toAbsolutePath();
    Path abs = path.toAbsolutePath();
    return abs.startsWith(base) ? base.relativize(abs).toString() : abs.toString();
  }

  /**
   * The Kiln build that generates: its version and a digest of the compiler's and runtime's jars,
   * so that a rebuilt snapshot of Kiln recompiles every model.
   */
  static final class KilnBuild {
    static final String ID = Version.KILN + " " + jarDigest(Compiler.class) + " "
        + jarDigest(KilnModel.class);

    private KilnBuild() {}

    private static String jarDigest(Class<?> c) {
      CodeSource source = c.getProtectionDomain().getCodeSource();
      if (source == null) {
        return "?";
      }
      try {
        Path location = Path.of(source.getLocation().toURI());
        return Files.isRegularFile(location) ? ModelInputs.sha256(location).substring(0, 16) : "dir";
      } catch (URISyntaxException | IllegalArgumentException | UncheckedIOException e) {
        return "?";
      }
    }
  }
}
