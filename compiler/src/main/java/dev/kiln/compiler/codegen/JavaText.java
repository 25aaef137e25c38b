package dev.kiln.compiler.codegen;

import java.util.ArrayList;
import java.util.List;

/**
 * Untrusted text (names and strings from a model file) made safe for generated Java source.
 *
 * <p>The danger is that javac translates unicode escapes before it tokenizes (JLS 3.3): the six
 * characters {@code \u000a} in a comment end the comment, and {@code \u0022} in a string ends the
 * string. So every backslash from the model is doubled (a backslash preceded by an odd number of
 * backslashes starts no escape), and the escapes written here are only for characters that are
 * harmless once translated: never a line terminator, quote or backslash. The result is ASCII, so the
 * generated source compiles the same under any {@code -encoding}.
 */
public final class JavaText {
  /**
   * Characters per string-literal piece: at most 3 bytes each in the class file's modified UTF-8,
   * well under a constant's 65,535-byte limit.
   */
  public static final int MAX_LITERAL_CHARS = 16_384;

  /** Characters of untrusted text kept in a comment; the rest is elided. */
  static final int MAX_COMMENT_CHARS = 200;

  private JavaText() {}

  /** The body of a string literal (without quotes) that evaluates to exactly {@code s}. */
  public static String literalBody(String s) {
    StringBuilder sb = new StringBuilder(s.length() + 16);
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      switch (c) {
        case '"' -> sb.append("\\\"");
        case '\\' -> sb.append("\\\\");
        case '\n' -> sb.append("\\n");
        case '\r' -> sb.append("\\r");
        case '\t' -> sb.append("\\t");
        case '\b' -> sb.append("\\b");
        case '\f' -> sb.append("\\f");
        default -> appendPrintableOrEscape(sb, c);
      }
    }
    return sb.toString();
  }

  /**
   * {@code s} for a {@code //} or block comment: one line, ASCII, at most {@link #MAX_COMMENT_CHARS}
   * characters of the original, no comment terminator.
   */
  public static String comment(String s) {
    String t = s.length() > MAX_COMMENT_CHARS ? s.substring(0, MAX_COMMENT_CHARS) : s;
    StringBuilder sb = new StringBuilder(t.length() + 16);
    for (int i = 0; i < t.length(); i++) {
      char c = t.charAt(i);
      switch (c) {
        case '\\' -> sb.append("\\\\");
        case '\n' -> sb.append("\\n");
        case '\r' -> sb.append("\\r");
        case '\t' -> sb.append("\\t");
        case '/' -> sb.append(sb.length() > 0 && sb.charAt(sb.length() - 1) == '*' ? "\\/" : "/");
        default -> appendPrintableOrEscape(sb, c);
      }
    }
    if (t.length() < s.length()) {
      sb.append("... (").append(s.length()).append(" characters)");
    }
    return sb.toString();
  }

  /** {@link #comment} for Javadoc, where {@code <}, {@code &} and {@code @} mean markup. */
  public static String javadoc(String s) {
    return comment(s).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
        .replace("@", "&#64;").replace("{", "&#123;").replace("}", "&#125;");
  }

  /**
   * Splits {@code s} into pieces of at most {@link #MAX_LITERAL_CHARS} characters, each small enough
   * for one class-file constant; generated code joins them at run time, not as a constant expression
   * (javac would fold that back into one over-long constant).
   */
  public static List<String> literalPieces(String s) {
    List<String> pieces = new ArrayList<>();
    for (int i = 0; i < s.length(); i += MAX_LITERAL_CHARS) {
      pieces.add(s.substring(i, Math.min(s.length(), i + MAX_LITERAL_CHARS)));
    }
    if (pieces.isEmpty()) {
      pieces.add("");
    }
    return pieces;
  }

  /**
   * A printable ASCII character as itself, anything else as a unicode escape: translated by javac
   * into a character that is not a line terminator, quote or backslash, so it stays inside the
   * literal or comment.
   */
  private static void appendPrintableOrEscape(StringBuilder sb, char c) {
    if (c >= 0x20 && c < 0x7f) {
      sb.append(c);
    } else {
      sb.append(String.format("\\u%04x", (int) c));
    }
  }
}
