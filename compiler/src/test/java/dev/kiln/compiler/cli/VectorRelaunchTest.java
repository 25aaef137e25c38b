package dev.kiln.compiler.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * The decision behind {@code java -jar kiln.jar} restarting itself with the Vector API. (The relaunch
 * itself needs the shaded jar, which does not exist yet when these tests run: see docs/performance.md
 * for the manual check.)
 */
class VectorRelaunchTest {
  private static final String JAVA = "/jdk/bin/java";
  private static final List<String> JVM_ARGS = List.of("-Xmx2g", "-Dfoo=bar");
  private static final String MAIN = "dev.kiln.compiler.cli.Main";

  private static Optional<List<String>> decide(String[] args, int feature, boolean module,
      String guard, String property, String java, List<String> jvmArgs) {
    return VectorRelaunch.command(args, feature, module, guard, property, java, jvmArgs, "kiln.jar", MAIN);
  }

  @Test
  void relaunchesWithTheModuleAndTheSameEverythingElse() {
    String[] args = {"run", "model.onnx", "--input", "x.npy"};
    assertEquals(Optional.of(List.of(JAVA, "--add-modules", "jdk.incubator.vector",
            "--enable-native-access=ALL-UNNAMED", "--sun-misc-unsafe-memory-access=allow",
            "-Xmx2g", "-Dfoo=bar", "-cp", "kiln.jar", MAIN, "run", "model.onnx", "--input", "x.npy")),
        decide(args, 25, false, null, null, JAVA, JVM_ARGS));
  }

  @Test
  void onlyJava23AndLaterGetTheUnsafeFlag() {
    List<String> cmd = decide(new String[] {"bench", "--kernels"}, 21, false, null, null, JAVA, List.of())
        .orElseThrow();
    assertEquals(List.of(JAVA, "--add-modules", "jdk.incubator.vector",
        "--enable-native-access=ALL-UNNAMED", "-cp", "kiln.jar", MAIN, "bench", "--kernels"), cmd);
  }

  @Test
  void staysWhenNothingIsToBeGained() {
    String[] run = {"run", "m.onnx", "-i", "x.npy"};
    assertFalse(decide(run, 25, true, null, null, JAVA, JVM_ARGS).isPresent(), "module already there");
    assertFalse(decide(run, 17, false, null, null, JAVA, JVM_ARGS).isPresent(), "Java 17");
    assertFalse(decide(run, 25, false, "1", null, JAVA, JVM_ARGS).isPresent(), "already relaunched");
    assertFalse(decide(run, 25, false, null, "false", JAVA, JVM_ARGS).isPresent(), "-Dkiln.vector=false");
    assertFalse(decide(run, 25, false, null, null, null, JVM_ARGS).isPresent(), "no java binary");
    assertFalse(decide(run, 25, false, null, null, JAVA,
        List.of("-agentlib:jdwp=transport=dt_socket,server=y,address=5005")).isPresent(), "debugger");
  }

  @Test
  void onlyCommandsThatReadModelsOrRunKernelsRelaunch() {
    assertTrue(VectorRelaunch.runsKernels(new String[] {"run", "m.onnx"}));
    assertTrue(VectorRelaunch.runsKernels(new String[] {"bench", "--kernels"}));
    assertTrue(VectorRelaunch.runsKernels(new String[] {"calibrate"}));
    assertTrue(VectorRelaunch.runsKernels(new String[] {"compile", "m.onnx", "-o", "d", "--autotune"}));
    assertTrue(VectorRelaunch.runsKernels(new String[] {"compile", "m.onnx", "-o", "d"}));
    assertTrue(VectorRelaunch.runsKernels(new String[] {"inspect", "m.onnx"}));
    assertTrue(VectorRelaunch.runsKernels(new String[] {"convert", "m.onnx", "m.json"}));
    assertFalse(VectorRelaunch.runsKernels(new String[] {"--version"}));
    assertFalse(VectorRelaunch.runsKernels(new String[] {"help", "run"}));
    assertFalse(VectorRelaunch.runsKernels(new String[] {}));
  }

  @Test
  void dropsTheIncubatorWarningOnlyWhenItComesFirst() {
    String nl = System.lineSeparator();
    String warning = VectorRelaunch.INCUBATOR_WARNING + nl;
    assertEquals("kiln: kernels: x" + nl, pump(warning + "kiln: kernels: x" + nl, 7));
    assertEquals("kiln: kernels: x" + nl, pump(warning + "kiln: kernels: x" + nl, 1));
    assertEquals("", pump(warning, 3));
    assertEquals("other" + nl + warning, pump("other" + nl + warning, 5));
    assertEquals("WARNING: Using incubator", pump("WARNING: Using incubator", 4));
    assertEquals("WARNING: Using incubator modules: x" + nl,
        pump("WARNING: Using incubator modules: x" + nl, 2));
  }

  /** Runs the pump over {@code text} delivered in chunks of {@code chunk} bytes. */
  private static String pump(String text, int chunk) {
    byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
    InputStream in = new ByteArrayInputStream(bytes) {
      @Override
      public synchronized int read(byte[] b, int off, int len) {
        return super.read(b, off, Math.min(len, chunk));
      }
    };
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    VectorRelaunch.pumpStderr(in, out);
    return out.toString(StandardCharsets.UTF_8);
  }
}
