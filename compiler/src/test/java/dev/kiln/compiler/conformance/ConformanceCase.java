package dev.kiln.compiler.conformance;

import dev.kiln.compiler.KilnException;
import dev.kiln.compiler.exec.GraphInterpreter;
import dev.kiln.compiler.importer.ImportOptions;
import dev.kiln.compiler.importer.onnx.OnnxImporter;
import dev.kiln.compiler.importer.onnx.OnnxTensors;
import dev.kiln.compiler.importer.onnx.proto.OnnxProto.AttributeProto;
import dev.kiln.compiler.importer.onnx.proto.OnnxProto.GraphProto;
import dev.kiln.compiler.importer.onnx.proto.OnnxProto.ModelProto;
import dev.kiln.compiler.importer.onnx.proto.OnnxProto.NodeProto;
import dev.kiln.compiler.importer.onnx.proto.OnnxProto.OperatorSetIdProto;
import dev.kiln.compiler.importer.onnx.proto.OnnxProto.TensorProto;
import dev.kiln.compiler.importer.onnx.proto.OnnxProto.ValueInfoProto;
import dev.kiln.compiler.ir.Graph;
import dev.kiln.compiler.ir.GraphVerifier;
import dev.kiln.compiler.ir.Shape;
import dev.kiln.compiler.ir.Tensor;
import dev.kiln.compiler.ops.OpRegistry;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SortedSet;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * One ONNX backend node test: {@code test_x/model.onnx} with {@code test_data_set_N/input_K.pb} and
 * {@code output_K.pb}. {@code input_K.pb} feeds the graph's K-th input that is not an initializer,
 * {@code output_K.pb} is the K-th graph output, as ONNX's backend test runner maps them.
 *
 * @param opTypes every operator the model uses, subgraphs included; a non-default domain is
 *     written {@code domain:Op}
 * @param opset the model's default-domain opset, or -1 when it imports none
 */
record ConformanceCase(String name, Path dir, SortedSet<String> opTypes, int opset,
    List<String> inputNames, List<Path> dataSets) {

  /**
   * Tolerance of ONNX's backend tests ({@code np.testing.assert_allclose(rtol=1e-3, atol=1e-7)}):
   * {@code |actual − expected| ≤ ATOL + RTOL·|expected|} for floats; integers and bools are exact.
   */
  static final double RTOL = 1e-3;

  static final double ATOL = 1e-7;

  static final String RTOL_TEXT = "1e-3";

  static final String ATOL_TEXT = "1e-7";

  /** How Kiln says an operand must be a constant (Reshape's target shape, for one). */
  private static final Pattern COMPILE_TIME = Pattern.compile(
      "node '(.*?)' \\([^)]*\\): input (\\d+) \\([^)]*\\) must be known at compile time");

  enum Status { PASS, FAIL, NOT_APPLICABLE }

  /**
   * @param detail one line: why it failed, or why it does not apply; empty for a pass
   * @param crashed whether something other than a {@link KilnException} escaped Kiln (a bug, which
   *     no exclusion may excuse)
   */
  record Result(ConformanceCase testCase, Status status, String detail, boolean crashed) {
    String name() {
      return testCase.name();
    }
  }

  /** Every case under {@code root} (one folder per case), sorted by name. */
  static List<ConformanceCase> discover(Path root) {
    try (Stream<Path> dirs = Files.list(root)) {
      return dirs.filter(d -> Files.isRegularFile(d.resolve("model.onnx")))
          .sorted()
          .map(ConformanceCase::load)
          .toList();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  static ConformanceCase load(Path dir) {
    String name = dir.getFileName().toString();
    ModelProto model = parseModel(dir.resolve("model.onnx"));
    SortedSet<String> ops = new TreeSet<>();
    collectOpTypes(model.getGraph(), ops);
    int opset = -1;
    for (OperatorSetIdProto id : model.getOpsetImportList()) {
      if (id.getDomain().isEmpty() || id.getDomain().equals("ai.onnx")) {
        opset = (int) id.getVersion();
      }
    }
    Set<String> initializers = new HashSet<>();
    for (TensorProto t : model.getGraph().getInitializerList()) {
      initializers.add(t.getName());
    }
    List<String> inputs = new ArrayList<>();
    for (ValueInfoProto in : model.getGraph().getInputList()) {
      if (!initializers.contains(in.getName())) {
        inputs.add(in.getName());
      }
    }
    List<Path> dataSets;
    try (Stream<Path> sets = Files.list(dir)) {
      dataSets = sets.filter(p -> p.getFileName().toString().startsWith("test_data_set_"))
          .filter(Files::isDirectory)
          .sorted()
          .toList();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return new ConformanceCase(name, dir, ops, opset, List.copyOf(inputs), dataSets);
  }

  private static ModelProto parseModel(Path file) {
    try {
      return ModelProto.parseFrom(Files.readAllBytes(file));
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + file, e);
    }
  }

  private static void collectOpTypes(GraphProto graph, Set<String> into) {
    for (NodeProto node : graph.getNodeList()) {
      String domain = node.getDomain();
      into.add(domain.isEmpty() || domain.equals("ai.onnx")
          ? node.getOpType() : domain + ":" + node.getOpType());
      for (AttributeProto a : node.getAttributeList()) {
        if (a.hasG()) {
          collectOpTypes(a.getG(), into);
        }
        for (GraphProto g : a.getGraphsList()) {
          collectOpTypes(g, into);
        }
      }
    }
  }

  /** Operators the model uses that Kiln does not have. */
  SortedSet<String> unsupportedOps() {
    SortedSet<String> missing = new TreeSet<>();
    for (String op : opTypes) {
      if (!OpRegistry.isSupported(op)) {
        missing.add(op);
      }
    }
    return missing;
  }

  /**
   * Imports and runs the model on every data set. Not applicable when it needs an operator Kiln
   * lacks or an opset outside the range Kiln imports; both are facts about Kiln's scope, not about
   * whether this case works.
   */
  Result run() {
    SortedSet<String> missing = unsupportedOps();
    if (!missing.isEmpty()) {
      return new Result(this, Status.NOT_APPLICABLE,
          "unsupported operator" + (missing.size() > 1 ? "s " : " ") + String.join(", ", missing),
          false);
    }
    if (opset < OpRegistry.MIN_OPSET || opset > OpRegistry.MAX_OPSET) {
      return new Result(this, Status.NOT_APPLICABLE, "opset " + opset + " is outside the opsets "
          + OpRegistry.MIN_OPSET + " to " + OpRegistry.MAX_OPSET + " Kiln imports", false);
    }
    if (dataSets.isEmpty()) {
      return new Result(this, Status.FAIL, "no test_data_set_N folder", false);
    }
    try {
      Set<String> frozen = new TreeSet<>();
      while (true) {
        try {
          return runDataSets(frozen);
        } catch (KilnException e) {
          // Kiln specializes a model for fixed shapes: an operand it needs at compile time
          // (Reshape's target shape, say) that the case feeds as a graph input is what a user
          // would give as an initializer, so the case is re-run with that input frozen. Each
          // retry freezes one more input, so this ends.
          String operand = compileTimeOperand(e.getMessage());
          if (operand == null || !inputNames.contains(operand) || !frozen.add(operand)) {
            throw e;
          }
        }
      }
    } catch (KilnException e) {
      return new Result(this, Status.FAIL, oneLine(e.getMessage()), false);
    } catch (RuntimeException | StackOverflowError | OutOfMemoryError e) {
      StackTraceElement[] trace = e.getStackTrace();
      return new Result(this, Status.FAIL, "internal error: " + oneLine(e.toString())
          + (trace.length > 0 ? " at " + trace[0] : ""), true);
    }
  }

  private Result runDataSets(Set<String> frozen) {
    for (Path set : dataSets) {
      String mismatch = runDataSet(set, frozen);
      if (mismatch != null) {
        return new Result(this, Status.FAIL, set.getFileName() + ": " + mismatch, false);
      }
    }
    return new Result(this, Status.PASS,
        frozen.isEmpty() ? "" : "passes with input(s) " + frozen + " given as initializers", false);
  }

  /**
   * The value a {@code node 'n' (Op, opset k): input i (role) must be known at compile time}
   * error is about, or {@code null}. The importer names an unnamed node {@code Op_index}, by its
   * index in the (here already topological) node list.
   */
  private String compileTimeOperand(String message) {
    Matcher m = message == null ? null : COMPILE_TIME.matcher(message);
    if (m == null || !m.find()) {
      return null;
    }
    List<NodeProto> nodes = model().getGraph().getNodeList();
    for (int i = 0; i < nodes.size(); i++) {
      NodeProto node = nodes.get(i);
      String name = node.getName().isEmpty() ? node.getOpType() + "_" + i : node.getName();
      int input = Integer.parseInt(m.group(2));
      if (name.equals(m.group(1)) && input < node.getInputCount()) {
        return node.getInput(input);
      }
    }
    return null;
  }

  private ModelProto model() {
    return parseModel(dir.resolve("model.onnx"));
  }

  /**
   * Runs one data set; {@code null} when every output matches, else what differs.
   *
   * @param frozen the inputs to give as initializers instead of run-time data
   */
  private String runDataSet(Path set, Set<String> frozen) {
    List<Tensor> inputs = readTensors(set, "input_");
    List<Tensor> expected = readTensors(set, "output_");
    if (inputs.size() != inputNames.size()) {
      return inputs.size() + " input files for " + inputNames.size() + " graph inputs "
          + inputNames;
    }
    Map<String, Tensor> feeds = new LinkedHashMap<>();
    Map<String, Shape> shapeHints = new LinkedHashMap<>();
    Map<String, Tensor> initializers = new LinkedHashMap<>();
    for (int k = 0; k < inputs.size(); k++) {
      Tensor t = inputs.get(k);
      if (frozen.contains(inputNames.get(k))) {
        initializers.put(inputNames.get(k), t);
      } else {
        feeds.put(inputNames.get(k), t);
        shapeHints.put(inputNames.get(k), t.shape());
      }
    }
    ImportOptions options = new ImportOptions(Map.of(), shapeHints);
    Graph graph;
    if (initializers.isEmpty()) {
      graph = OnnxImporter.load(dir.resolve("model.onnx"), options);
    } else {
      ModelProto.Builder model = model().toBuilder();
      initializers.forEach((name, t) ->
          model.getGraphBuilder().addInitializer(OnnxTensors.encode(name, t)));
      graph = OnnxImporter.fromProto(model.build(), "model.onnx", dir, options);
    }
    GraphVerifier.verify(graph);
    if (graph.outputs().size() != expected.size()) {
      return graph.outputs().size() + " graph outputs but " + expected.size() + " output files";
    }
    Map<String, Tensor> actual = GraphInterpreter.run(graph, feeds);
    for (int k = 0; k < expected.size(); k++) {
      String outName = graph.outputs().get(k);
      String difference = compare(expected.get(k), actual.get(outName));
      if (difference != null) {
        return "output " + k + " '" + outName + "': " + difference;
      }
    }
    return null;
  }

  private static List<Tensor> readTensors(Path set, String prefix) {
    List<Tensor> tensors = new ArrayList<>();
    for (int k = 0; ; k++) {
      Path file = set.resolve(prefix + k + ".pb");
      if (!Files.isRegularFile(file)) {
        return tensors;
      }
      TensorProto proto;
      try {
        proto = TensorProto.parseFrom(Files.readAllBytes(file));
      } catch (IOException e) {
        throw new KilnException(file.getFileName() + ": not a TensorProto (" + e.getMessage() + ")");
      }
      tensors.add(OnnxTensors.decode(proto, file.getFileName().toString(), null));
    }
  }

  /** {@code null} when {@code actual} matches {@code expected} within ONNX's tolerance. */
  static String compare(Tensor expected, Tensor actual) {
    if (!expected.type().equals(actual.type())) {
      return "expected " + expected.type() + " but got " + actual.type();
    }
    int bad = 0;
    int first = -1;
    for (int i = 0; i < expected.elementCount(); i++) {
      boolean ok;
      if (expected.isFloat()) {
        double e = expected.floatAt(i);
        double a = actual.floatAt(i);
        ok = Double.isNaN(e) ? Double.isNaN(a)
            : Double.isInfinite(e) ? e == a
            : Math.abs(a - e) <= ATOL + RTOL * Math.abs(e);
      } else {
        ok = expected.longAt(i) == actual.longAt(i);
      }
      if (!ok) {
        bad++;
        first = first < 0 ? i : first;
      }
    }
    if (bad == 0) {
      return null;
    }
    return bad + " of " + expected.elementCount() + " elements differ (rtol " + RTOL_TEXT
        + ", atol " + ATOL_TEXT + "); first at flat index " + first + ": expected "
        + element(expected, first) + ", got " + element(actual, first);
  }

  private static String element(Tensor t, int i) {
    return t.isFloat() ? Float.toString(t.floatAt(i)) : Long.toString(t.longAt(i));
  }

  private static String oneLine(String message) {
    if (message == null) {
      return "(no message)";
    }
    int nl = message.indexOf('\n');
    return nl < 0 ? message : message.substring(0, nl) + " …";
  }
}
