package dev.kiln.compiler.codegen;

import dev.kiln.compiler.Version;
import java.util.Objects;

/**
 * What a generated class is called and what its header records. Immutable; names are validated here.
 *
 * @param packageName "" for the unnamed package
 * @param className a Java identifier (see {@link JavaNames#checkClassName})
 * @param modelFile the model's file name, for the header ("" when the graph was built in memory)
 * @param modelSha256 the model file's sha256 in hex, or "" when unknown
 * @param kilnVersion recorded in the header (tests fix it so golden files do not change per release)
 */
public record CodegenOptions(String packageName, String className, String modelFile,
    String modelSha256, String kilnVersion) {
  public CodegenOptions {
    Objects.requireNonNull(modelFile, "modelFile");
    Objects.requireNonNull(modelSha256, "modelSha256");
    Objects.requireNonNull(kilnVersion, "kilnVersion");
    JavaNames.checkPackageName(packageName);
    JavaNames.checkClassName(className);
  }

  public static CodegenOptions of(String packageName, String className) {
    return new CodegenOptions(packageName, className, "", "", Version.KILN);
  }

  public CodegenOptions withModel(String file, String sha256) {
    return new CodegenOptions(packageName, className, file, sha256, kilnVersion);
  }

  public CodegenOptions withKilnVersion(String version) {
    return new CodegenOptions(packageName, className, modelFile, modelSha256, version);
  }

  /** {@code dev/kiln/demo/DigitsCnn}: the class's binary name in internal form. */
  public String internalName() {
    return packageName.isEmpty() ? className : packageName.replace('.', '/') + "/" + className;
  }

  /** {@code dev.kiln.demo.DigitsCnn}. */
  public String qualifiedName() {
    return packageName.isEmpty() ? className : packageName + "." + className;
  }

  /** Where a file beside the class goes, relative to the output root: {@code dev/kiln/demo/DigitsCnn.weights}. */
  public String pathBeside(String suffix) {
    return internalName() + suffix;
  }

  /** The weights resource's name relative to the class. */
  public String weightsResource() {
    return className + ".weights";
  }
}
