package dev.kiln.compiler.importer.json;

import com.fasterxml.jackson.core.io.JsonStringEncoder;
import dev.kiln.compiler.KilnException;
import dev.kiln.compiler.io.AtomicFiles;
import dev.kiln.compiler.ir.Attribute;
import dev.kiln.compiler.ir.Attributes;
import dev.kiln.compiler.ir.Graph;
import dev.kiln.compiler.ir.Node;
import dev.kiln.compiler.ir.Shape;
import dev.kiln.compiler.ir.Tensor;
import dev.kiln.compiler.ir.Value;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.DigestOutputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;

/**
 * Writes a {@link Graph} in Kiln's JSON graph format ({@code docs/json-format.md}): {@code NAME.json}
 * and, when some tensor has more than {@value JsonGraphFormat#INLINE_LIMIT} elements,
 * {@code NAME.bin} beside it. {@link JsonImporter} reads the pair back into an equal graph, with
 * bit-identical constants and attributes.
 *
 * <p>Each file is written atomically, the data file first: a failure leaves the old files in
 * place, never a half-written one. The JSON records the data file's size and SHA-256, so a JSON
 * left beside a data file from another export (a crash between the two moves) is refused on import
 * rather than read with the wrong weights.
 */
public final class JsonExporter {
  private static final int CHUNK_BYTES = 1 << 16;

  /**
   * What was written.
   *
   * @param data the data file, or {@code null} when every tensor fit inline
   * @param dataBytes the data file's size
   */
  public record Result(Path json, Path data, long dataBytes) {}

  /** Where each tensor stored in the data file starts; identity, so a shared tensor is stored once. */
  private final Map<Tensor, Long> offsets = new IdentityHashMap<>();

  private final List<Tensor> stored = new ArrayList<>();
  private long dataBytes;

  /**
   * Each node's attributes, asked for once: an operator may build new tensors on every call to
   * {@code attributes()}, and the offsets are keyed by identity.
   */
  private final List<Attributes> nodeAttributes = new ArrayList<>();

  private JsonExporter() {}

  /**
   * Writes the graph to {@code jsonFile}, which must end in {@code .json}; the data file is the same
   * name ending in {@code .bin}.
   */
  public static Result write(Graph graph, Path jsonFile) {
    String fileName = jsonFile.getFileName() == null ? "" : jsonFile.getFileName().toString();
    if (!fileName.endsWith(".json") || fileName.length() == ".json".length()) {
      throw new KilnException(jsonFile + ": a Kiln graph file name must end in .json");
    }
    String dataName = fileName.substring(0, fileName.length() - ".json".length()) + ".bin";
    Path dataFile = jsonFile.resolveSibling(dataName);

    JsonExporter exporter = new JsonExporter();
    exporter.layOut(graph);
    String sha256 = null;
    if (!exporter.stored.isEmpty()) {
      sha256 = exporter.writeData(dataFile);
    }
    String json = exporter.json(graph, exporter.stored.isEmpty() ? null : dataName, sha256);
    AtomicFiles.write(jsonFile, json.getBytes(StandardCharsets.UTF_8));
    return new Result(jsonFile, exporter.stored.isEmpty() ? null : dataFile, exporter.dataBytes);
  }

  /** Gives every tensor that does not go inline its place in the data file, in graph order. */
  private void layOut(Graph graph) {
    for (Tensor t : graph.constants().values()) {
      place(t);
    }
    for (Node node : graph.nodes()) {
      Attributes attributes = node.op().attributes();
      nodeAttributes.add(attributes);
      for (Attribute a : attributes.asMap().values()) {
        if (a instanceof Attribute.TensorAttr t) {
          place(t.value());
        }
      }
    }
  }

  private void place(Tensor t) {
    if (isInline(t) || offsets.containsKey(t)) {
      return;
    }
    long offset = JsonGraphFormat.align(dataBytes);
    offsets.put(t, offset);
    stored.add(t);
    dataBytes = offset + t.type().byteSize();
  }

  /** Small tensors go inline, unless text would lose a NaN's payload. */
  private static boolean isInline(Tensor t) {
    return t.elementCount() <= JsonGraphFormat.INLINE_LIMIT && JsonGraphFormat.hasOnlyTextSafeFloats(t);
  }

  /** Writes the stored tensors, zero-padded to their offsets, and returns the file's SHA-256. */
  private String writeData(Path dataFile) {
    MessageDigest digest;
    try {
      digest = MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every Java platform has SHA-256", e);
    }
    AtomicFiles.write(dataFile, out -> {
      OutputStream hashed = new DigestOutputStream(new BufferedOutputStream(out, CHUNK_BYTES), digest);
      long position = 0;
      ByteBuffer buf = ByteBuffer.allocate(CHUNK_BYTES).order(ByteOrder.LITTLE_ENDIAN);
      for (Tensor t : stored) {
        long offset = offsets.get(t);
        hashed.write(new byte[(int) (offset - position)]);
        writeElements(t, buf, hashed);
        position = offset + t.type().byteSize();
      }
      hashed.flush();
      if (position != dataBytes) {
        throw new IllegalStateException("wrote " + position + " bytes, laid out " + dataBytes);
      }
    });
    return HexFormat.of().formatHex(digest.digest());
  }

  /** The elements little-endian: float32 as IEEE bits (NaN payloads kept), int64 8, int32 4, bool 1 byte. */
  private static void writeElements(Tensor t, ByteBuffer buf, OutputStream out) throws IOException {
    int width = t.dtype().byteSize();
    int n = t.elementCount();
    buf.clear();
    for (int i = 0; i < n; i++) {
      if (buf.remaining() < width) {
        out.write(buf.array(), 0, buf.position());
        buf.clear();
      }
      switch (t.dtype()) {
        case FLOAT32 -> buf.putFloat(t.floatAt(i));
        case INT64 -> buf.putLong(t.longAt(i));
        case INT32 -> buf.putInt((int) t.longAt(i));
        case BOOL -> buf.put((byte) (t.longAt(i) != 0 ? 1 : 0));
      }
    }
    out.write(buf.array(), 0, buf.position());
  }

  // ---- The JSON document ---------------------------------------------------------------------

  /** One line per input, constant and node: readable, and diffs of two exports stay small. */
  private String json(Graph graph, String dataName, String sha256) {
    StringBuilder sb = new StringBuilder();
    sb.append("{\n");
    sb.append("  \"format\": ").append(quote(JsonGraphFormat.FORMAT)).append(",\n");
    sb.append("  \"version\": ").append(JsonGraphFormat.VERSION).append(",\n");
    sb.append("  \"name\": ").append(quote(graph.name())).append(",\n");
    sb.append("  \"opset\": ").append(graph.opset()).append(",\n");
    if (dataName != null) {
      sb.append("  \"data_file\": {\"path\": ").append(quote(dataName))
          .append(", \"size\": ").append(dataBytes)
          .append(", \"sha256\": ").append(quote(sha256)).append("},\n");
    }
    sb.append("  \"inputs\": [");
    String sep = "\n";
    for (Value in : graph.inputs()) {
      sb.append(sep).append("    {\"name\": ").append(quote(in.name()))
          .append(", \"dtype\": ").append(quote(in.type().dtype().toString()))
          .append(", \"shape\": ");
      shape(sb, in.type().shape());
      sb.append('}');
      sep = ",\n";
    }
    sb.append(graph.inputs().isEmpty() ? "],\n" : "\n  ],\n");
    sb.append("  \"outputs\": ");
    names(sb, graph.outputs());
    sb.append(",\n");
    sb.append("  \"constants\": [");
    sep = "\n";
    for (Map.Entry<String, Tensor> c : graph.constants().entrySet()) {
      sb.append(sep).append("    {\"name\": ").append(quote(c.getKey())).append(", ");
      tensorFields(sb, c.getValue());
      sb.append('}');
      sep = ",\n";
    }
    sb.append(graph.constants().isEmpty() ? "],\n" : "\n  ],\n");
    sb.append("  \"nodes\": [");
    sep = "\n";
    for (int i = 0; i < graph.nodes().size(); i++) {
      Node node = graph.nodes().get(i);
      sb.append(sep).append("    {\"name\": ").append(quote(node.name()))
          .append(", \"op\": ").append(quote(node.opType()));
      if (!node.inputs().isEmpty()) {
        sb.append(", \"inputs\": ");
        names(sb, node.inputs());
      }
      sb.append(", \"outputs\": ");
      names(sb, node.outputs());
      Attributes attributes = nodeAttributes.get(i);
      if (!attributes.isEmpty()) {
        sb.append(", \"attributes\": ");
        attributes(sb, attributes);
      }
      sb.append('}');
      sep = ",\n";
    }
    sb.append(graph.nodes().isEmpty() ? "]\n" : "\n  ]\n");
    sb.append("}\n");
    return sb.toString();
  }

  /** The attributes as a JSON object; every tensor among them must be small enough to go inline. */
  static String attributesJson(Attributes attributes) {
    StringBuilder sb = new StringBuilder();
    new JsonExporter().attributes(sb, attributes);
    return sb.toString();
  }

  /** {@code {"pads": [1, 1, 1, 1], "epsilon": 1.0E-5}}, in the attributes' order. */
  private void attributes(StringBuilder sb, Attributes attributes) {
    sb.append('{');
    String sep = "";
    for (Map.Entry<String, Attribute> e : attributes.asMap().entrySet()) {
      sb.append(sep).append(quote(e.getKey())).append(": ");
      attribute(sb, e.getValue());
      sep = ", ";
    }
    sb.append('}');
  }

  /**
   * The short form where reading it back gives the same kind and value (see {@link
   * JsonImporter}); the explicit {@code {"kind": value}} form for empty lists, non-finite floats
   * and tensors.
   */
  private void attribute(StringBuilder sb, Attribute a) {
    if (a instanceof Attribute.IntAttr i) {
      sb.append(i.value());
    } else if (a instanceof Attribute.FloatAttr f) {
      String text = JsonGraphFormat.floatText(f.value());
      sb.append(Float.isFinite(f.value()) ? text : "{\"float\": " + text + "}");
    } else if (a instanceof Attribute.StringAttr s) {
      sb.append(quote(s.value()));
    } else if (a instanceof Attribute.IntsAttr i) {
      boolean explicit = i.values().isEmpty();
      sb.append(explicit ? "{\"ints\": [" : "[");
      String sep = "";
      for (long v : i.values()) {
        sb.append(sep).append(v);
        sep = ", ";
      }
      sb.append(explicit ? "]}" : "]");
    } else if (a instanceof Attribute.FloatsAttr f) {
      boolean explicit = f.values().isEmpty() || !f.values().stream().allMatch(Float::isFinite);
      sb.append(explicit ? "{\"floats\": [" : "[");
      String sep = "";
      for (float v : f.values()) {
        sb.append(sep).append(JsonGraphFormat.floatText(v));
        sep = ", ";
      }
      sb.append(explicit ? "]}" : "]");
    } else if (a instanceof Attribute.StringsAttr s) {
      boolean explicit = s.values().isEmpty();
      sb.append(explicit ? "{\"strings\": " : "");
      names(sb, s.values());
      sb.append(explicit ? "}" : "");
    } else if (a instanceof Attribute.TensorAttr t) {
      sb.append("{\"tensor\": {");
      tensorFields(sb, t.value());
      sb.append("}}");
    } else {
      throw new IllegalArgumentException("unknown attribute kind " + a.kind());
    }
  }

  /** {@code "dtype": ..., "shape": [...], "values": [...]} or {@code ..., "data": {...}}. */
  private void tensorFields(StringBuilder sb, Tensor t) {
    sb.append("\"dtype\": ").append(quote(t.dtype().toString())).append(", \"shape\": ");
    shape(sb, t.shape());
    Long offset = offsets.get(t);
    if (offset != null) {
      sb.append(", \"data\": {\"offset\": ").append(offset)
          .append(", \"length\": ").append(t.type().byteSize()).append('}');
      return;
    }
    if (!isInline(t)) {
      throw new IllegalStateException("tensor " + t.type() + " was not laid out in the data file");
    }
    sb.append(", \"values\": [");
    for (int i = 0; i < t.elementCount(); i++) {
      if (i > 0) {
        sb.append(", ");
      }
      switch (t.dtype()) {
        case FLOAT32 -> sb.append(JsonGraphFormat.floatText(t.floatAt(i)));
        case INT64, INT32 -> sb.append(t.longAt(i));
        case BOOL -> sb.append(t.longAt(i) != 0);
      }
    }
    sb.append(']');
  }

  private static void shape(StringBuilder sb, Shape shape) {
    sb.append('[');
    int[] dims = shape.dims();
    for (int i = 0; i < dims.length; i++) {
      sb.append(i > 0 ? ", " : "").append(dims[i]);
    }
    sb.append(']');
  }

  private static void names(StringBuilder sb, List<String> names) {
    sb.append('[');
    for (int i = 0; i < names.size(); i++) {
      sb.append(i > 0 ? ", " : "").append(quote(names.get(i)));
    }
    sb.append(']');
  }

  private static String quote(String s) {
    return '"' + new String(JsonStringEncoder.getInstance().quoteAsString(s)) + '"';
  }
}
