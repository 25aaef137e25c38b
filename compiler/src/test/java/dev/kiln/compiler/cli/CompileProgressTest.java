package dev.kiln.compiler.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kiln.compiler.api.CompileListener.Stage;
import dev.kiln.compiler.testing.Attr;
import dev.kiln.compiler.testing.ModelBuilder;
import dev.kiln.compiler.testing.Tensors;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The stage lines of {@code kiln compile}: held back for quick compiles, {@code -q}, {@code -v}. */
class CompileProgressTest {
  @TempDir Path dir;

  @Test
  void aQuickCompilePrintsNothing() {
    StringWriter err = new StringWriter();
    AtomicLong now = new AtomicLong();
    StageProgress progress = new StageProgress(new PrintWriter(err), 1_000, now::get);
    now.set(300);
    progress.stageDone(Stage.IMPORT, 300);
    now.set(900);
    progress.stageDone("emission", 600);
    assertEquals("", err.toString());
  }

  @Test
  void aLongCompilePrintsTheHeldLinesThenEachStageAsItEnds() {
    StringWriter err = new StringWriter();
    AtomicLong now = new AtomicLong(5_000_000_000L);
    StageProgress progress = new StageProgress(new PrintWriter(err), 1_000_000_000L, now::get);
    now.addAndGet(200_000_000L);
    progress.stageDone(Stage.IMPORT, 200_000_000L);
    assertEquals("", err.toString());
    now.addAndGet(1_500_000_000L);
    progress.stageDone(Stage.PASSES, 1_500_000_000L);
    assertEquals(String.join(System.lineSeparator(),
        "kiln: import       0.20 s",
        "kiln: passes       1.50 s", ""), err.toString());
    now.addAndGet(10_000_000L);
    progress.stageDone(Stage.SELECTION, 12_345_678L);
    assertTrue(err.toString().endsWith("kiln: selection    0.01 s" + System.lineSeparator()),
        err.toString());
  }

  @Test
  void verboseNamesEveryStageInOrderOnStderr() throws IOException {
    String[] result = kiln("compile", model().toString(), "-o", dir.resolve("out").toString(), "-v");
    assertEquals("0", result[0], result[2]);
    List<String> stages = Arrays.stream(result[2].split("\n"))
        .map(line -> line.replaceAll("^kiln: (\\S+) +\\d+\\.\\d\\d s$", "$1")).toList();
    assertEquals(List.of("import", "passes", "selection", "lowering", "emission"), stages);
    assertTrue(result[1].startsWith("wrote "), result[1]);
  }

  @Test
  void quietPrintsNothingButStillWrites() throws IOException {
    Path out = dir.resolve("out");
    String[] result = kiln("compile", model().toString(), "-o", out.toString(), "-q");
    assertEquals(List.of("0", "", ""), List.of(result));
    assertTrue(Files.isRegularFile(out.resolve("Net.java")));
  }

  @Test
  void quietAndVerboseTogetherIsAnError() throws IOException {
    String[] result = kiln("compile", model().toString(), "-o", dir.resolve("out").toString(), "-q", "-v");
    assertEquals(List.of("1", "", "kiln: give --quiet or --verbose, not both\n"), List.of(result));
  }

  private Path model() throws IOException {
    Path model = dir.resolve("net.onnx");
    Files.write(model, new ModelBuilder(13)
        .input("x", 1, 2, 6, 6)
        .initializer("w", Tensors.random(1, 3, 2, 3, 3))
        .node("Conv", List.of("x", "w"), List.of("y"), Attr.ints("pads", 1, 1, 1, 1))
        .node("Relu", List.of("y"), List.of("z"))
        .output("z")
        .build()
        .toByteArray());
    return model;
  }

  /** {exit status, stdout, stderr}. */
  private static String[] kiln(String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    int status = Main.execute(args, new PrintWriter(out), new PrintWriter(err));
    return new String[] {String.valueOf(status), out.toString().replace("\r\n", "\n"),
        err.toString().replace("\r\n", "\n")};
  }
}
