package dev.kiln.compiler.codegen.opencl;

/** Text that reaches generated OpenCL C: float literals, comments, template filling. */
final class ClText {
  private ClText() {}

  /**
   * A float literal that reads back as exactly {@code v}: Java's shortest round-tripping decimal
   * (valid C99 syntax) with the {@code f} suffix.
   */
  static String f(float v) {
    if (Float.isNaN(v)) {
      return "NAN";
    }
    if (Float.isInfinite(v)) {
      return v > 0 ? "INFINITY" : "(-INFINITY)";
    }
    String s = Float.toString(v);
    return (v < 0 ? "(" + s + "f)" : s + "f");
  }

  /**
   * Untrusted text (node names come from the model file) made safe for a {@code //} comment:
   * printable ASCII only, and no backslash, which at the end of a line would continue the comment
   * onto the next line of code.
   */
  static String comment(String untrusted) {
    StringBuilder sb = new StringBuilder(untrusted.length());
    for (int i = 0; i < untrusted.length(); i++) {
      char c = untrusted.charAt(i);
      sb.append(c >= 0x20 && c < 0x7f && c != '\\' ? c : '?');
    }
    return sb.toString();
  }

  /**
   * Replaces each {@code ${KEY}} in {@code template} by its value; every key must occur. Tokens may
   * be left for a later fill: {@link ClSource#kernel} refuses a kernel that still has one.
   */
  static String fill(String template, Object... keysAndValues) {
    String out = template;
    for (int i = 0; i < keysAndValues.length; i += 2) {
      String token = "${" + keysAndValues[i] + "}";
      if (!out.contains(token)) {
        throw new IllegalArgumentException("template has no " + token);
      }
      out = out.replace(token, String.valueOf(keysAndValues[i + 1]));
    }
    return out;
  }

  /** Indents every non-empty line of {@code code} by {@code spaces}. */
  static String indent(String code, int spaces) {
    String pad = " ".repeat(spaces);
    StringBuilder sb = new StringBuilder();
    for (String line : code.split("\n", -1)) {
      if (sb.length() > 0) {
        sb.append('\n');
      }
      if (!line.isEmpty()) {
        sb.append(pad).append(line);
      }
    }
    return sb.toString();
  }
}
