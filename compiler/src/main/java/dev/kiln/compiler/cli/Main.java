package dev.kiln.compiler.cli;

import dev.kiln.compiler.KilnException;
import dev.kiln.compiler.Version;
import dev.kiln.runtime.kernels.KernelInfo;
import java.io.PrintWriter;
import java.util.List;
import java.util.Optional;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * The {@code kiln} command. Exit status: 0 ok, 1 user error (one line on stderr, no stack trace),
 * 2 usage error, 3 internal error (a bug in Kiln: the stack trace is printed).
 */
@Command(
    name = "kiln",
    mixinStandardHelpOptions = true,
    versionProvider = Main.VersionProvider.class,
    description = "Kiln: compiles CNN models (ONNX, Kiln JSON) ahead of time into plain Java.",
    subcommands = {
      RunCommand.class, CompileCommand.class, InspectCommand.class, ConvertCommand.class,
      BenchCommand.class, CalibrateCommand.class, CommandLine.HelpCommand.class})
public final class Main {
  public static final int OK = 0;
  public static final int USER_ERROR = 1;
  public static final int USAGE_ERROR = 2;
  public static final int INTERNAL_ERROR = 3;

  /**
   * The entry point of {@code java -jar kiln.jar}: commands that run kernels first restart the JVM
   * with the Vector API when it lacks it (see {@link VectorRelaunch}).
   */
  public static void main(String[] args) {
    Optional<List<String>> relaunch = VectorRelaunch.forThisJvm(args);
    if (relaunch.isPresent()) {
      Optional<Integer> status = VectorRelaunch.run(relaunch.get());
      if (status.isPresent()) {
        System.exit(status.get());
      }
    }
    System.exit(execute(args, new PrintWriter(System.out, true), new PrintWriter(System.err, true)));
  }

  /** The one line per run that says which kernels this process uses, for commands that run kernels. */
  static void announceKernels(PrintWriter err) {
    err.println("kiln: kernels: " + KernelInfo.description());
    err.flush();
  }

  /** Runs the command line and returns the exit status; what would go to stdout/stderr goes to out/err. */
  public static int execute(String[] args, PrintWriter out, PrintWriter err) {
    CommandLine cli = new CommandLine(new Main());
    cli.setOut(out);
    cli.setErr(err);
    cli.setExecutionExceptionHandler((e, commandLine, parseResult) -> {
      if (e instanceof KilnException) {
        err.println("kiln: " + e.getMessage());
        err.flush();
        return USER_ERROR;
      }
      err.println("kiln: internal error (a bug in Kiln, please report it): " + e);
      e.printStackTrace(err);
      err.flush();
      return INTERNAL_ERROR;
    });
    int status = cli.execute(args);
    out.flush();
    err.flush();
    return status;
  }

  /** {@code kiln --version}. */
  static final class VersionProvider implements CommandLine.IVersionProvider {
    @Override
    public String[] getVersion() {
      return new String[] {"kiln " + Version.KILN};
    }
  }
}
