package dev.kiln.compiler.importer.json;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadConstraints;
import dev.kiln.compiler.KilnException;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A parsed JSON document that keeps each number's exact text. Jackson's own tree turns numbers into
 * doubles or BigDecimals on the way in: a double then rounded to float can differ from the float
 * nearest the text, and a BigDecimal loses the sign of {@code -0.0}. Float data must round-trip
 * bit-exactly, so numbers stay text here and are parsed once, with {@link Float#parseFloat}, where
 * their type is known.
 *
 * <p>Duplicate object keys are rejected (the later one would silently win), as is anything after the
 * root value. A syntax error is one line naming the file, line and column.
 */
final class JsonTree {
  private JsonTree() {}

  /**
   * The deepest nesting a Kiln graph needs is 7 (a tensor attribute's values); the limit keeps a
   * hostile file from exhausting the stack of the recursive {@link #read}.
   */
  static final int MAX_DEPTH = 64;

  private static final JsonFactory FACTORY = JsonFactory.builder()
      .streamReadConstraints(StreamReadConstraints.builder().maxNestingDepth(MAX_DEPTH).build())
      .build();

  /** A JSON value and where it starts (1-based line and column). */
  sealed interface Value {
    int line();

    int column();

    /** "an object", "a string", ...: for messages such as {@code "shape" must be an array, got a string}. */
    String kind();
  }

  /** An object; keys in document order. */
  record Obj(Map<String, Value> fields, int line, int column) implements Value {
    Value get(String key) {
      return fields.get(key);
    }

    @Override
    public String kind() {
      return "an object";
    }
  }

  record Arr(List<Value> items, int line, int column) implements Value {
    @Override
    public String kind() {
      return "an array";
    }
  }

  record Str(String value, int line, int column) implements Value {
    @Override
    public String kind() {
      return "a string";
    }
  }

  /**
   * A number as written.
   *
   * @param integral whether the text has neither a fraction nor an exponent
   */
  record Num(String text, boolean integral, int line, int column) implements Value {
    @Override
    public String kind() {
      return integral ? "an integer" : "a number";
    }
  }

  record Bool(boolean value, int line, int column) implements Value {
    @Override
    public String kind() {
      return "a boolean";
    }
  }

  record Null(int line, int column) implements Value {
    @Override
    public String kind() {
      return "null";
    }
  }

  /**
   * Parses a whole document.
   *
   * @throws KilnException {@code source: line L, column C: invalid JSON: ...} on a syntax error
   */
  static Value parse(byte[] document, String source) {
    JsonParser p;
    try {
      p = FACTORY.createParser(document);
    } catch (IOException e) {
      throw new KilnException(source + ": cannot parse: " + e.getMessage());
    }
    try (p) {
      if (p.nextToken() == null) {
        throw new KilnException(source + ": invalid JSON: the file is empty");
      }
      Value root = read(p, source);
      if (p.nextToken() != null) {
        throw new KilnException(source + ": " + position(p.currentTokenLocation())
            + "invalid JSON: content after the end of the document");
      }
      return root;
    } catch (JsonProcessingException e) {
      // Limit violations carry no location of their own; the parser's is where it stopped.
      JsonLocation at = e.getLocation() != null ? e.getLocation() : p.currentTokenLocation();
      throw new KilnException(source + ": " + position(at) + "invalid JSON: "
          + clean(e.getOriginalMessage()));
    } catch (IOException e) {
      throw new KilnException(source + ": cannot parse: " + e.getMessage());
    }
  }

  private static String position(JsonLocation at) {
    return at == null || at.getLineNr() < 1 ? ""
        : "line " + at.getLineNr() + ", column " + at.getColumnNr() + ": ";
  }

  /** Reads the value at the current token; leaves the parser on its last token. */
  private static Value read(JsonParser p, String source) throws IOException {
    JsonLocation at = p.currentTokenLocation();
    int line = at.getLineNr();
    int column = at.getColumnNr();
    JsonToken token = p.currentToken();
    switch (token) {
      case START_OBJECT -> {
        Map<String, Value> fields = new LinkedHashMap<>();
        while (p.nextToken() == JsonToken.FIELD_NAME) {
          String key = p.currentName();
          JsonLocation keyAt = p.currentTokenLocation();
          p.nextToken();
          if (fields.put(key, read(p, source)) != null) {
            throw new KilnException(source + ": " + position(keyAt) + "invalid JSON: duplicate key \""
                + key + "\"");
          }
        }
        return new Obj(Collections.unmodifiableMap(fields), line, column);
      }
      case START_ARRAY -> {
        List<Value> items = new ArrayList<>();
        while (p.nextToken() != JsonToken.END_ARRAY) {
          items.add(read(p, source));
        }
        return new Arr(Collections.unmodifiableList(items), line, column);
      }
      case VALUE_STRING -> {
        return new Str(p.getText(), line, column);
      }
      case VALUE_NUMBER_INT -> {
        return new Num(p.getText(), true, line, column);
      }
      case VALUE_NUMBER_FLOAT -> {
        return new Num(p.getText(), false, line, column);
      }
      case VALUE_TRUE, VALUE_FALSE -> {
        return new Bool(token == JsonToken.VALUE_TRUE, line, column);
      }
      case VALUE_NULL -> {
        return new Null(line, column);
      }
      default -> throw new IllegalStateException("unexpected token " + token);
    }
  }

  /**
   * Jackson's message without what only matters to Jackson's users: the redacted source in a start
   * marker and advice to enable parser features.
   */
  private static String clean(String message) {
    if (message == null) {
      return "malformed";
    }
    String m = message.replaceAll(
        "\\(start marker at \\[Source: [^;]*; line: (\\d+), column: (\\d+)\\]\\)",
        "(opened at line $1, column $2)");
    m = m.replaceAll(": enable `[^`]*` to allow", "");
    m = m.replaceAll(", from `[^`]*`\\)", ")");
    int newline = m.indexOf('\n');
    return newline < 0 ? m : m.substring(0, newline);
  }
}
