package dev.kiln.compiler;

/**
 * A problem with the user's input: a model, an option or a data file. Its message is one line that
 * names what is wrong and where (file, node, op); the CLI prints it without a stack trace and exits
 * with status 1. Anything else that escapes the compiler is a bug in Kiln.
 *
 * <p>Messages quote names read from untrusted files (nodes, values, attributes), so control and
 * line-separator characters are written here as Java escapes (a newline as backslash-n): whatever
 * a model holds, the message stays one line.
 */
public class KilnException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  public KilnException(String message) {
    super(oneLine(message));
  }

  public KilnException(String message, Throwable cause) {
    super(oneLine(message), cause);
  }

  /** Escapes what would break the line; idempotent, so re-wrapping a message changes nothing. */
  static String oneLine(String message) {
    if (message == null) {
      return null;
    }
    StringBuilder sb = null;
    for (int i = 0; i < message.length(); i++) {
      char c = message.charAt(i);
      boolean breaks = c < 0x20 || c == 0x7f || c == 0x85 || c == 0x2028 || c == 0x2029;
      if (breaks && sb == null) {
        sb = new StringBuilder(message.length() + 8).append(message, 0, i);
      }
      if (sb != null) {
        if (!breaks) {
          sb.append(c);
        } else if (c == '\n') {
          sb.append("\\n");
        } else if (c == '\r') {
          sb.append("\\r");
        } else if (c == '\t') {
          sb.append("\\t");
        } else {
          sb.append(String.format("\\u%04x", (int) c));
        }
      }
    }
    return sb == null ? message : sb.toString();
  }
}
