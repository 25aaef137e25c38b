package dev.kiln.compiler.codegen;

import dev.kiln.compiler.KilnException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Pattern;
import javax.lang.model.SourceVersion;

/**
 * Java identifiers for generated code. Names that come from a model file (node names) are untrusted:
 * they are reduced to ASCII letters and digits here and then made unique by a {@code NameAllocator},
 * so whatever the model contains, the generated identifier is valid and says roughly what the layer
 * was called. Class and package names come from the user and are validated instead.
 */
public final class JavaNames {
  /** Longest identifier derived from a model name: long enough to recognise, short enough to read. */
  static final int MAX_DERIVED_LENGTH = 48;

  private static final Pattern IDENTIFIER = Pattern.compile("[A-Za-z_][A-Za-z0-9_]*");
  /** Contextual keywords that cannot name a type (JLS 3.9); {@code _} is a keyword since Java 9. */
  private static final Set<String> RESTRICTED_TYPE_NAMES =
      Set.of("var", "yield", "record", "sealed", "permits", "_");

  private JavaNames() {}

  /** {@code /layer1/layer1.0/conv1/Conv} becomes {@code layer1Layer1_0Conv1Conv}; never empty. */
  public static String lowerCamel(String name) {
    List<String> words = words(name);
    StringBuilder sb = new StringBuilder();
    for (String w : words) {
      if (sb.length() > 0 && Character.isDigit(sb.charAt(sb.length() - 1)) && Character.isDigit(w.charAt(0))) {
        sb.append('_');
      }
      sb.append(sb.length() == 0 ? lowerFirst(w) : upperFirst(w));
      if (sb.length() >= MAX_DERIVED_LENGTH) {
        break;
      }
    }
    String s = truncate(sb.toString());
    return s.isEmpty() || Character.isDigit(s.charAt(0)) ? "layer" + upperFirst(s) : s;
  }

  /** {@code conv1.weight} becomes {@code CONV1_WEIGHT}; never empty. */
  public static String upperSnake(String name) {
    StringBuilder sb = new StringBuilder();
    for (String w : words(name)) {
      if (sb.length() > 0) {
        sb.append('_');
      }
      sb.append(splitCamel(w).toUpperCase(Locale.ROOT));
      if (sb.length() >= MAX_DERIVED_LENGTH) {
        break;
      }
    }
    String s = truncate(sb.toString());
    return s.isEmpty() || Character.isDigit(s.charAt(0)) ? "LAYER_" + s : s;
  }

  /** {@code digits_cnn.onnx} becomes {@code DigitsCnn}; may be invalid (check with {@link #checkClassName}). */
  public static String classNameFromFile(String fileName) {
    String base = fileName;
    int dot = base.lastIndexOf('.');
    if (dot > 0) {
      base = base.substring(0, dot);
    }
    StringBuilder sb = new StringBuilder();
    for (String w : words(base)) {
      sb.append(upperFirst(w));
    }
    return sb.toString();
  }

  /**
   * @throws KilnException when {@code name} cannot name a generated class
   */
  public static void checkClassName(String name) {
    if (!isIdentifier(name) || RESTRICTED_TYPE_NAMES.contains(name)) {
      throw new KilnException("'" + name + "' is not a valid class name: use ASCII letters, digits and"
          + " '_', not starting with a digit, and not a Java keyword");
    }
  }

  /**
   * @throws KilnException when {@code name} cannot name the package of a generated class
   */
  public static void checkPackageName(String name) {
    if (name.isEmpty()) {
      return;
    }
    for (String segment : name.split("\\.", -1)) {
      if (!isIdentifier(segment)) {
        throw new KilnException("'" + name + "' is not a valid package name: use dot-separated parts"
            + " of ASCII letters, digits and '_', each not starting with a digit and not a Java keyword");
      }
    }
    if (name.equals("java") || name.startsWith("java.")) {
      throw new KilnException("'" + name + "' is not a valid package name: the JVM reserves java.*");
    }
  }

  private static boolean isIdentifier(String s) {
    return IDENTIFIER.matcher(s).matches() && !SourceVersion.isKeyword(s) && !s.equals("_");
  }

  /** The runs of ASCII letters and digits in {@code name}, in order. */
  private static List<String> words(String name) {
    List<String> words = new ArrayList<>();
    StringBuilder w = new StringBuilder();
    for (int i = 0; i < name.length(); i++) {
      char c = name.charAt(i);
      if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')) {
        w.append(c);
      } else if (w.length() > 0) {
        words.add(w.toString());
        w.setLength(0);
      }
      if (words.size() > MAX_DERIVED_LENGTH) {
        break;
      }
    }
    if (w.length() > 0) {
      words.add(w.toString());
    }
    return words;
  }

  /** {@code convBn} becomes {@code conv_Bn}, so upper snake keeps camel-case word breaks. */
  private static String splitCamel(String w) {
    StringBuilder sb = new StringBuilder();
    for (int i = 0; i < w.length(); i++) {
      char c = w.charAt(i);
      if (i > 0 && Character.isUpperCase(c) && Character.isLowerCase(w.charAt(i - 1))) {
        sb.append('_');
      }
      sb.append(c);
    }
    return sb.toString();
  }

  private static String truncate(String s) {
    String t = s.length() > MAX_DERIVED_LENGTH ? s.substring(0, MAX_DERIVED_LENGTH) : s;
    while (t.endsWith("_")) {
      t = t.substring(0, t.length() - 1);
    }
    return t;
  }

  private static String lowerFirst(String w) {
    return w.isEmpty() ? w : Character.toLowerCase(w.charAt(0)) + w.substring(1);
  }

  private static String upperFirst(String w) {
    return w.isEmpty() ? w : Character.toUpperCase(w.charAt(0)) + w.substring(1);
  }
}
