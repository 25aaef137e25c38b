package dev.kiln.compiler.codegen;

import java.util.Locale;

/** What a compilation emits. */
public enum Target {
  /** A {@code .java} file (JavaPoet) to compile with the user's build. */
  JAVA,
  /** {@code .class} files written directly (ASM), no javac needed. */
  BYTECODE;

  /** The name the CLI uses: {@code java}, {@code bytecode}. */
  public String cliName() {
    return name().toLowerCase(Locale.ROOT);
  }
}
