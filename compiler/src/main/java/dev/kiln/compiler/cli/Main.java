package dev.kiln.compiler.cli;

import dev.kiln.compiler.KilnException;
import dev.kiln.compiler.Version;
import java.io.PrintWriter;
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
      CommandLine.HelpCommand.class})
public final class Main {
  public static final int OK = 0;
  public static final int USER_ERROR = 1;
  public static final int USAGE_ERROR = 2;
  public static final int INTERNAL_ERROR = 3;

  public static void main(String[] args) {
    System.exit(execute(args, new PrintWriter(System.out, true), new PrintWriter(System.err, true)));
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
