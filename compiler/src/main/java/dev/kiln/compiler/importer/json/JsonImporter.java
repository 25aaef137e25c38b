package dev.kiln.compiler.importer.json;

import static dev.kiln.compiler.importer.json.JsonGraphFormat.ALIGNMENT;

import dev.kiln.compiler.KilnException;
import dev.kiln.compiler.importer.ImportOptions;
import dev.kiln.compiler.importer.ModelFile;
import dev.kiln.compiler.importer.json.JsonTree.Arr;
import dev.kiln.compiler.importer.json.JsonTree.Bool;
import dev.kiln.compiler.importer.json.JsonTree.Num;
import dev.kiln.compiler.importer.json.JsonTree.Obj;
import dev.kiln.compiler.importer.json.JsonTree.Str;
import dev.kiln.compiler.importer.json.JsonTree.Value;
import dev.kiln.compiler.ir.Attribute;
import dev.kiln.compiler.ir.Attributes;
import dev.kiln.compiler.ir.DType;
import dev.kiln.compiler.ir.Graph;
import dev.kiln.compiler.ir.Node;
import dev.kiln.compiler.ir.Op;
import dev.kiln.compiler.ir.Shape;
import dev.kiln.compiler.ir.Tensor;
import dev.kiln.compiler.ir.TensorType;
import dev.kiln.compiler.ir.TypeInference;
import dev.kiln.compiler.ops.OpRegistry;
import java.io.Closeable;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Reads Kiln's JSON graph format ({@code docs/json-format.md}) into a typed {@link Graph}: operators
 * are created through {@link OpRegistry} and typed by {@link TypeInference}, exactly as the ONNX
 * importer does, so both formats give equal graphs for the same model.
 *
 * <p>The file is untrusted input. Every count is checked against {@link Shape}'s limits and every
 * data reference against the data file's actual size before anything is allocated; a data file
 * path must stay inside the model's folder. Every failure is a one-line {@link KilnException} that
 * names the file and, for a node, its name, op type and opset.
 */
public final class JsonImporter {
  /** Bytes read from the data file at a time. */
  private static final int CHUNK_BYTES = 1 << 20;

  private static final List<String> TOP_LEVEL_KEYS = List.of(
      "format", "version", "name", "opset", "data_file", "inputs", "outputs", "constants", "nodes");

  private final String source;
  private final Path modelDir;
  private final ImportOptions options;
  private int opset;
  private DataFile dataFile;

  /** What defined each value so far: "graph input 'x'", "constant 'w'", "node 'c1'". */
  private final Map<String, String> definedBy = new HashMap<>();

  private JsonImporter(String source, Path modelDir, ImportOptions options) {
    this.source = source;
    this.modelDir = modelDir;
    this.options = options;
  }

  /** Imports the model file; its data file is read relative to the file's folder. */
  public static Graph load(Path file, ImportOptions options) {
    String source = ModelFile.sourceName(file);
    byte[] bytes = ModelFile.read(file);
    Path dir = file.toAbsolutePath().getParent();
    return new JsonImporter(source, dir, options).importGraph(JsonTree.parse(bytes, source));
  }

  /**
   * Imports a model held in memory.
   *
   * @param modelDir the folder a data file is looked up in, or {@code null} to refuse data files
   */
  public static Graph read(byte[] json, String source, Path modelDir, ImportOptions options) {
    return new JsonImporter(source, modelDir, options).importGraph(JsonTree.parse(json, source));
  }

  private Graph importGraph(Value document) {
    if (!(document instanceof Obj root)
        || !(root.get("format") instanceof Str format)
        || !format.value().equals(JsonGraphFormat.FORMAT)) {
      throw new KilnException(source + ": not a Kiln graph (expected an object with \"format\": \""
          + JsonGraphFormat.FORMAT + "\")");
    }
    requireOnly(root, source, TOP_LEVEL_KEYS);
    long version = integer(required(root, "version", source), "\"version\"", source);
    if (version != JsonGraphFormat.VERSION) {
      throw new KilnException(source + ": format version " + version + " is not supported (this Kiln"
          + " reads version " + JsonGraphFormat.VERSION + ")");
    }
    long declaredOpset = integer(required(root, "opset", source), "\"opset\"", source);
    if (declaredOpset < OpRegistry.MIN_OPSET || declaredOpset > OpRegistry.MAX_OPSET) {
      throw new KilnException(source + ": opset " + declaredOpset + " is not supported (Kiln imports"
          + " opsets " + OpRegistry.MIN_OPSET + " to " + OpRegistry.MAX_OPSET + ")");
    }
    opset = (int) declaredOpset;
    String name = root.get("name") == null
        ? stripExtension(source)
        : string(root.get("name"), "\"name\"", source);

    Graph.Builder builder = Graph.builder().name(name).source(source).opset(opset);
    TypeInference inference = new TypeInference(source, opset);
    try (DataFile data = openDataFile(root.get("data_file"))) {
      dataFile = data;
      readInputs(optionalArray(root, "inputs"), builder, inference);
      readConstants(optionalArray(root, "constants"), builder, inference);
      readNodes(optionalArray(root, "nodes"), builder, inference);
    }
    readOutputs(array(required(root, "outputs", source), "\"outputs\"", source), builder);
    return builder.build();
  }

  private void readInputs(List<Value> inputs, Graph.Builder builder, TypeInference inference) {
    List<String> names = new ArrayList<>();
    for (int i = 0; i < inputs.size(); i++) {
      String at = source + ": inputs[" + i + "]";
      Obj o = object(inputs.get(i), "the entry", at);
      String name = valueName(o, at);
      String where = source + ": graph input '" + name + "'";
      requireOnly(o, where, List.of("name", "dtype", "shape"));
      TensorType type = new TensorType(dtype(o, where), inputShape(name, shape(o, where)));
      define(name, "graph input '" + name + "'", where);
      names.add(name);
      builder.addInput(name, type);
      inference.declare(name, type);
    }
    for (String name : options.inputShapes().keySet()) {
      if (!names.contains(name)) {
        throw new KilnException(source + ": --input-shape names '" + name
            + "' but the model's inputs are " + names);
      }
    }
  }

  /** The declared shape, checked against {@code --input-shape}: JSON shapes are static, so they must agree. */
  private Shape inputShape(String name, Shape declared) {
    Shape given = options.inputShapes().get(name);
    if (given == null) {
      return declared;
    }
    if (given.rank() != declared.rank()) {
      throw new KilnException(source + ": --input-shape " + name + "=" + given.toDimsString()
          + " has rank " + given.rank() + " but the model declares " + declared);
    }
    if (!given.equals(declared)) {
      throw new KilnException(source + ": --input-shape " + name + "=" + given.toDimsString()
          + " disagrees with the model's static shape " + declared);
    }
    return declared;
  }

  private void readConstants(List<Value> constants, Graph.Builder builder, TypeInference inference) {
    for (int i = 0; i < constants.size(); i++) {
      String at = source + ": constants[" + i + "]";
      Obj o = object(constants.get(i), "the entry", at);
      String name = valueName(o, at);
      String where = source + ": constant '" + name + "'";
      requireOnly(o, where, List.of("name", "dtype", "shape", "values", "data"));
      define(name, "constant '" + name + "'", where);
      Tensor value = tensor(o, where);
      builder.putConstant(name, value);
      inference.declareConstant(name, value);
    }
  }

  private void readNodes(List<Value> nodes, Graph.Builder builder, TypeInference inference) {
    Set<String> nodeNames = new HashSet<>();
    for (int index = 0; index < nodes.size(); index++) {
      String at = source + ": nodes[" + index + "]";
      Obj o = object(nodes.get(index), "the entry", at);
      String name = null;
      if (o.get("name") != null) {
        name = string(o.get("name"), "\"name\"", at);
        if (name.isEmpty()) {
          throw new KilnException(at + ": \"name\" must not be empty");
        }
        at = source + ": node '" + name + "'";
      }
      String opType = string(required(o, "op", at), "\"op\"", at);
      if (name == null) {
        name = opType + "_" + index;
      }
      String where = source + ": node '" + name + "' (" + opType + ", opset " + opset + ")";
      requireOnly(o, where, List.of("name", "op", "inputs", "outputs", "attributes"));
      if (!nodeNames.add(name)) {
        throw new KilnException(where + ": another node has the same name");
      }
      Attributes attributes = o.get("attributes") == null
          ? Attributes.EMPTY
          : attributes(o.get("attributes"), where);
      Op op;
      try {
        op = OpRegistry.create(opType, attributes, opset);
      } catch (KilnException e) {
        throw new KilnException(where + ": " + e.getMessage(), e);
      }

      List<String> inputs = o.get("inputs") == null
          ? new ArrayList<>()
          : names(o.get("inputs"), "\"inputs\"", where);
      trimTrailingEmpty(inputs);
      for (String in : inputs) {
        if (!in.isEmpty() && !definedBy.containsKey(in)) {
          String later = laterProducer(nodes, index, in);
          throw new KilnException(where + ": input '" + in + "' " + (later != null
              ? "is only produced later, by node '" + later + "' (nodes must be in topological order)"
              : "is not a graph input, a constant or an earlier node's output"));
        }
      }
      List<String> outputs = names(required(o, "outputs", where), "\"outputs\"", where);
      trimTrailingEmpty(outputs);
      for (String out : outputs) {
        if (!out.isEmpty()) {
          define(out, "node '" + name + "'", where + ": output '" + out + "'");
        }
      }
      Node node = new Node(name, op, inputs, outputs);
      builder.addNode(node, inference.infer(node));
    }
  }

  /** The node after {@code index} that lists {@code value} among its outputs, for a clearer message. */
  private static String laterProducer(List<Value> nodes, int index, String value) {
    for (int j = index + 1; j < nodes.size(); j++) {
      if (nodes.get(j) instanceof Obj o && o.get("outputs") instanceof Arr outs) {
        for (Value v : outs.items()) {
          if (v instanceof Str s && s.value().equals(value)) {
            return o.get("name") instanceof Str n ? n.value()
                : o.get("op") instanceof Str op ? op.value() + "_" + j : "#" + j;
          }
        }
      }
    }
    return null;
  }

  private void readOutputs(List<Value> outputs, Graph.Builder builder) {
    if (outputs.isEmpty()) {
      throw new KilnException(source + ": the graph has no outputs");
    }
    Set<String> seen = new HashSet<>();
    for (int i = 0; i < outputs.size(); i++) {
      String name = string(outputs.get(i), "\"outputs\"[" + i + "]", source);
      if (!definedBy.containsKey(name)) {
        throw new KilnException(source + ": graph output '" + name + "' is not defined (not a graph"
            + " input, a constant or a node's output)");
      }
      if (!seen.add(name)) {
        throw new KilnException(source + ": graph output '" + name + "' is listed twice");
      }
      builder.addOutput(name);
    }
  }

  private void define(String value, String by, String where) {
    String earlier = definedBy.putIfAbsent(value, by);
    if (earlier != null) {
      throw new KilnException(where + ": '" + value + "' is already defined by " + earlier);
    }
  }

  // ---- Attributes ----------------------------------------------------------------------------

  /** Reads a JSON object of attributes, as a node's "attributes" holds; data files are refused. */
  static Attributes attributesFromJson(String json, String where) {
    JsonImporter importer = new JsonImporter(where, null, ImportOptions.DEFAULTS);
    return importer.attributes(JsonTree.parse(json.getBytes(java.nio.charset.StandardCharsets.UTF_8),
        where), where);
  }

  private Attributes attributes(Value value, String where) {
    Obj o = object(value, "\"attributes\"", where);
    Attributes.Builder b = Attributes.builder();
    for (Map.Entry<String, Value> e : o.fields().entrySet()) {
      b.put(e.getKey(), attribute(e.getValue(), where + ": attribute '" + e.getKey() + "'"));
    }
    return b.build();
  }

  /**
   * One attribute. The short form takes its kind from the JSON value: an integer is INT, any other
   * number FLOAT, a string STRING, a list of integers INTS, a list of numbers with at least one
   * non-integer FLOATS, a list of strings STRINGS. The explicit form {@code {"kind": value}} is for
   * what the short form cannot say: empty lists, non-finite floats, integral floats, tensors.
   */
  private Attribute attribute(Value v, String where) {
    if (v instanceof Num n) {
      return n.integral() ? new Attribute.IntAttr(longValue(n, "the value", where))
          : new Attribute.FloatAttr(floatValue(n, "the value", where));
    }
    if (v instanceof Str s) {
      return new Attribute.StringAttr(s.value());
    }
    if (v instanceof Arr a) {
      return listAttribute(a, where);
    }
    if (v instanceof Obj o) {
      return explicitAttribute(o, where);
    }
    throw new KilnException(where + ": " + v.kind() + " is not an attribute value (write a number,"
        + " a string, a list, or a typed object such as {\"ints\": []})");
  }

  private Attribute listAttribute(Arr a, String where) {
    List<Value> items = a.items();
    if (items.isEmpty()) {
      throw new KilnException(where + ": an empty list has no element type; write {\"ints\": []},"
          + " {\"floats\": []} or {\"strings\": []}");
    }
    boolean allStrings = items.stream().allMatch(i -> i instanceof Str);
    boolean allNumbers = items.stream().allMatch(i -> i instanceof Num);
    if (allStrings) {
      return new Attribute.StringsAttr(strings(items, "the list", where));
    }
    if (!allNumbers) {
      throw new KilnException(where + ": a list must hold only numbers or only strings (write"
          + " non-finite floats in the typed form {\"floats\": [...]})");
    }
    boolean allIntegral = items.stream().allMatch(i -> ((Num) i).integral());
    return allIntegral ? new Attribute.IntsAttr(longs(items, "the list", where))
        : new Attribute.FloatsAttr(floats(items, "the list", where));
  }

  private Attribute explicitAttribute(Obj o, String where) {
    if (o.fields().size() != 1
        || !JsonGraphFormat.ATTRIBUTE_KINDS.contains(o.fields().keySet().iterator().next())) {
      throw new KilnException(where + ": a typed attribute is an object with one key, one of "
          + String.join(", ", JsonGraphFormat.ATTRIBUTE_KINDS) + "; got keys " + o.fields().keySet());
    }
    Map.Entry<String, Value> e = o.fields().entrySet().iterator().next();
    String kind = e.getKey();
    Value v = e.getValue();
    String what = "\"" + kind + "\"";
    return switch (kind) {
      case "int" -> new Attribute.IntAttr(longValue(v, what, where));
      case "float" -> new Attribute.FloatAttr(floatValue(v, what, where));
      case "string" -> new Attribute.StringAttr(string(v, what, where));
      case "ints" -> new Attribute.IntsAttr(longs(array(v, what, where), what, where));
      case "floats" -> new Attribute.FloatsAttr(floats(array(v, what, where), what, where));
      case "strings" -> new Attribute.StringsAttr(strings(array(v, what, where), what, where));
      case "tensor" -> {
        Obj t = object(v, what, where);
        requireOnly(t, where, List.of("dtype", "shape", "values", "data"));
        yield new Attribute.TensorAttr(tensor(t, where));
      }
      default -> throw new AssertionError(kind);
    };
  }

  /** @param label how to name the list in errors, e.g. {@code "ints"} gives {@code "ints"[2]} */
  private static List<Long> longs(List<Value> items, String label, String where) {
    List<Long> out = new ArrayList<>(items.size());
    for (int i = 0; i < items.size(); i++) {
      out.add(longValue(items.get(i), label + "[" + i + "]", where));
    }
    return out;
  }

  private static List<Float> floats(List<Value> items, String label, String where) {
    List<Float> out = new ArrayList<>(items.size());
    for (int i = 0; i < items.size(); i++) {
      out.add(floatValue(items.get(i), label + "[" + i + "]", where));
    }
    return out;
  }

  private static List<String> strings(List<Value> items, String label, String where) {
    List<String> out = new ArrayList<>(items.size());
    for (int i = 0; i < items.size(); i++) {
      out.add(string(items.get(i), label + "[" + i + "]", where));
    }
    return out;
  }

  // ---- Tensors -------------------------------------------------------------------------------

  /** A tensor object: dtype, shape and either inline "values" or a "data" reference. */
  private Tensor tensor(Obj o, String where) {
    DType dtype = dtype(o, where);
    Shape shape = shape(o, where);
    Value values = o.get("values");
    Value data = o.get("data");
    if ((values == null) == (data == null)) {
      throw new KilnException(where + ": give exactly one of \"values\" and \"data\"");
    }
    return values != null
        ? inlineTensor(dtype, shape, array(values, "\"values\"", where), where)
        : storedTensor(dtype, shape, object(data, "\"data\"", where), where);
  }

  private static Tensor inlineTensor(DType dtype, Shape shape, List<Value> items, String where) {
    int count = shape.elementCount();
    if (items.size() != count) {
      throw new KilnException(where + ": \"values\" holds " + items.size() + " values but "
          + dtype + shape + " needs " + count);
    }
    if (dtype == DType.FLOAT32) {
      float[] data = new float[count];
      for (int i = 0; i < count; i++) {
        data[i] = floatValue(items.get(i), "\"values\"[" + i + "]", where);
      }
      return Tensor.adopt(shape, data);
    }
    long[] data = new long[count];
    for (int i = 0; i < count; i++) {
      String what = "\"values\"[" + i + "]";
      Value v = items.get(i);
      data[i] = switch (dtype) {
        case INT64 -> longValue(v, what, where);
        case INT32 -> {
          long x = longValue(v, what, where);
          if (x != (int) x) {
            throw new KilnException(where + ": " + what + " = " + x + " does not fit in int32");
          }
          yield x;
        }
        case BOOL -> boolValue(v, what, where);
        default -> throw new AssertionError(dtype);
      };
    }
    return Tensor.adopt(dtype, shape, data);
  }

  private Tensor storedTensor(DType dtype, Shape shape, Obj ref, String where) {
    String what = where + ": \"data\"";
    requireOnly(ref, what, List.of("offset", "length"));
    long offset = integer(required(ref, "offset", what), "\"offset\"", what);
    long length = integer(required(ref, "length", what), "\"length\"", what);
    if (dataFile == null) {
      throw new KilnException(what + " refers to the data file, but the model names none"
          + " (add \"data_file\": {\"path\": \"...\"})");
    }
    long needed = (long) shape.elementCount() * dtype.byteSize();
    if (length != needed) {
      throw new KilnException(what + " has length " + length + " but " + dtype + shape + " needs "
          + needed + " bytes");
    }
    if (offset < 0 || offset % ALIGNMENT != 0) {
      throw new KilnException(what + " offset " + offset + " is not a non-negative multiple of "
          + ALIGNMENT);
    }
    if (offset > dataFile.size || dataFile.size - offset < length) {
      throw new KilnException(what + " (offset " + offset + ", length " + length + ") reaches"
          + " beyond the end of '" + dataFile.path + "' (" + dataFile.size + " bytes)");
    }
    try {
      return dataFile.read(dtype, shape, offset);
    } catch (IOException e) {
      throw new KilnException(what + ": cannot read '" + dataFile.path + "': " + e.getMessage());
    }
  }

  // ---- The data file -------------------------------------------------------------------------

  /**
   * Opens the data file the model names. Only a relative path that stays inside the model's folder
   * is accepted: an absolute path, or one that escapes with {@code ..} (also through a symbolic
   * link), is rejected, so a model cannot make Kiln read arbitrary files.
   */
  private DataFile openDataFile(Value value) {
    if (value == null) {
      return null;
    }
    String where = source + ": \"data_file\"";
    Obj o = object(value, "\"data_file\"", source);
    requireOnly(o, where, List.of("path", "size", "sha256"));
    String location = string(required(o, "path", where), "\"path\"", where);
    String at = source + ": data file '" + location + "'";
    Long declaredSize = o.get("size") == null ? null : integer(o.get("size"), "\"size\"", where);
    String sha256 = o.get("sha256") == null ? null : string(o.get("sha256"), "\"sha256\"", where);
    if (sha256 != null && !sha256.matches("[0-9a-f]{64}")) {
      throw new KilnException(where + ": \"sha256\" must be 64 lower-case hex digits");
    }
    if (modelDir == null) {
      throw new KilnException(at + ": data files are not allowed here");
    }
    if (location.isEmpty()) {
      throw new KilnException(where + ": \"path\" must not be empty");
    }
    if (location.startsWith("/") || location.startsWith("\\") || location.matches("^[A-Za-z]:.*")) {
      throw new KilnException(at + ": the path is absolute; only paths inside the model's folder"
          + " are allowed");
    }
    Path dir = modelDir.toAbsolutePath().normalize();
    Path file;
    try {
      Path rel = Path.of(location);
      if (rel.isAbsolute()) {
        throw new KilnException(at + ": the path is absolute; only paths inside the model's folder"
            + " are allowed");
      }
      file = dir.resolve(rel).normalize();
    } catch (InvalidPathException e) {
      throw new KilnException(at + ": not a valid path");
    }
    if (!file.startsWith(dir)) {
      throw new KilnException(at + ": the path leaves the model's folder");
    }
    if (!Files.isRegularFile(file)) {
      throw new KilnException(at + " not found");
    }
    FileChannel channel = null;
    try {
      Path realFile = file.toRealPath();
      if (!realFile.startsWith(dir.toRealPath())) {
        throw new KilnException(at + ": the path leaves the model's folder");
      }
      channel = FileChannel.open(realFile, StandardOpenOption.READ);
      long size = channel.size();
      if (declaredSize != null && declaredSize != size) {
        throw new KilnException(at + " has " + size + " bytes but the model says " + declaredSize
            + " (is it the file written with this model?)");
      }
      if (sha256 != null && !sha256.equals(sha256(channel, size))) {
        throw new KilnException(at + " does not match the sha256 in the model (is it the file"
            + " written with this model?)");
      }
      DataFile data = new DataFile(location, channel, size);
      channel = null;
      return data;
    } catch (IOException e) {
      throw new KilnException(at + ": cannot read: " + e.getMessage());
    } finally {
      if (channel != null) {
        try {
          channel.close();
        } catch (IOException ignored) {
          // Already failing; the first error is the one to report.
        }
      }
    }
  }

  private static String sha256(FileChannel channel, long size) throws IOException {
    MessageDigest digest;
    try {
      digest = MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every Java platform has SHA-256", e);
    }
    ByteBuffer buf = ByteBuffer.allocate(CHUNK_BYTES);
    long position = 0;
    while (position < size) {
      buf.clear();
      int n = channel.read(buf, position);
      if (n < 0) {
        throw new IOException("the file got shorter while being read");
      }
      buf.flip();
      digest.update(buf);
      position += n;
    }
    return HexFormat.of().formatHex(digest.digest());
  }

  /** The open data file; reads check nothing, callers have checked the range against {@link #size}. */
  private static final class DataFile implements Closeable {
    final String path;
    final FileChannel channel;
    final long size;

    DataFile(String path, FileChannel channel, long size) {
      this.path = path;
      this.channel = channel;
      this.size = size;
    }

    /** Reads {@code shape.elementCount()} little-endian elements starting at {@code offset}. */
    Tensor read(DType dtype, Shape shape, long offset) throws IOException {
      int count = shape.elementCount();
      int width = dtype.byteSize();
      float[] floats = dtype == DType.FLOAT32 ? new float[count] : null;
      long[] longs = floats == null ? new long[count] : null;
      int perChunk = CHUNK_BYTES / width;
      ByteBuffer buf = ByteBuffer.allocate((int) Math.min(CHUNK_BYTES, (long) count * width))
          .order(ByteOrder.LITTLE_ENDIAN);
      long position = offset;
      for (int done = 0; done < count; ) {
        int n = Math.min(count - done, perChunk);
        buf.clear().limit(n * width);
        while (buf.hasRemaining()) {
          int read = channel.read(buf, position + buf.position());
          if (read < 0) {
            throw new IOException("the file got shorter while being read");
          }
        }
        buf.flip();
        switch (dtype) {
          case FLOAT32 -> buf.asFloatBuffer().get(floats, done, n);
          case INT64 -> buf.asLongBuffer().get(longs, done, n);
          case INT32 -> {
            for (int i = 0; i < n; i++) {
              longs[done + i] = buf.getInt();
            }
          }
          case BOOL -> {
            for (int i = 0; i < n; i++) {
              longs[done + i] = buf.get() != 0 ? 1 : 0;
            }
          }
        }
        done += n;
        position += (long) n * width;
      }
      return floats != null ? Tensor.adopt(shape, floats) : Tensor.adopt(dtype, shape, longs);
    }

    @Override
    public void close() {
      try {
        channel.close();
      } catch (IOException ignored) {
        // Read-only: nothing is lost when closing fails.
      }
    }
  }

  // ---- Fields and scalars --------------------------------------------------------------------

  private static void requireOnly(Obj o, String where, List<String> known) {
    for (String key : o.fields().keySet()) {
      if (!known.contains(key)) {
        throw new KilnException(where + ": unknown field \"" + key + "\" (expected "
            + String.join(", ", known) + ")");
      }
    }
  }

  private static Value required(Obj o, String key, String where) {
    Value v = o.get(key);
    if (v == null) {
      throw new KilnException(where + ": missing \"" + key + "\"");
    }
    return v;
  }

  private List<Value> optionalArray(Obj o, String key) {
    Value v = o.get(key);
    return v == null ? List.of() : array(v, "\"" + key + "\"", source);
  }

  private static String valueName(Obj o, String where) {
    String name = string(required(o, "name", where), "\"name\"", where);
    if (name.isEmpty()) {
      throw new KilnException(where + ": \"name\" must not be empty");
    }
    return name;
  }

  private static DType dtype(Obj o, String where) {
    String name = string(required(o, "dtype", where), "\"dtype\"", where);
    try {
      return DType.fromName(name);
    } catch (KilnException e) {
      throw new KilnException(where + ": " + e.getMessage());
    }
  }

  private static Shape shape(Obj o, String where) {
    List<Value> dims = array(required(o, "shape", where), "\"shape\"", where);
    long[] d = new long[dims.size()];
    for (int i = 0; i < d.length; i++) {
      d[i] = longValue(dims.get(i), "\"shape\"[" + i + "]", where);
    }
    try {
      return Shape.ofLongs(d);
    } catch (KilnException e) {
      throw new KilnException(where + ": " + e.getMessage());
    }
  }

  private static List<String> names(Value v, String what, String where) {
    return new ArrayList<>(strings(array(v, what, where), what, where));
  }

  private static void trimTrailingEmpty(List<String> names) {
    while (!names.isEmpty() && names.get(names.size() - 1).isEmpty()) {
      names.remove(names.size() - 1);
    }
  }

  private static String string(Value v, String what, String where) {
    if (v instanceof Str s) {
      return s.value();
    }
    throw mustBe(what, "a string", v, where);
  }

  private static Obj object(Value v, String what, String where) {
    if (v instanceof Obj o) {
      return o;
    }
    throw mustBe(what, "an object", v, where);
  }

  private static List<Value> array(Value v, String what, String where) {
    if (v instanceof Arr a) {
      return a.items();
    }
    throw mustBe(what, "an array", v, where);
  }

  private static long integer(Value v, String what, String where) {
    return longValue(v, what, where);
  }

  private static long longValue(Value v, String what, String where) {
    if (!(v instanceof Num n) || !n.integral()) {
      throw mustBe(what, "an integer", v, where);
    }
    try {
      return Long.parseLong(n.text());
    } catch (NumberFormatException e) {
      throw new KilnException(prefix(where) + what + " = " + n.text() + " does not fit in int64");
    }
  }

  /**
   * A float32 value: any JSON number, parsed from its text with {@link Float#parseFloat} (correctly
   * rounded, sign of zero kept), or one of the strings "NaN", "Infinity", "-Infinity".
   */
  private static float floatValue(Value v, String what, String where) {
    if (v instanceof Num n) {
      float f = Float.parseFloat(n.text());
      if (Float.isInfinite(f)) {
        throw new KilnException(prefix(where) + what + " = " + n.text() + " is out of the float32"
            + " range (write \"Infinity\" or \"-Infinity\" for an infinity)");
      }
      return f;
    }
    if (v instanceof Str s) {
      switch (s.value()) {
        case "NaN" -> {
          return Float.NaN;
        }
        case "Infinity" -> {
          return Float.POSITIVE_INFINITY;
        }
        case "-Infinity" -> {
          return Float.NEGATIVE_INFINITY;
        }
        default -> { }
      }
    }
    throw mustBe(what, "a number (or \"NaN\", \"Infinity\", \"-Infinity\")", v, where);
  }

  private static long boolValue(Value v, String what, String where) {
    if (v instanceof Bool b) {
      return b.value() ? 1 : 0;
    }
    if (v instanceof Num n && (n.text().equals("0") || n.text().equals("1"))) {
      return n.text().equals("1") ? 1 : 0;
    }
    throw mustBe(what, "true or false (or 0 or 1)", v, where);
  }

  private static KilnException mustBe(String what, String expected, Value got, String where) {
    return new KilnException(prefix(where) + what + " must be " + expected + ", got " + got.kind());
  }

  private static String prefix(String where) {
    return where == null ? "" : where + ": ";
  }

  private static String stripExtension(String file) {
    int dot = file.lastIndexOf('.');
    return dot > 0 ? file.substring(0, dot) : file;
  }
}
