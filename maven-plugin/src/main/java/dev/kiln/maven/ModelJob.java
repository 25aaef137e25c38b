package dev.kiln.maven;

import dev.kiln.compiler.KilnException;
import dev.kiln.compiler.api.CompileOptions;
import dev.kiln.compiler.api.MemoryMode;
import dev.kiln.compiler.api.MemorySize;
import dev.kiln.compiler.codegen.CodegenOptions;
import dev.kiln.compiler.codegen.JavaNames;
import dev.kiln.compiler.codegen.Target;
import dev.kiln.compiler.importer.ImportOptions;
import dev.kiln.compiler.ir.Shape;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * One model to compile, with every setting resolved: the plugin's settings, then the model's
 * {@code <model>} entry over them.
 *
 * @param relativePath the model's path relative to {@code modelDirectory}, {@code /}-separated
 * @param file the model file
 * @param codegen the generated class's package and name
 * @param target java or bytecode
 * @param options the compile options
 * @param settings the settings that reach the output, one {@code key=value} line each (for the
 *     up-to-date stamp)
 */
record ModelJob(String relativePath, Path file, CodegenOptions codegen, Target target,
    CompileOptions options, List<String> settings) {

  ModelJob {
    settings = List.copyOf(settings);
  }

  /** The plugin-wide settings, as the POM gives them ({@code null} where it gives none). */
  record Defaults(String packageName, String memoryBudget, String memoryMode, String target,
      List<String> inputShapes, Integer threads) {
    Defaults {
      inputShapes = inputShapes == null ? List.of() : List.copyOf(inputShapes);
    }
  }

  /**
   * Resolves the model at {@code relativePath}.
   *
   * @param override the model's {@code <model>} entry, or {@code null}
   * @throws KilnException naming the model and the setting when one is invalid
   */
  static ModelJob of(Path modelDirectory, String relativePath, Defaults defaults, Model override) {
    String where = "model " + relativePath;
    String fileName = relativePath.substring(relativePath.lastIndexOf('/') + 1);

    String className = override != null && override.className != null
        ? override.className.trim()
        : JavaNames.classNameFromFile(fileName);
    try {
      JavaNames.checkClassName(className);
    } catch (KilnException e) {
      throw new KilnException(override != null && override.className != null
          ? where + ": <className> " + e.getMessage()
          : where + ": cannot derive a class name from the file name ('" + className
              + "'); give one with <className> in a <model> entry");
    }

    String packageName;
    if (override != null && override.packageName != null) {
      packageName = override.packageName.trim();
    } else {
      List<String> parts = new ArrayList<>();
      if (defaults.packageName() != null && !defaults.packageName().isBlank()) {
        parts.add(defaults.packageName().trim());
      }
      int slash = relativePath.lastIndexOf('/');
      if (slash > 0) {
        parts.add(relativePath.substring(0, slash).replace('/', '.'));
      }
      packageName = String.join(".", parts);
    }
    try {
      JavaNames.checkPackageName(packageName);
    } catch (KilnException e) {
      throw new KilnException(where + ": package " + e.getMessage() + " (the package is <packageName>"
          + " plus the model's folders under modelDirectory; set <packageName> in a <model> entry"
          + " to choose another)");
    }

    String targetName = pick(override == null ? null : override.target, defaults.target(), "java");
    Target target = null;
    for (Target t : Target.values()) {
      if (t.cliName().equals(targetName.trim().toLowerCase(Locale.ROOT))) {
        target = t;
      }
    }
    if (target == null) {
      throw new KilnException(where + ": <target> '" + targetName + "': expected java or bytecode");
    }

    String budgetText = pick(override == null ? null : override.memoryBudget, defaults.memoryBudget(), null);
    String modeText = pick(override == null ? null : override.memoryMode, defaults.memoryMode(), null);
    if (override != null && override.memoryBudget != null && override.memoryMode == null) {
      modeText = null;
    }
    if (override != null && override.memoryMode != null && override.memoryBudget == null) {
      budgetText = null;
    }
    Long budget;
    MemoryMode mode;
    try {
      budget = budgetText == null ? null : MemorySize.parse(budgetText);
    } catch (KilnException e) {
      throw new KilnException(where + ": <memoryBudget> " + e.getMessage());
    }
    try {
      mode = modeText == null ? null : MemoryMode.parse(modeText);
    } catch (KilnException e) {
      throw new KilnException(where + ": <memoryMode> " + e.getMessage());
    }
    if (budget != null && mode != null) {
      throw new KilnException(where + ": give <memoryBudget> or <memoryMode>, not both");
    }

    List<String> shapeSpecs = override != null && override.inputShapes != null
        ? override.inputShapes
        : defaults.inputShapes();
    Map<String, Shape> shapes = new LinkedHashMap<>();
    for (String spec : shapeSpecs) {
      int eq = spec.lastIndexOf('=');
      if (eq <= 0) {
        throw new KilnException(where + ": <inputShape> '" + spec
            + "': expected NAME=DIMS, e.g. input=1x3x224x224");
      }
      try {
        shapes.put(spec.substring(0, eq).trim(), Shape.parseDims(spec.substring(eq + 1)));
      } catch (KilnException e) {
        throw new KilnException(where + ": <inputShape> " + e.getMessage());
      }
    }

    CompileOptions.Builder options = CompileOptions.builder()
        .importOptions(ImportOptions.withInputShapes(shapes))
        .memoryBudget(budget)
        .memoryMode(mode);
    if (defaults.threads() != null) {
      if (defaults.threads() < 1) {
        throw new KilnException("<threads> must be at least 1, got " + defaults.threads());
      }
      options.threads(defaults.threads());
    }
    CompileOptions built = options.build();

    List<String> settings = new ArrayList<>();
    settings.add("class=" + (packageName.isEmpty() ? className : packageName + "." + className));
    settings.add("target=" + target.cliName());
    settings.add("memoryBudget=" + (budget == null ? "" : budget));
    settings.add("memoryMode=" + (mode == null ? "" : mode.cliName()));
    settings.add("threads=" + built.threads());
    settings.add("inputShapes=" + shapes);
    return new ModelJob(relativePath, modelDirectory.resolve(relativePath),
        CodegenOptions.of(packageName, className), target, built, settings);
  }

  /** The model's value, else the plugin's, else the default. */
  private static String pick(String model, String plugin, String fallback) {
    if (model != null && !model.isBlank()) {
      return model;
    }
    if (plugin != null && !plugin.isBlank()) {
      return plugin;
    }
    return fallback;
  }

  /** {@code com.example.DigitsCnn}. */
  String qualifiedName() {
    return codegen.qualifiedName();
  }
}
