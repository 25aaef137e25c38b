package dev.kiln.compiler.conformance;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The committed {@code key: value} files the conformance test reads (exclusions, operator notes):
 * one entry a line, {@code #} comments and blank lines ignored. A malformed line or a key given twice
 * fails naming the file and line, so a typo cannot silently drop an entry.
 */
final class KeyedLines {
  private KeyedLines() {}

  /** Entries in file order. */
  static Map<String, String> readResource(String resource) {
    try (InputStream in = KeyedLines.class.getResourceAsStream("/" + resource)) {
      if (in == null) {
        throw new IllegalStateException("test resource " + resource + " is missing");
      }
      return parse(new String(in.readAllBytes(), StandardCharsets.UTF_8), resource);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  static Map<String, String> parse(String text, String source) {
    Map<String, String> entries = new LinkedHashMap<>();
    String[] lines = text.split("\n", -1);
    for (int i = 0; i < lines.length; i++) {
      String line = lines[i].strip();
      if (line.isEmpty() || line.startsWith("#")) {
        continue;
      }
      int colon = line.indexOf(':');
      if (colon <= 0 || line.substring(colon + 1).isBlank()) {
        throw new IllegalStateException(source + ":" + (i + 1) + ": expected 'key: value', got '"
            + line + "'");
      }
      String key = line.substring(0, colon).strip();
      if (entries.put(key, line.substring(colon + 1).strip()) != null) {
        throw new IllegalStateException(source + ":" + (i + 1) + ": '" + key + "' is listed twice");
      }
    }
    return entries;
  }
}
