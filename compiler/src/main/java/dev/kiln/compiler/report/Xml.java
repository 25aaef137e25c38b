package dev.kiln.compiler.report;

/**
 * Text for XML and HTML, whose content comes from model files (untrusted): markup characters
 * escaped, and characters XML cannot hold at all (control characters, unpaired surrogates, U+FFFE,
 * U+FFFF) replaced by U+FFFD, so a report is always well-formed.
 */
final class Xml {
  private Xml() {}

  /** Escaped for element content and for attribute values in either quote. */
  static String escape(String s) {
    StringBuilder sb = new StringBuilder(s.length() + 16);
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      switch (c) {
        case '&' -> sb.append("&amp;");
        case '<' -> sb.append("&lt;");
        case '>' -> sb.append("&gt;");
        case '"' -> sb.append("&quot;");
        case '\'' -> sb.append("&#39;");
        default -> {
          if (Character.isHighSurrogate(c) && i + 1 < s.length()
              && Character.isLowSurrogate(s.charAt(i + 1))) {
            sb.append(c).append(s.charAt(++i));
          } else if ((c < 0x20 && c != '\t' && c != '\n' && c != '\r') || Character.isSurrogate(c)
              || c == '\uFFFE' || c == '\uFFFF') {
            sb.append('\uFFFD');
          } else {
            sb.append(c);
          }
        }
      }
    }
    return sb.toString();
  }
}
