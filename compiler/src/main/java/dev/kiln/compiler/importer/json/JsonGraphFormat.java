package dev.kiln.compiler.importer.json;

import dev.kiln.compiler.ir.Tensor;
import java.util.List;

/**
 * The constants and the float spelling shared by {@link JsonImporter} and {@link JsonExporter}; the
 * format itself is described in {@code docs/json-format.md}.
 */
final class JsonGraphFormat {
  private JsonGraphFormat() {}

  static final String FORMAT = "kiln-graph";

  static final int VERSION = 1;

  /** Every tensor in the data file starts at a multiple of this many bytes. */
  static final int ALIGNMENT = 64;

  /** Tensors with at most this many elements are written inline, as {@code "values"}. */
  static final int INLINE_LIMIT = 16;

  /** The keys of the explicitly typed attribute form, e.g. {@code {"ints": []}}. */
  static final List<String> ATTRIBUTE_KINDS =
      List.of("int", "float", "string", "ints", "floats", "strings", "tensor");

  /** The bit pattern of {@link Float#NaN}: the only NaN that the text {@code "NaN"} stands for. */
  static final int CANONICAL_NAN_BITS = Float.floatToRawIntBits(Float.NaN);

  /**
   * A finite float as a JSON number that {@link Float#parseFloat} reads back to the same bits:
   * {@link Float#toString} gives enough digits to single the float out and always a '.' or an
   * exponent, so the number is never mistaken for an integer. Non-finite values have no JSON number
   * and are written as the strings "NaN", "Infinity" and "-Infinity".
   */
  static String floatText(float value) {
    if (Float.isFinite(value)) {
      return Float.toString(value);
    }
    return Float.isNaN(value) ? "\"NaN\"" : value > 0 ? "\"Infinity\"" : "\"-Infinity\"";
  }

  /** Whether writing the tensor's values as text and reading them back gives the same bits. */
  static boolean hasOnlyTextSafeFloats(Tensor t) {
    if (!t.isFloat()) {
      return true;
    }
    for (int i = 0; i < t.elementCount(); i++) {
      float v = t.floatAt(i);
      if (Float.isNaN(v) && Float.floatToRawIntBits(v) != CANONICAL_NAN_BITS) {
        return false;
      }
    }
    return true;
  }

  static long align(long offset) {
    return (offset + ALIGNMENT - 1) / ALIGNMENT * ALIGNMENT;
  }
}
