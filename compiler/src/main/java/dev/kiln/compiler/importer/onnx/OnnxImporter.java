package dev.kiln.compiler.importer.onnx;

import com.google.protobuf.CodedInputStream;
import com.google.protobuf.InvalidProtocolBufferException;
import dev.kiln.compiler.KilnException;
import dev.kiln.compiler.importer.ImportOptions;
import dev.kiln.compiler.importer.ModelFile;
import dev.kiln.compiler.importer.onnx.proto.OnnxProto.AttributeProto;
import dev.kiln.compiler.importer.onnx.proto.OnnxProto.GraphProto;
import dev.kiln.compiler.importer.onnx.proto.OnnxProto.ModelProto;
import dev.kiln.compiler.importer.onnx.proto.OnnxProto.NodeProto;
import dev.kiln.compiler.importer.onnx.proto.OnnxProto.OperatorSetIdProto;
import dev.kiln.compiler.importer.onnx.proto.OnnxProto.TensorProto;
import dev.kiln.compiler.importer.onnx.proto.OnnxProto.TensorShapeProto;
import dev.kiln.compiler.importer.onnx.proto.OnnxProto.TypeProto;
import dev.kiln.compiler.importer.onnx.proto.OnnxProto.ValueInfoProto;
import dev.kiln.compiler.ir.Attribute;
import dev.kiln.compiler.ir.Attributes;
import dev.kiln.compiler.ir.DType;
import dev.kiln.compiler.ir.Graph;
import dev.kiln.compiler.ir.Node;
import dev.kiln.compiler.ir.Op;
import dev.kiln.compiler.ir.OpException;
import dev.kiln.compiler.ir.Shape;
import dev.kiln.compiler.ir.Tensor;
import dev.kiln.compiler.ir.TensorType;
import dev.kiln.compiler.ir.TypeInference;
import dev.kiln.compiler.ops.OpRegistry;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.PriorityQueue;
import java.util.Set;

/**
 * Reads an ONNX model (opsets {@value OpRegistry#MIN_OPSET} to {@value OpRegistry#MAX_OPSET}) into a
 * typed {@link Graph}. Initializers may be in typed fields, raw_data or external files; Constant nodes
 * and shape computations stay in the graph as nodes but are evaluated while typing it, so shapes that
 * depend on them (Reshape's target, Clip's bounds) are static.
 *
 * <p>Every failure is a {@link KilnException} whose message starts with the file name and, for a
 * node, its name, op type and opset.
 */
public final class OnnxImporter {
  private final String source;
  private final Path modelDir;
  private final ImportOptions options;
  private int opset;
  private boolean soleInput;

  private OnnxImporter(String source, Path modelDir, ImportOptions options) {
    this.source = source;
    this.modelDir = modelDir;
    this.options = options;
  }

  /** Imports the model file; external data is read relative to its folder. */
  public static Graph load(Path file, ImportOptions options) {
    String source = ModelFile.sourceName(file);
    byte[] bytes = ModelFile.read(file);
    Path dir = file.toAbsolutePath().getParent();
    return new OnnxImporter(source, dir, options).importModel(parse(bytes, source));
  }

  /** Imports a model held in memory; external data is refused. */
  public static Graph read(byte[] bytes, String source, ImportOptions options) {
    return new OnnxImporter(source, null, options).importModel(parse(bytes, source));
  }

  /** Imports an already parsed model (tests build them with the protobuf builders). */
  public static Graph fromProto(ModelProto model, String source, Path modelDir, ImportOptions options) {
    return new OnnxImporter(source, modelDir, options).importModel(model);
  }

  private static ModelProto parse(byte[] bytes, String source) {
    try {
      CodedInputStream in = CodedInputStream.newInstance(bytes);
      in.setSizeLimit(Integer.MAX_VALUE);
      ModelProto model = ModelProto.parseFrom(in);
      if (!model.hasGraph()) {
        throw new KilnException(source + ": not an ONNX model (no graph)");
      }
      return model;
    } catch (InvalidProtocolBufferException e) {
      throw new KilnException(source + ": not a valid ONNX model (" + firstLine(e.getMessage()) + ")");
    } catch (IOException e) {
      throw new KilnException(source + ": cannot parse: " + firstLine(e.getMessage()));
    }
  }

  private static String firstLine(String message) {
    if (message == null) {
      return "malformed protobuf";
    }
    int nl = message.indexOf('\n');
    return nl < 0 ? message : message.substring(0, nl);
  }

  private Graph importModel(ModelProto model) {
    opset = defaultOpset(model);
    GraphProto g = model.getGraph();
    Graph.Builder builder = Graph.builder()
        .name(g.getName().isEmpty() ? stripExtension(source) : g.getName())
        .source(source)
        .opset(opset);
    TypeInference inference = new TypeInference(source, opset);

    Map<String, Tensor> initializers = new LinkedHashMap<>();
    for (TensorProto t : g.getInitializerList()) {
      if (t.getName().isEmpty()) {
        throw new KilnException(source + ": an initializer has no name");
      }
      Tensor value = OnnxTensors.decode(t, source + ": initializer '" + t.getName() + "'", modelDir);
      if (initializers.put(t.getName(), value) != null) {
        throw new KilnException(source + ": initializer '" + t.getName() + "' is defined twice");
      }
    }
    if (g.getSparseInitializerCount() > 0) {
      throw new KilnException(source + ": sparse initializers are not supported");
    }

    long realInputs = g.getInputList().stream()
        .filter(in -> !initializers.containsKey(in.getName())).count();
    soleInput = realInputs == 1;
    Set<String> inputNames = new HashSet<>();
    for (ValueInfoProto in : g.getInputList()) {
      // Before IR version 4 every initializer is also listed as a graph input: it stays a constant.
      if (initializers.containsKey(in.getName())) {
        continue;
      }
      if (!inputNames.add(in.getName())) {
        throw new KilnException(source + ": graph input '" + in.getName() + "' is listed twice");
      }
      TensorType type = inputType(in);
      builder.addInput(in.getName(), type);
      inference.declare(in.getName(), type);
    }
    for (String name : options.inputShapes().keySet()) {
      if (!inputNames.contains(name)) {
        throw new KilnException(source + ": --input-shape names '" + name
            + "' but the model's inputs are " + inputNames);
      }
    }
    for (Map.Entry<String, Tensor> e : initializers.entrySet()) {
      builder.putConstant(e.getKey(), e.getValue());
      inference.declareConstant(e.getKey(), e.getValue());
    }

    List<NodeProto> ordered = topologicalOrder(g, initializers.keySet(), inputNames);
    Set<String> nodeNames = new HashSet<>();
    Set<String> defined = new HashSet<>(initializers.keySet());
    defined.addAll(inputNames);
    for (int index = 0; index < ordered.size(); index++) {
      NodeProto np = ordered.get(index);
      String name = uniqueName(np, index, nodeNames);
      Node node = importNode(np, name);
      builder.addNode(node, inference.infer(node));
      for (String out : node.outputs()) {
        if (!out.isEmpty()) {
          defined.add(out);
        }
      }
    }

    if (g.getOutputCount() == 0) {
      throw new KilnException(source + ": the graph has no outputs");
    }
    for (ValueInfoProto out : g.getOutputList()) {
      if (!defined.contains(out.getName())) {
        throw new KilnException(source + ": graph output '" + out.getName() + "' is not produced by any node");
      }
      builder.addOutput(out.getName());
    }
    return builder.build();
  }

  private int defaultOpset(ModelProto model) {
    Integer found = null;
    for (OperatorSetIdProto id : model.getOpsetImportList()) {
      if (id.getDomain().isEmpty() || id.getDomain().equals("ai.onnx")) {
        found = (int) Math.min(Integer.MAX_VALUE, Math.max(Integer.MIN_VALUE, id.getVersion()));
      }
    }
    if (found == null) {
      throw new KilnException(source + ": the model imports no version of the default ONNX opset");
    }
    if (found < OpRegistry.MIN_OPSET || found > OpRegistry.MAX_OPSET) {
      throw new KilnException(source + ": opset " + found + " is not supported (Kiln imports opsets "
          + OpRegistry.MIN_OPSET + " to " + OpRegistry.MAX_OPSET + ")");
    }
    return found;
  }

  private static String stripExtension(String file) {
    int dot = file.lastIndexOf('.');
    return dot > 0 ? file.substring(0, dot) : file;
  }

  /** The graph input's type, with symbolic dimensions fixed by --input-shape. */
  private TensorType inputType(ValueInfoProto in) {
    String name = in.getName();
    TypeProto type = in.getType();
    if (!type.hasTensorType()) {
      throw new KilnException(source + ": graph input '" + name + "' is not a tensor");
    }
    TypeProto.Tensor tt = type.getTensorType();
    DType dtype;
    try {
      dtype = DType.fromOnnx(tt.getElemType());
    } catch (KilnException e) {
      throw new KilnException(source + ": graph input '" + name + "': " + e.getMessage());
    }
    Shape given = options.inputShapes().get(name);
    if (!tt.hasShape()) {
      if (given == null) {
        throw new KilnException(source + ": graph input '" + name
            + "' has no shape; give one with --input-shape " + name + "=1x3x224x224");
      }
      return new TensorType(dtype, given);
    }
    TensorShapeProto shape = tt.getShape();
    long[] dims = new long[shape.getDimCount()];
    List<String> shown = new ArrayList<>();
    boolean symbolic = false;
    for (int i = 0; i < dims.length; i++) {
      TensorShapeProto.Dimension d = shape.getDim(i);
      if (d.hasDimValue() && d.getDimValue() >= 0) {
        dims[i] = d.getDimValue();
        shown.add(Long.toString(d.getDimValue()));
      } else {
        dims[i] = -1;
        symbolic = true;
        shown.add(d.hasDimParam() && !d.getDimParam().isEmpty() ? d.getDimParam() : "?");
      }
    }
    if (given != null) {
      if (given.rank() != dims.length) {
        throw new KilnException(source + ": --input-shape " + name + "=" + given.toDimsString()
            + " has rank " + given.rank() + " but the model declares " + shown);
      }
      for (int i = 0; i < dims.length; i++) {
        if (dims[i] >= 0 && dims[i] != given.dim(i)) {
          throw new KilnException(source + ": --input-shape " + name + "=" + given.toDimsString()
              + " disagrees with the model's static shape " + shown);
        }
      }
      return new TensorType(dtype, given);
    }
    Shape hint = options.shapeHints().get(name);
    if (hint == null && soleInput) {
      hint = options.shapeHints().get(ImportOptions.SOLE_INPUT);
    }
    if (symbolic && hint != null && hint.rank() == dims.length) {
      for (int i = 0; i < dims.length; i++) {
        dims[i] = dims[i] >= 0 ? dims[i] : hint.dim(i);
      }
      symbolic = false;
    }
    if (symbolic) {
      throw new KilnException(source + ": graph input '" + name + "' has symbolic dimensions "
          + shown.toString().replace(" ", "") + "; give its shape with --input-shape " + name + "="
          + String.join("x", shown.stream().map(s -> s.matches("\\d+") ? s : "N").toList()));
    }
    try {
      return new TensorType(dtype, Shape.ofLongs(dims));
    } catch (KilnException e) {
      throw new KilnException(source + ": graph input '" + name + "': " + e.getMessage());
    }
  }

  /**
   * Orders nodes so each comes after the producers of its inputs (exporters usually emit them so;
   * the spec requires it, but a stable sort costs little and accepts more models). Fails on an input
   * nothing defines, and on a cycle.
   */
  private List<NodeProto> topologicalOrder(GraphProto g, Set<String> constants, Set<String> inputs) {
    int n = g.getNodeCount();
    Map<String, Integer> producer = new HashMap<>();
    for (int i = 0; i < n; i++) {
      for (String out : g.getNode(i).getOutputList()) {
        if (out.isEmpty()) {
          continue;
        }
        if (producer.put(out, i) != null || constants.contains(out) || inputs.contains(out)) {
          throw new KilnException(source + ": node " + describe(g.getNode(i), i) + ": output '" + out
              + "' is already defined elsewhere");
        }
      }
    }
    int[] waiting = new int[n];
    List<List<Integer>> dependents = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      dependents.add(new ArrayList<>());
    }
    for (int i = 0; i < n; i++) {
      NodeProto node = g.getNode(i);
      for (String in : node.getInputList()) {
        if (in.isEmpty() || constants.contains(in) || inputs.contains(in)) {
          continue;
        }
        Integer p = producer.get(in);
        if (p == null) {
          throw new KilnException(source + ": node " + describe(node, i) + ": input '" + in
              + "' is not a graph input, an initializer or any node's output");
        }
        waiting[i]++;
        dependents.get(p).add(i);
      }
    }
    PriorityQueue<Integer> queue = new PriorityQueue<>();
    for (int i = 0; i < n; i++) {
      if (waiting[i] == 0) {
        queue.add(i);
      }
    }
    List<NodeProto> order = new ArrayList<>(n);
    while (!queue.isEmpty()) {
      int i = queue.poll();
      order.add(g.getNode(i));
      for (int d : dependents.get(i)) {
        if (--waiting[d] == 0) {
          queue.add(d);
        }
      }
    }
    if (order.size() != n) {
      for (int i = 0; i < n; i++) {
        if (waiting[i] > 0) {
          throw new KilnException(source + ": node " + describe(g.getNode(i), i)
              + " is part of a cycle");
        }
      }
    }
    return order;
  }

  /** {@code 'Conv_3' (Conv, opset 13)}, as {@link TypeInference#where} names a node. */
  private String describe(NodeProto node, int index) {
    String name = node.getName().isEmpty() ? node.getOpType() + "_" + index : node.getName();
    return "'" + name + "' (" + node.getOpType() + ", opset " + opset + ")";
  }

  private static String uniqueName(NodeProto np, int index, Set<String> used) {
    String base = np.getName().isEmpty() ? np.getOpType() + "_" + index : np.getName();
    String name = base;
    for (int k = 2; !used.add(name); k++) {
      name = base + "_" + k;
    }
    return name;
  }

  private Node importNode(NodeProto np, String name) {
    String where = source + ": node '" + name + "' (" + np.getOpType() + ", opset " + opset + ")";
    String domain = np.getDomain();
    if (!domain.isEmpty() && !domain.equals("ai.onnx")) {
      throw new KilnException(where + ": operators of domain '" + domain + "' are not supported");
    }
    Op op;
    try {
      op = OpRegistry.create(np.getOpType(), attributes(np), opset);
    } catch (KilnException e) {
      throw new KilnException(where + ": " + e.getMessage(), e);
    }
    List<String> outputs = new ArrayList<>(np.getOutputList());
    // Trailing empty outputs are optional outputs nobody asked for (MaxPool's Indices, Dropout's
    // mask); dropping them keeps arity checks simple. Split is the exception: without split lengths
    // its output count decides the part sizes, so an unused trailing part still counts.
    while (!np.getOpType().equals("Split") && !outputs.isEmpty()
        && outputs.get(outputs.size() - 1).isEmpty()) {
      outputs.remove(outputs.size() - 1);
    }
    List<String> inputs = new ArrayList<>(np.getInputList());
    while (!inputs.isEmpty() && inputs.get(inputs.size() - 1).isEmpty()) {
      inputs.remove(inputs.size() - 1);
    }
    return new Node(name, op, inputs, outputs);
  }

  private Attributes attributes(NodeProto np) {
    Attributes.Builder b = Attributes.builder();
    Set<String> seen = new HashSet<>();
    for (AttributeProto a : np.getAttributeList()) {
      if (!seen.add(a.getName())) {
        throw new OpException("attribute '" + a.getName() + "' is given twice");
      }
      if (!a.getRefAttrName().isEmpty()) {
        throw new OpException("attribute '" + a.getName() + "' refers to a function attribute");
      }
      b.put(a.getName(), attribute(a));
    }
    return b.build();
  }

  /** One attribute; models older than IR version 3 leave the type out, so it is read off the field set. */
  private Attribute attribute(AttributeProto a) {
    AttributeProto.AttributeType type = a.getType();
    if (type == AttributeProto.AttributeType.UNDEFINED) {
      type = a.hasF() ? AttributeProto.AttributeType.FLOAT
          : a.hasI() ? AttributeProto.AttributeType.INT
          : a.hasS() ? AttributeProto.AttributeType.STRING
          : a.hasT() ? AttributeProto.AttributeType.TENSOR
          : a.getFloatsCount() > 0 ? AttributeProto.AttributeType.FLOATS
          : a.getIntsCount() > 0 ? AttributeProto.AttributeType.INTS
          : a.getStringsCount() > 0 ? AttributeProto.AttributeType.STRINGS
          : AttributeProto.AttributeType.UNDEFINED;
    }
    String name = a.getName();
    switch (type) {
      case FLOAT:
        return new Attribute.FloatAttr(a.getF());
      case INT:
        return new Attribute.IntAttr(a.getI());
      case STRING:
        return new Attribute.StringAttr(a.getS().toStringUtf8());
      case TENSOR:
        return new Attribute.TensorAttr(OnnxTensors.decode(a.getT(), "attribute '" + name + "'", modelDir));
      case FLOATS:
        return new Attribute.FloatsAttr(a.getFloatsList());
      case INTS:
        return new Attribute.IntsAttr(a.getIntsList());
      case STRINGS: {
        List<String> strings = new ArrayList<>();
        a.getStringsList().forEach(s -> strings.add(s.toStringUtf8()));
        return new Attribute.StringsAttr(strings);
      }
      default:
        throw new OpException("attribute '" + name + "' of type " + type + " is not supported");
    }
  }
}
