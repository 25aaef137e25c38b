package dev.kiln.compiler.cli;

import dev.kiln.compiler.KilnException;
import dev.kiln.compiler.api.CompileOptions;
import dev.kiln.compiler.api.Compiler;
import dev.kiln.compiler.exec.ProgramModel;
import dev.kiln.compiler.importer.ImportOptions;
import dev.kiln.compiler.importer.ModelImporter;
import dev.kiln.compiler.io.TensorFiles;
import dev.kiln.compiler.ir.Graph;
import dev.kiln.compiler.ir.Shape;
import dev.kiln.compiler.ir.Tensor;
import dev.kiln.compiler.ir.Value;
import dev.kiln.compiler.lower.Program;
import dev.kiln.runtime.Session;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/** {@code kiln run}: executes a model on input files and writes its outputs. */
@Command(
    name = "run",
    mixinStandardHelpOptions = true,
    description = {
      "Runs a model on input tensors (.npy float32 C-order, or ONNX TensorProto .pb) and writes its"
          + " outputs as .npy (or .pb).",
      "Runs the optimized graph (fused convolutions, folded BatchNormalization) unless"
          + " --no-optimize is given.",
      "Example: kiln run model.onnx --input input=image.npy --output logits.npy"
    })
final class RunCommand implements Callable<Integer> {
  @Spec CommandSpec spec;

  @Parameters(index = "0", paramLabel = "MODEL", description = "The model (.onnx or .json).")
  Path model;

  @Option(names = {"-i", "--input"}, paramLabel = "[NAME=]FILE", required = true,
      description = "Data for a graph input; NAME may be left out when the model has one input.")
  List<String> inputs = new ArrayList<>();

  @Option(names = {"-o", "--output"}, paramLabel = "[NAME=]FILE",
      description = "Where to write an output; without NAME, the first output."
          + " Without --output, a summary of each output is printed.")
  List<String> outputs = new ArrayList<>();

  @Option(names = "--threads", paramLabel = "N", defaultValue = "1",
      description = "Intra-op threads (default: ${DEFAULT-VALUE}).")
  int threads;

  @Option(names = "--no-optimize",
      description = "Run the graph as imported, without Kiln's optimization passes.")
  boolean noOptimize;

  @Option(names = "--target", paramLabel = "TARGET", defaultValue = "cpu",
      description = "Where to run: cpu (the interpreter on the planned arena) or opencl (the"
          + " generated OpenCL program on a device; default: ${DEFAULT-VALUE}).")
  String target;

  @Option(names = "--opencl-device", paramLabel = "DEVICE",
      description = "With --target opencl: a device index, gpu, cpu, or part of its name"
          + " (default: KILN_OPENCL_DEVICE, else the first GPU, else the first device).")
  String openClDevice;

  @Mixin InputOptions inputOptions;

  @Mixin SelectionOptions selectionOptions;

  @Override
  public Integer call() {
    if (threads < 1) {
      throw new KilnException("--threads must be at least 1, got " + threads);
    }
    if (!target.equals("cpu") && !target.equals("opencl")) {
      throw new KilnException("--target must be cpu or opencl, got '" + target + "'");
    }
    CompileOptions.Builder compileOptions = (target.equals("opencl")
        ? selectionOptions.applyToDevice(CompileOptions.builder())
        : selectionOptions.applyTo(CompileOptions.builder())).optimize(!noOptimize).threads(threads);
    Map<String, Path> inputFiles = new LinkedHashMap<>();
    for (String spec : inputs) {
      String[] nameAndFile = splitNamed(spec);
      if (inputFiles.put(nameAndFile[0], Path.of(nameAndFile[1])) != null) {
        throw new KilnException("--input given twice for "
            + (nameAndFile[0].isEmpty() ? "the model's input" : "'" + nameAndFile[0] + "'"));
      }
    }
    Map<String, Tensor> data = new LinkedHashMap<>();
    Map<String, Shape> hints = new LinkedHashMap<>();
    for (Map.Entry<String, Path> e : inputFiles.entrySet()) {
      Tensor t = TensorFiles.read(e.getValue());
      data.put(e.getKey(), t);
      hints.put(e.getKey(), t.shape());
    }
    Graph graph = ModelImporter.load(model, new ImportOptions(inputOptions.shapes(), hints));

    Map<String, Tensor> feeds = new LinkedHashMap<>();
    Map<String, Path> feedFiles = new LinkedHashMap<>();
    for (Map.Entry<String, Tensor> e : data.entrySet()) {
      String name = e.getKey();
      if (name.isEmpty()) {
        if (graph.inputs().size() != 1) {
          throw new KilnException(model + ": the model has " + graph.inputs().size()
              + " inputs; name each with --input NAME=FILE (inputs: " + inputNames(graph) + ")");
        }
        name = graph.inputs().get(0).name();
      }
      if (!graph.isGraphInput(name)) {
        throw new KilnException(model + ": the model has no input named '" + name + "' (inputs: "
            + inputNames(graph) + ")");
      }
      feeds.put(name, e.getValue());
      feedFiles.put(name, inputFiles.get(e.getKey()));
    }
    for (Value in : graph.inputs()) {
      Tensor t = feeds.get(in.name());
      if (t == null) {
        throw new KilnException(model + ": no --input for '" + in.name() + "' (" + in.type() + ")");
      }
      if (!t.type().equals(in.type())) {
        throw new KilnException(feedFiles.get(in.name()) + ": holds " + t.type() + " but input '"
            + in.name() + "' of " + model.getFileName() + " is " + in.type());
      }
    }

    Map<String, Path> outputFiles = new LinkedHashMap<>();
    for (String spec : outputs) {
      String[] nameAndFile = splitNamed(spec);
      String name = nameAndFile[0].isEmpty() ? graph.outputs().get(0) : nameAndFile[0];
      if (!graph.isGraphOutput(name)) {
        throw new KilnException(model + ": the model has no output named '" + name + "' (outputs: "
            + String.join(", ", graph.outputs()) + ")");
      }
      outputFiles.put(name, Path.of(nameAndFile[1]));
    }

    Map<String, Tensor> results;
    if (target.equals("opencl")) {
      Main.announceKernels(spec.commandLine().getErr());
      results = OpenClRun.run(graph, feeds, openClDevice, compileOptions.build());
    } else {
      // The lowered program, run directly: the same program the Java and bytecode backends emit,
      // so `kiln run` shows what a compiled model computes (and exercises its memory plan).
      // Compiled before the kernels line, so a compile error (an infeasible budget) is one line.
      Program program = Compiler.compile(graph, compileOptions.build()).program();
      Main.announceKernels(spec.commandLine().getErr());
      Map<String, float[]> named = new LinkedHashMap<>();
      feeds.forEach((name, t) -> named.put(name, t.toFloatArray()));
      Map<String, float[]> computed;
      try (ProgramModel compiled = new ProgramModel(program);
          Session session = compiled.newSession(threads)) {
        computed = session.run(named);
      }
      results = new LinkedHashMap<>();
      for (Program.IoSlot slot : program.outputs()) {
        results.put(slot.name(), Tensor.adopt(Shape.of(slot.shape()), computed.get(slot.name())));
      }
    }

    PrintWriter out = spec.commandLine().getOut();
    if (outputFiles.isEmpty()) {
      for (Map.Entry<String, Tensor> e : results.entrySet()) {
        out.println(summary(e.getKey(), e.getValue()));
      }
    }
    for (Map.Entry<String, Path> e : outputFiles.entrySet()) {
      TensorFiles.write(e.getValue(), results.get(e.getKey()), e.getKey());
    }
    return Main.OK;
  }

  /**
   * {@code NAME=FILE} or {@code FILE}: the part before the first '=' is a name only when it contains
   * no path separator, so file names with '=' still work when given with a directory.
   */
  static String[] splitNamed(String spec) {
    int eq = spec.indexOf('=');
    if (eq > 0 && spec.substring(0, eq).indexOf('/') < 0) {
      return new String[] {spec.substring(0, eq), spec.substring(eq + 1)};
    }
    return new String[] {"", spec};
  }

  private static String inputNames(Graph graph) {
    return String.join(", ", graph.inputs().stream().map(Value::name).toList());
  }

  /** {@code output: float32[1,10] min -1.2 max 3.4 argmax 7}. */
  private static String summary(String name, Tensor t) {
    StringBuilder sb = new StringBuilder(name).append(": ").append(t.type());
    int n = t.elementCount();
    if (n > 0 && t.isFloat()) {
      float min = Float.POSITIVE_INFINITY;
      float max = Float.NEGATIVE_INFINITY;
      int argmax = 0;
      for (int i = 0; i < n; i++) {
        float v = t.floatAt(i);
        min = Math.min(min, v);
        if (v > max) {
          max = v;
          argmax = i;
        }
      }
      sb.append(String.format(java.util.Locale.ROOT, " min %.6g max %.6g argmax %d", min, max, argmax));
    }
    return sb.toString();
  }
}
