package dev.kiln.maven;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.kiln.compiler.importer.onnx.proto.OnnxProto.AttributeProto;
import dev.kiln.compiler.importer.onnx.proto.OnnxProto.ModelProto;
import dev.kiln.compiler.importer.onnx.proto.OnnxProto.NodeProto;
import dev.kiln.compiler.importer.onnx.proto.OnnxProto.StringStringEntryProto;
import dev.kiln.compiler.importer.onnx.proto.OnnxProto.TensorProto;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.TreeSet;

/**
 * The files a model is read from: the model file and the data files it names (a Kiln JSON graph's
 * {@code data_file}, an ONNX model's external data), each with its SHA-256, so that editing any of
 * them makes the model out of date. Files that are named but missing are left out: the import then
 * reports them.
 */
final class ModelInputs {
  private ModelInputs() {}

  /** {@code path sha256} lines, the model first, then its data files sorted by path. */
  static List<String> fingerprint(Path model) {
    return fingerprint(model, sha256(model));
  }

  /** The same, for a model whose digest the caller has already computed. */
  static List<String> fingerprint(Path model, String modelSha256) {
    List<String> lines = new ArrayList<>();
    lines.add(model + " " + modelSha256);
    for (Path data : dataFiles(model)) {
      lines.add(data + " " + sha256(data));
    }
    return lines;
  }

  /** The existing data files {@code model} names, inside or outside its folder. */
  static TreeSet<Path> dataFiles(Path model) {
    TreeSet<String> named = new TreeSet<>();
    String name = model.getFileName().toString();
    try {
      if (name.endsWith(".json")) {
        JsonNode path = new ObjectMapper().readTree(model.toFile()).path("data_file").path("path");
        if (path.isTextual()) {
          named.add(path.asText());
        }
      } else if (name.endsWith(".onnx")) {
        ModelProto proto;
        try (InputStream in = Files.newInputStream(model)) {
          proto = ModelProto.parseFrom(in);
        }
        proto.getGraph().getInitializerList().forEach(t -> addLocation(t, named));
        for (NodeProto node : proto.getGraph().getNodeList()) {
          for (AttributeProto a : node.getAttributeList()) {
            if (a.hasT()) {
              addLocation(a.getT(), named);
            }
          }
        }
      }
    } catch (IOException | RuntimeException e) {
      // An unreadable model has no data files we can name; compiling it reports the real error.
      return new TreeSet<>();
    }
    TreeSet<Path> files = new TreeSet<>();
    Path dir = model.toAbsolutePath().getParent();
    for (String location : named) {
      try {
        Path file = dir.resolve(location).normalize();
        if (Files.isRegularFile(file)) {
          files.add(file);
        }
      } catch (java.nio.file.InvalidPathException e) {
        // Not a path on this system: the importer refuses it with the model's name.
      }
    }
    return files;
  }

  private static void addLocation(TensorProto t, TreeSet<String> named) {
    for (StringStringEntryProto e : t.getExternalDataList()) {
      if (e.getKey().equals("location")) {
        named.add(e.getValue());
      }
    }
  }

  static String sha256(Path file) {
    try (InputStream in = Files.newInputStream(file)) {
      MessageDigest digest = MessageDigest.getInstance("SHA-256");
      byte[] buffer = new byte[1 << 16];
      for (int n; (n = in.read(buffer)) > 0; ) {
        digest.update(buffer, 0, n);
      }
      return HexFormat.of().formatHex(digest.digest());
    } catch (IOException e) {
      throw new UncheckedIOException(file + ": cannot read: " + e.getMessage(), e);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every JVM has SHA-256", e);
    }
  }
}
