package dev.kiln.compiler.cli;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * Gives {@code java -jar kiln.jar} the Vector API kernels without JVM flags typed by the user: when
 * {@code jdk.incubator.vector} is not in the boot layer of a Java 21+ JVM and the command runs
 * kernels, the CLI starts the same java binary again with {@code --add-modules jdk.incubator.vector}
 * (plus {@code --enable-native-access=ALL-UNNAMED}, and on Java 23+ {@code
 * --sun-misc-unsafe-memory-access=allow}, which silences protobuf's Unsafe warnings), the same JVM
 * options, class path and arguments, inheriting stdin and stdout and passing back the exit status.
 * The child gets {@link #GUARD_ENV} so it never relaunches again.
 *
 * <p>The JVM prints {@value #INCUBATOR_WARNING} to stderr at startup of every process that enables an
 * incubator module; no option turns it off. The parent therefore pipes the child's stderr and drops
 * that one line if it comes first; everything else passes through byte for byte.
 */
final class VectorRelaunch {
  static final String GUARD_ENV = "KILN_RELAUNCHED";
  static final String MODULE = "jdk.incubator.vector";
  static final String INCUBATOR_WARNING = "WARNING: Using incubator modules: jdk.incubator.vector";
  /**
   * Subcommands that read a model or run kernels. {@code compile}, {@code inspect} and {@code
   * convert} fold constants on the kernels and load protobuf, whose Unsafe warnings the relaunch's
   * options silence; measured 2026-11-21 the relaunch costs about 0.25 s (the first JVM's start),
   * against 0.6 s for inspecting the smallest model. Help and version are not worth it.
   */
  static final Set<String> KERNEL_COMMANDS = Set.of("run", "bench", "calibrate", "compile", "inspect",
      "convert");

  private VectorRelaunch() {}

  /** The relaunch command for this JVM, or empty when it should carry on itself. */
  static Optional<List<String>> forThisJvm(String[] args) {
    Optional<String> javaBinary = ProcessHandle.current().info().command();
    Path java = Path.of(javaBinary.orElse(
        Path.of(System.getProperty("java.home"), "bin", "java").toString()));
    List<String> jvmArgs;
    try {
      jvmArgs = ManagementFactory.getRuntimeMXBean().getInputArguments();
    } catch (RuntimeException | LinkageError e) {
      return Optional.empty();
    }
    return command(args, Runtime.version().feature(),
        ModuleLayer.boot().findModule(MODULE).isPresent(), System.getenv(GUARD_ENV),
        System.getProperty("kiln.vector"), Files.isExecutable(java) ? java.toString() : null,
        jvmArgs, System.getProperty("java.class.path", ""), Main.class.getName());
  }

  /**
   * The decision as a pure function: empty when the Vector API is already there, cannot be had
   * (Java < 21), was declined ({@code -Dkiln.vector=false}), the command runs no kernels, this
   * process is already a relaunch, a debugger agent is attached (its port would clash), or the java
   * binary or class path is unknown.
   */
  static Optional<List<String>> command(String[] args, int javaFeature, boolean modulePresent,
      String guardEnv, String vectorProperty, String javaBinary, List<String> jvmArgs,
      String classPath, String mainClass) {
    if (modulePresent || javaFeature < 21 || guardEnv != null || "false".equals(vectorProperty)
        || !runsKernels(args) || javaBinary == null || classPath.isEmpty()) {
      return Optional.empty();
    }
    for (String a : jvmArgs) {
      if (a.startsWith("-agentlib:jdwp") || a.startsWith("-Xrunjdwp")) {
        return Optional.empty();
      }
    }
    List<String> cmd = new ArrayList<>();
    cmd.add(javaBinary);
    cmd.add("--add-modules");
    cmd.add(MODULE);
    cmd.add("--enable-native-access=ALL-UNNAMED");
    if (javaFeature >= 23) {
      cmd.add("--sun-misc-unsafe-memory-access=allow");
    }
    cmd.addAll(jvmArgs);
    cmd.add("-cp");
    cmd.add(classPath);
    cmd.add(mainClass);
    cmd.addAll(Arrays.asList(args));
    return Optional.of(cmd);
  }

  /** Whether the first non-option argument names a command that runs kernels. */
  static boolean runsKernels(String[] args) {
    for (String a : args) {
      if (!a.startsWith("-")) {
        return KERNEL_COMMANDS.contains(a);
      }
    }
    return false;
  }

  /**
   * Runs {@code command} as a child with {@link #GUARD_ENV} set; returns its exit status, or empty
   * when it could not be started (the caller then carries on in this JVM, on the scalar kernels).
   */
  static Optional<Integer> run(List<String> command) {
    ProcessBuilder pb = new ProcessBuilder(command)
        .redirectInput(ProcessBuilder.Redirect.INHERIT)
        .redirectOutput(ProcessBuilder.Redirect.INHERIT)
        .redirectError(ProcessBuilder.Redirect.PIPE);
    pb.environment().put(GUARD_ENV, "1");
    Process child;
    try {
      child = pb.start();
    } catch (IOException e) {
      System.err.println("kiln: could not restart java with --add-modules " + MODULE + " (" + e.getMessage()
          + "); continuing without the Vector API");
      return Optional.empty();
    }
    Thread stopChild = new Thread(child::destroy, "kiln-stop-child");
    Runtime.getRuntime().addShutdownHook(stopChild);
    Thread pump = new Thread(() -> pumpStderr(child.getErrorStream(), System.err), "kiln-stderr");
    pump.start();
    boolean interrupted = false;
    int status;
    while (true) {
      try {
        status = child.waitFor();
        pump.join();
        break;
      } catch (InterruptedException e) {
        interrupted = true;
      }
    }
    if (interrupted) {
      Thread.currentThread().interrupt();
    }
    return Optional.of(status);
  }

  /** Copies {@code in} to {@code out}, dropping {@link #INCUBATOR_WARNING} when it is the first line. */
  static void pumpStderr(InputStream in, OutputStream out) {
    byte[] warning = (INCUBATOR_WARNING + System.lineSeparator()).getBytes(StandardCharsets.UTF_8);
    byte[] buf = new byte[8192];
    try {
      // Hold back only as many bytes as could still turn out to be the warning line.
      byte[] head = new byte[warning.length];
      int held = 0;
      boolean matching = true;
      int n;
      while (matching && (n = in.read(buf)) > 0) {
        int i = 0;
        while (i < n && held < warning.length && buf[i] == warning[held]) {
          head[held++] = buf[i++];
        }
        if (held == warning.length) {
          matching = false;
          out.write(buf, i, n - i);
        } else if (i < n) {
          matching = false;
          out.write(head, 0, held);
          out.write(buf, i, n - i);
        }
        out.flush();
      }
      if (matching && held > 0) {
        out.write(head, 0, held);
      }
      while ((n = in.read(buf)) > 0) {
        out.write(buf, 0, n);
        out.flush();
      }
      out.flush();
    } catch (IOException e) {
      if (out instanceof PrintStream) {
        ((PrintStream) out).println("kiln: lost the rest of the child's stderr: " + e.getMessage());
      }
    }
  }
}
