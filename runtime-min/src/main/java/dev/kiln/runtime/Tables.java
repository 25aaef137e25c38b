package dev.kiln.runtime;

/**
 * Integer tables of generated classes (gather indices, resize taps) stored as string constants:
 * long tables stay out of the static initializer's code, which an array literal would fill at about
 * 7 bytes per element, and the constant pool holds a string of up to 65535 bytes.
 */
public final class Tables {
  private Tables() {}

  /** Decodes an {@code int[]} stored as string pieces, two chars per int (high, then low 16 bits). */
  public static int[] ints(String... pieces) {
    int length = 0;
    for (String piece : pieces) {
      length += piece.length() / 2;
    }
    int[] values = new int[length];
    int i = 0;
    for (String piece : pieces) {
      for (int c = 0; c < piece.length(); c += 2) {
        values[i++] = piece.charAt(c) << 16 | piece.charAt(c + 1);
      }
    }
    return values;
  }
}
