package dev.kiln.compiler.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/** Every subcommand, including ones added later, answers {@code --help} with its usage and exit 0. */
class CliHelpTest {
  @Test
  void everySubcommandHasHelp() {
    Set<String> names = new CommandLine(new Main()).getSubcommands().keySet();
    assertTrue(names.containsAll(List.of("compile", "run", "bench", "inspect", "convert")), names.toString());
    for (String name : names) {
      if (name.equals("help")) {
        continue;
      }
      StringWriter out = new StringWriter();
      StringWriter err = new StringWriter();
      int status = Main.execute(new String[] {name, "--help"}, new PrintWriter(out), new PrintWriter(err));
      assertEquals(Main.OK, status, name + ": " + err);
      assertTrue(out.toString().startsWith("Usage: kiln " + name + " "), name + ": " + out);
      assertEquals("", err.toString(), name);
    }
  }
}
