package dev.kiln.compiler;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Properties;

/** Kiln's version, from the build. */
public final class Version {
  public static final String KILN = load();

  private Version() {}

  private static String load() {
    try (InputStream in = Version.class.getResourceAsStream("kiln-version.properties")) {
      if (in == null) {
        return "unknown";
      }
      Properties p = new Properties();
      p.load(in);
      return p.getProperty("version", "unknown");
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
