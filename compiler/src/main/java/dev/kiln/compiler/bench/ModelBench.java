package dev.kiln.compiler.bench;

import dev.kiln.compiler.KilnException;
import dev.kiln.compiler.api.CompileOptions;
import dev.kiln.compiler.api.SelectionSettings;
import dev.kiln.compiler.api.CompileResult;
import dev.kiln.compiler.api.Compiler;
import dev.kiln.compiler.codegen.Codegen;
import dev.kiln.compiler.codegen.CodegenOptions;
import dev.kiln.compiler.codegen.GeneratedModel;
import dev.kiln.compiler.codegen.ModelClassLoader;
import dev.kiln.compiler.codegen.Target;
import dev.kiln.compiler.codegen.opencl.OpenClArtifact;
import dev.kiln.compiler.codegen.opencl.OpenClBackend;
import dev.kiln.compiler.codegen.opencl.OpenClTiming;
import dev.kiln.compiler.importer.ImportOptions;
import dev.kiln.compiler.ir.Shape;
import dev.kiln.compiler.ir.Tensor;
import dev.kiln.compiler.report.CompiledLayer;
import dev.kiln.compiler.report.MachinePeaks;
import dev.kiln.compiler.select.MachineProfile;
import dev.kiln.compiler.report.Roofline;
import dev.kiln.runtime.KilnModel;
import dev.kiln.runtime.Session;
import dev.kiln.runtime.TensorInfo;
import dev.kiln.runtime.opencl.OpenClContext;
import dev.kiln.runtime.opencl.OpenClException;
import dev.kiln.runtime.opencl.OpenClModel;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * {@code kiln bench MODEL} from model file to {@link BenchReport}: compile to bytecode, load the
 * generated class in memory (what users run, not the interpreter), run {@link ModelBenchmark}'s
 * protocol, and beside it ONNX Runtime on the same model, input and thread count; or, on an OpenCL
 * device, time runs to the read-back ({@link OpenClTiming}).
 */
public final class ModelBench {
  /** Seed of the input when no file is given: uniform in [-1, 1). */
  public static final long RANDOM_INPUT_SEED = 1;

  private ModelBench() {}

  /**
   * @param inputs input data by input name ({@link ImportOptions#SOLE_INPUT} for the only one);
   *     inputs without data get seeded random values
   * @param inputFiles where each input came from, for the report
   * @param selection the budget, mode and autotuning (with {@code openCl}: of the device memory;
   *     no autotuning)
   * @param machine the machine profile the CPU selection estimates with
   * @param compareOrt run ONNX Runtime beside Kiln
   * @param ortJar ONNX Runtime's jar when it is not on the class path, or null
   * @param openCl run on an OpenCL device instead of the CPU
   * @param openClDevice the device selector, or null for the default
   * @param peaks the machine's peaks, for the roofline
   */
  public record Settings(Path model, Map<String, Shape> inputShapes, Map<String, Tensor> inputs,
      Map<String, Path> inputFiles, int threads, ModelBenchmark.Protocol protocol,
      SelectionSettings selection, MachineProfile machine, boolean compareOrt, Path ortJar, boolean openCl, String openClDevice, MachinePeaks peaks) {
    public Settings {
      inputShapes = Map.copyOf(inputShapes);
      inputs = Collections.unmodifiableMap(new LinkedHashMap<>(inputs));
      inputFiles = Collections.unmodifiableMap(new LinkedHashMap<>(inputFiles));
      if (threads < 1) {
        throw new KilnException("--threads must be at least 1, got " + threads);
      }
      if (compareOrt && openCl) {
        throw new KilnException("--compare-ort runs ONNX Runtime's CPU provider beside Kiln's CPU"
            + " code; it does not go with --target opencl");
      }
      if (compareOrt && !model.getFileName().toString().toLowerCase(Locale.ROOT).endsWith(".onnx")) {
        throw new KilnException("--compare-ort needs an ONNX model (ONNX Runtime cannot read "
            + model.getFileName() + ")");
      }
    }
  }

  /** A bench result with the compilation it measured. */
  public record Outcome(BenchReport report, CompileResult compiled, List<CompiledLayer> layers) {}

  public static Outcome run(Settings s) {
    if (s.compareOrt()) {
      // Before compiling, which may take seconds: a missing ONNX Runtime is the user's to fix first.
      OrtLoader.find(OrtRunner.class.getClassLoader(), s.ortJar());
    }
    return s.openCl() ? runOpenCl(s) : runCpu(s);
  }

  private static CompileOptions compileOptions(Settings s, Map<String, Shape> hints) {
    CompileOptions.Builder b = CompileOptions.builder()
        .importOptions(new ImportOptions(s.inputShapes(), hints))
        .threads(s.threads()).selection(s.selection());
    if (!s.openCl()) {
      b.machineProfile(s.machine());
    }
    return b.build();
  }

  private static Map<String, Shape> hints(Settings s) {
    Map<String, Shape> hints = new HashMap<>();
    s.inputs().forEach((name, t) -> hints.put(name, t.shape()));
    return hints;
  }

  private static Outcome runCpu(Settings s) {
    long t0 = System.nanoTime();
    CompileResult result = Compiler.compile(s.model(), compileOptions(s, hints(s)));
    GeneratedModel generated = Codegen.generate(result.program(), Target.BYTECODE,
        CodegenOptions.of("dev.kiln.bench", "BenchModel")
            .withModel(s.model().getFileName().toString(), ""));
    long t1 = System.nanoTime();
    KilnModel model = ModelClassLoader.instantiate(generated);
    long t2 = System.nanoTime();
    try (model) {
      Map<String, float[]> inputs = inputData(model.inputs(), s);
      double firstRunMs = firstRun(model, inputs, s.threads());

      OrtRunner ort = null;
      long ortRss = -1;
      if (s.compareOrt()) {
        long rssBefore = ProcessMemory.rssBytes();
        List<OrtRunner.Input> ortInputs = new ArrayList<>();
        for (TensorInfo t : model.inputs()) {
          long[] shape = new long[t.shape().length];
          for (int i = 0; i < shape.length; i++) {
            shape[i] = t.shape()[i];
          }
          ortInputs.add(new OrtRunner.Input(t.name(), shape, inputs.get(t.name())));
        }
        ort = OrtRunner.open(s.model(), ortInputs, s.threads(), s.ortJar());
        // Its first run sizes ONNX Runtime's arena; measured before warm-up garbage grows the heap.
        ort.run();
        long rssAfter = ProcessMemory.rssBytes();
        ortRss = rssBefore < 0 || rssAfter < 0 ? -1 : rssAfter - rssBefore;
      }
      ModelBenchmark.Measurement m;
      BenchReport.OrtComparison comparison = null;
      try {
        m = ModelBenchmark.measure(model, inputs, s.threads(), ort, s.protocol(), System::nanoTime);
        if (ort != null) {
          double[] diff = maxAbsDiff(m.kilnOutputs(), ort.outputs());
          comparison = new BenchReport.OrtComparison(ort.version(), RunStats.ofNanos(m.ortNanos()),
              ortRss, diff[0], diff[1]);
        }
      } finally {
        if (ort != null) {
          ort.close();
        }
      }
      List<CompiledLayer> layers = CompiledLayer.of(result);
      RunStats kiln = m.kiln();
      BenchReport.Profile profile = s.protocol().profile()
          ? new BenchReport.Profile(m.opSumMs(), RunStats.ofNanos(m.profiledNanos()).meanMs(),
              kiln.meanMs(), true)
          : null;
      List<BenchReport.LayerRow> rows = new ArrayList<>();
      for (CompiledLayer l : layers) {
        rows.add(new BenchReport.LayerRow(l, profile != null ? m.layerMs(l.index()) : Double.NaN));
      }
      long weightBytes = (long) model.weightFloats() * Float.BYTES;
      long arenaBytes = (long) model.arenaFloats() * Float.BYTES;
      BenchReport report = new BenchReport(s.model().toString(), "cpu",
          "generated bytecode on the JVM", describeInputs(s), s.threads(), s.protocol(), m.warmups(),
          (t1 - t0) / 1e6, (t2 - t1) / 1e6, firstRunMs, kiln, model.memoryBytes(), weightBytes,
          arenaBytes, ProcessMemory.peakRssBytes(), m.cpuShare(), profile, rows,
          Roofline.of(s.peaks(), s.threads()), comparison);
      return new Outcome(report, result, layers);
    }
  }

  private static Outcome runOpenCl(Settings s) {
    String unavailable = OpenClContext.unavailableReason();
    if (unavailable != null) {
      throw new KilnException("--target opencl: " + unavailable);
    }
    long t0 = System.nanoTime();
    CompileResult result = OpenClBackend.compile(s.model(), compileOptions(s, hints(s)));
    OpenClArtifact artifact = OpenClBackend.generate(result, "BenchModel");
    long t1 = System.nanoTime();
    OpenClContext.Options options = OpenClContext.Options.DEFAULTS.withDevice(s.openClDevice())
        .withProfiling(s.protocol().profile());
    try (OpenClContext context = OpenClContext.create(options);
        OpenClModel model = OpenClBackend.load(context, artifact)) {
      long t2 = System.nanoTime();
      Map<String, float[]> inputs = inputData(model.inputs(), s);
      long r0 = System.nanoTime();
      model.run(inputs);
      double firstRunMs = (System.nanoTime() - r0) / 1e6;
      ModelBenchmark.Protocol p = s.protocol();
      OpenClTiming.Result timed = OpenClTiming.measure(model, inputs, p.warmupRuns(), p.iterations(),
          false);
      OpenClTiming.Result profiled = p.profile()
          ? OpenClTiming.measure(model, inputs, p.warmupRuns(), p.iterations(), true) : null;
      RunStats stats = RunStats.ofNanos(timed.runNanos());
      List<CompiledLayer> layers = CompiledLayer.of(result);
      Map<String, Double> deviceMs = new HashMap<>();
      if (profiled != null) {
        profiled.layers().forEach(l -> deviceMs.put(l.layer(), l.averageNanos() / 1e6));
      }
      List<BenchReport.LayerRow> rows = new ArrayList<>();
      for (CompiledLayer l : layers) {
        rows.add(new BenchReport.LayerRow(l, deviceMs.getOrDefault(l.name(), Double.NaN)));
      }
      BenchReport.Profile profile = profiled == null ? null
          : new BenchReport.Profile(profiled.kernelSumNanos() / 1e6, profiled.averageNanos() / 1e6,
              stats.meanMs(), false);
      long weightBytes = (long) result.program().weightFloats() * Float.BYTES;
      long arenaBytes = (long) result.program().arenaFloats() * Float.BYTES;
      BenchReport report = new BenchReport(s.model().toString(), "opencl", timed.device(),
          describeInputs(s), s.threads(), p, new ModelBenchmark.Warmups(p.warmupRuns(),
              profiled != null ? p.warmupRuns() : 0, 0),
          (t1 - t0) / 1e6, (t2 - t1) / 1e6, firstRunMs, stats,
          OpenClBackend.deviceBytes(result.program()),
          weightBytes, arenaBytes, ProcessMemory.peakRssBytes(), Double.NaN, profile, rows, null,
          null);
      return new Outcome(report, result, layers);
    } catch (OpenClException e) {
      throw new KilnException("--target opencl: " + e.getMessage(), e);
    }
  }

  /** The first run of a fresh session: reported on its own, never part of the statistics. */
  private static double firstRun(KilnModel model, Map<String, float[]> inputs, int threads) {
    try (Session session = model.newSession(threads)) {
      long t0 = System.nanoTime();
      session.run(inputs);
      return (System.nanoTime() - t0) / 1e6;
    }
  }

  /** Every model input's data: from the settings (checked against the shape), else random. */
  static Map<String, float[]> inputData(List<TensorInfo> modelInputs, Settings s) {
    Map<String, Tensor> given = new LinkedHashMap<>(s.inputs());
    Tensor sole = given.remove(ImportOptions.SOLE_INPUT);
    if (sole != null) {
      if (modelInputs.size() != 1) {
        throw new KilnException(s.model() + ": the model has " + modelInputs.size()
            + " inputs; name each with --input NAME=FILE");
      }
      given.put(modelInputs.get(0).name(), sole);
    }
    Map<String, float[]> data = new LinkedHashMap<>();
    for (TensorInfo t : modelInputs) {
      Tensor tensor = given.remove(t.name());
      if (tensor == null) {
        data.put(t.name(), KernelBenchmark.random(RANDOM_INPUT_SEED + data.size(), t.elements()));
        continue;
      }
      if (!Arrays.equals(tensor.shape().dims(), t.shape())) {
        throw new KilnException(s.model() + ": input '" + t.name() + "' is "
            + Arrays.toString(t.shape()) + " but its file holds " + tensor.type());
      }
      data.put(t.name(), tensor.toFloatArray());
    }
    if (!given.isEmpty()) {
      throw new KilnException(s.model() + ": the model has no input named '"
          + given.keySet().iterator().next() + "' (inputs: "
          + String.join(", ", modelInputs.stream().map(TensorInfo::name).toList()) + ")");
    }
    return data;
  }

  private static String describeInputs(Settings s) {
    if (s.inputs().isEmpty()) {
      return "random, uniform in [-1, 1), seed " + RANDOM_INPUT_SEED;
    }
    List<String> parts = new ArrayList<>();
    s.inputFiles().forEach((name, file) ->
        parts.add(name.isEmpty() ? file.toString() : name + "=" + file));
    return String.join(", ", parts);
  }

  /** {max |a − b|, max |b|} over every output both have. */
  static double[] maxAbsDiff(Map<String, float[]> kiln, Map<String, float[]> ort) {
    double diff = 0;
    double scale = 0;
    for (Map.Entry<String, float[]> e : kiln.entrySet()) {
      float[] other = ort.get(e.getKey());
      if (other == null || other.length != e.getValue().length) {
        throw new IllegalStateException("ONNX Runtime's output '" + e.getKey() + "' is missing or has"
            + " another size");
      }
      for (int i = 0; i < other.length; i++) {
        diff = Math.max(diff, Math.abs(e.getValue()[i] - other[i]));
        scale = Math.max(scale, Math.abs(other[i]));
      }
    }
    return new double[] {diff, scale};
  }
}
