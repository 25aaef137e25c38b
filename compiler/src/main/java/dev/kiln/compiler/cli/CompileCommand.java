package dev.kiln.compiler.cli;

import dev.kiln.compiler.KilnException;
import dev.kiln.compiler.api.CompileOptions;
import dev.kiln.compiler.api.CompileResult;
import dev.kiln.compiler.api.Compiler;
import dev.kiln.compiler.codegen.Codegen;
import dev.kiln.compiler.codegen.CodegenOptions;
import dev.kiln.compiler.codegen.GeneratedModel;
import dev.kiln.compiler.codegen.JavaNames;
import dev.kiln.compiler.codegen.Target;
import dev.kiln.compiler.codegen.opencl.OpenClBackend;
import dev.kiln.compiler.report.CompileReport;
import dev.kiln.compiler.io.AtomicFiles;
import dev.kiln.compiler.report.CompiledLayer;
import dev.kiln.compiler.report.HtmlReport;
import dev.kiln.compiler.report.MachinePeaks;
import dev.kiln.compiler.report.Roofline;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/**
 * {@code kiln compile}: a model to a generated Java class (source or bytecode), its weights resource
 * and its memory plan. The steps stay apart — options, compile, generate, write — so report and
 * budget options can join each step without reshaping the command.
 */
@Command(
    name = "compile",
    mixinStandardHelpOptions = true,
    description = {
      "Compiles a model into a Java class extending dev.kiln.runtime.KilnModel, with its weights"
          + " resource (P/Name.weights), memory plan (P/Name.plan.json) and report"
          + " (P/Name.report.json: each layer's algorithm and why, the memory peak and budget).",
      "Example: kiln compile digits_cnn.onnx -o src/main/java --package com.example --target java"
    })
final class CompileCommand implements Callable<Integer> {
  private static final String OPENCL = "opencl";
  /** Compiles quicker than this print no stage times. */
  private static final long PROGRESS_AFTER_NANOS = 1_000_000_000L;

  @Spec CommandSpec spec;

  @Parameters(index = "0", paramLabel = "MODEL", description = "The model (.onnx or .json).")
  Path model;

  @Option(names = {"-o", "--output"}, paramLabel = "DIR", required = true,
      description = "Output root: files go to DIR/P/Name.* (P the package as folders).")
  Path outputDir;

  @Option(names = "--target", paramLabel = "TARGET", defaultValue = "java",
      description = "java (a .java file), bytecode (.class files, no javac needed) or opencl"
          + " (OpenCL C, plan and a loader class); default: ${DEFAULT-VALUE}.")
  String target;

  @Option(names = "--package", paramLabel = "P", defaultValue = "",
      description = "The generated class's package (default: the unnamed package).")
  String packageName;

  @Option(names = "--class", paramLabel = "NAME",
      description = "The generated class's name (default: from the model file, digits_cnn.onnx ->"
          + " DigitsCnn).")
  String className;

  @Option(names = "--jar", paramLabel = "FILE.jar",
      description = "Also write a jar with the class files, weights and plan (--target bytecode).")
  Path jar;

  @Option(names = "--threads", paramLabel = "N",
      description = "The most threads a session of the compiled model may use: kernel workspace is"
          + " planned for that many (default: this machine's processors).")
  Integer threads;

  @Option(names = {"-q", "--quiet"},
      description = "Print nothing but errors (no stage times, no list of written files).")
  boolean quiet;

  @Option(names = {"-v", "--verbose"},
      description = "Print each stage's time even when the compile is quick (by default only"
          + " compiles over a second print them).")
  boolean verbose;

  @Option(names = "--report", paramLabel = "FILE",
      description = "Where to write report.json (default: DIR/P/Name.report.json).")
  Path report;

  @Option(names = "--html", paramLabel = "FILE",
      description = "Also write a self-contained HTML report: the roofline with each layer at its"
          + " arithmetic intensity, the memory plan as a timeline, and each layer's algorithm with"
          + " the reason it was chosen.")
  Path html;

  @Mixin InputOptions inputOptions;

  @Mixin SelectionOptions selectionOptions;

  @Override
  public Integer call() {
    boolean openCl = target.equals(OPENCL);
    Target chosen = openCl ? null : parseTarget(target);
    if (jar != null && chosen != Target.BYTECODE) {
      throw new KilnException("--jar needs --target bytecode (a jar holds class files)");
    }
    if (html != null && openCl) {
      throw new KilnException("--html draws the CPU's roofline; it does not go with --target opencl");
    }
    CodegenOptions options = codegenOptions();
    checkOutputDir(outputDir);

    CompileOptions.Builder compileOptions = CompileOptions.builder()
        .importOptions(inputOptions.importOptions());
    if (openCl) {
      selectionOptions.applyToDevice(compileOptions);
    } else {
      selectionOptions.applyTo(compileOptions);
    }
    if (threads != null) {
      compileOptions.threads(threads);
    }
    if (quiet && verbose) {
      throw new KilnException("give --quiet or --verbose, not both");
    }
    StageProgress progress = new StageProgress(spec.commandLine().getErr(),
        quiet ? Long.MAX_VALUE : verbose ? 0 : PROGRESS_AFTER_NANOS, System::nanoTime);
    // --target opencl: the device's own convolution algorithms, selected by the same stage under
    // the device memory budget; Name.cl, Name.clplan.json, Name.weights and a thin Name.java loader.
    CompileResult result = openCl ? OpenClBackend.compile(model, compileOptions.build(), progress)
        : Compiler.compile(model, compileOptions.build(), progress);

    long emissionStart = System.nanoTime();
    List<Path> written = new ArrayList<>();
    if (openCl) {
      written.addAll(OpenClBackend.emit(OpenClBackend.generate(result, options.className()),
          outputDir, options.packageName()));
    } else {
      GeneratedModel generated = Codegen.generate(result.program(), chosen,
          options.withModel(model.getFileName().toString(), sha256(model)));
      written.addAll(generated.writeTo(outputDir));
      if (jar != null) {
        generated.writeJar(jar);
        written.add(jar);
      }
    }
    progress.stageDone("emission", System.nanoTime() - emissionStart);

    PrintWriter out = spec.commandLine().getOut();
    if (!quiet) {
      for (Path file : written) {
        out.println("wrote " + file);
      }
    }
    Path reportFile = report != null ? report : outputDir.resolve(options.pathBeside(".report.json"));
    CompileReport.write(reportFile, result);
    if (!quiet) {
      out.println("wrote " + reportFile);
      out.println("summary: " + CompileReport.summary(result.selection()));
    }
    if (html != null) {
      String page = HtmlReport.render(result, CompiledLayer.of(result),
          Roofline.of(MachinePeaks.of(selectionOptions.machineProfile()),
              result.program().maxThreads()),
          model.toString(), null);
      AtomicFiles.write(html, page.getBytes(StandardCharsets.UTF_8));
      if (!quiet) {
        out.println("wrote " + html);
      }
    }
    return Main.OK;
  }

  private static Target parseTarget(String name) {
    for (Target t : Target.values()) {
      if (t.cliName().equals(name)) {
        return t;
      }
    }
    throw new KilnException("--target '" + name + "': expected java, bytecode or opencl");
  }

  private CodegenOptions codegenOptions() {
    try {
      JavaNames.checkPackageName(packageName);
    } catch (KilnException e) {
      throw new KilnException("--package " + e.getMessage());
    }
    String name = className;
    if (name == null) {
      name = JavaNames.classNameFromFile(model.getFileName().toString());
      try {
        JavaNames.checkClassName(name);
      } catch (KilnException e) {
        throw new KilnException(model + ": cannot derive a class name from the file name ('" + name
            + "'); give one with --class");
      }
    } else {
      try {
        JavaNames.checkClassName(name);
      } catch (KilnException e) {
        throw new KilnException("--class " + e.getMessage());
      }
    }
    return CodegenOptions.of(packageName, name);
  }

  /** Fails before compiling when the output folder cannot be one. */
  private static void checkOutputDir(Path dir) {
    Path existing = dir.toAbsolutePath();
    while (existing != null && !Files.exists(existing)) {
      existing = existing.getParent();
    }
    if (existing != null && !Files.isDirectory(existing)) {
      throw new KilnException("-o " + dir + ": " + existing + " is not a directory");
    }
    if (existing != null && !Files.isWritable(existing)) {
      throw new KilnException("-o " + dir + ": " + existing + " is not writable");
    }
  }

  private static String sha256(Path file) {
    try (InputStream in = Files.newInputStream(file)) {
      MessageDigest digest = MessageDigest.getInstance("SHA-256");
      byte[] buffer = new byte[1 << 16];
      for (int n; (n = in.read(buffer)) > 0; ) {
        digest.update(buffer, 0, n);
      }
      return HexFormat.of().formatHex(digest.digest());
    } catch (IOException e) {
      throw new KilnException(file + ": cannot read: " + e.getMessage());
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every JVM has SHA-256", e);
    }
  }
}
