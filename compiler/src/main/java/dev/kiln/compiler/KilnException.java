package dev.kiln.compiler;

/**
 * A problem with the user's input: a model, an option or a data file. Its message is one line that
 * names what is wrong and where (file, node, op); the CLI prints it without a stack trace and exits
 * with status 1. Anything else that escapes the compiler is a bug in Kiln.
 */
public class KilnException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  public KilnException(String message) {
    super(message);
  }

  public KilnException(String message, Throwable cause) {
    super(message, cause);
  }
}
