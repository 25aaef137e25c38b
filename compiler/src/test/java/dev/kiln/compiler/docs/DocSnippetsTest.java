package dev.kiln.compiler.docs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.kiln.compiler.Version;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every fenced code block in the README, {@code docs/} and the samples' READMEs carries a marker
 * comment on the line before it saying how it is checked, and this test checks it:
 *
 * <ul>
 *   <li>{@code <!-- snippet: java CONTEXT -->}: compiled, and run where the context can, against
 *       classes Kiln generates for it ({@link DocContexts});
 *   <li>{@code <!-- snippet: sh CONTEXT -->}: run with bash in a folder the context prepares, with
 *       {@code kiln}, {@code javac} and {@code java} on the PATH; it must exit 0 and print what the
 *       context expects;
 *   <li>{@code <!-- snippet: excerpt PATH -->}: every non-blank line, trimmed, occurs in the file
 *       (a project or test that a build runs), where {@code @kiln.version@} and {@code
 *       ${kilnVersion}} (the integration tests' placeholders) read as Kiln's version;
 *   <li>{@code <!-- snippet: json -->}: parses as JSON values or object members;
 *   <li>{@code <!-- snippet: checked-by PATH: why -->}: another test covers it (PATH must exist);
 *   <li>{@code <!-- snippet: illustrative: why -->}: not checked (diagrams, math, measured output,
 *       commands that need hardware or minutes), with the reason.
 * </ul>
 */
class DocSnippetsTest {
  static final Path ROOT = findRoot();

  private static final Pattern MARKER = Pattern.compile("<!-- snippet: ([a-z-]+)(.*?) -->");
  /** The golden-file excerpts of generated-code.md, which GoldenTest checks. */
  private static final Pattern GOLDEN_MARKER = Pattern.compile("<!-- excerpt of TinyNet\\.java\\.txt -->");

  @TempDir Path work;

  /** One fenced block and its marker. */
  record Snippet(Path file, int line, String kind, String argument, String body) {
    String where() {
      return ROOT.relativize(file) + ":" + line;
    }
  }

  @Test
  void everySnippetSaysHowItIsChecked() throws IOException {
    List<String> problems = new ArrayList<>();
    List<Snippet> all = snippets(problems);
    assertTrue(all.size() > 20, "found only " + all.size() + " snippets");
    for (Snippet s : all) {
      switch (s.kind()) {
        case "java" -> {
          if (!DocContexts.JAVA.containsKey(s.argument())) {
            problems.add(s.where() + ": no Java context '" + s.argument() + "' in DocContexts");
          }
        }
        case "sh" -> {
          if (!DocContexts.SHELL.containsKey(s.argument())) {
            problems.add(s.where() + ": no shell context '" + s.argument() + "' in DocContexts");
          }
        }
        case "excerpt", "checked-by" -> {
          String path = s.argument().split(":", 2)[0].trim();
          if (path.isEmpty() || !Files.exists(ROOT.resolve(path))) {
            problems.add(s.where() + ": " + s.kind() + " names '" + path + "', which does not exist");
          }
          if (s.kind().equals("checked-by") && !s.argument().contains(": ")) {
            problems.add(s.where() + ": checked-by needs 'PATH: what it checks'");
          }
        }
        case "illustrative" -> {
          if (!s.argument().startsWith(": ") || s.argument().length() < 12) {
            problems.add(s.where() + ": illustrative needs ': the reason it is not checked'");
          }
        }
        case "json", "golden" -> { }
        default -> problems.add(s.where() + ": unknown snippet kind '" + s.kind() + "'");
      }
    }
    assertEquals(List.of(), problems);
  }

  @TestFactory
  Stream<DynamicTest> checkedSnippets() throws IOException {
    return snippets(new ArrayList<>()).stream()
        .filter(s -> List.of("java", "sh", "excerpt", "json").contains(s.kind()))
        .map(s -> DynamicTest.dynamicTest(s.where() + " (" + s.kind() + " " + s.argument().trim() + ")",
            () -> check(s)));
  }

  private void check(Snippet s) throws Exception {
    Path dir = Files.createTempDirectory(work, "snippet");
    switch (s.kind()) {
      case "java" -> DocContexts.JAVA.get(s.argument()).check(s.body(), dir);
      case "sh" -> {
        assumeTrue(DocContexts.hasBash(), "needs bash");
        DocContexts.SHELL.get(s.argument()).check(s.body(), dir);
      }
      case "excerpt" -> checkExcerpt(s);
      case "json" -> checkJson(s);
      default -> fail("not a checked kind: " + s.kind());
    }
  }

  private static void checkExcerpt(Snippet s) throws IOException {
    String source = Files.readString(ROOT.resolve(s.argument().trim()))
        .replace("@kiln.version@", Version.KILN)
        .replace("${kilnVersion}", Version.KILN);
    for (String line : s.body().split("\n")) {
      String t = line.trim();
      if (!t.isEmpty() && !t.equals("...")) {
        assertTrue(source.contains(t), s.where() + ": not in " + s.argument().trim() + ": " + t);
      }
    }
  }

  /** A block of JSON values, or of object members ({@code "data_file": {...}}), one after another. */
  private static void checkJson(Snippet s) throws IOException {
    String body = s.body().trim();
    if (body.startsWith("\"")) {
      body = "{" + body + "}";
    }
    try (JsonParser p = new ObjectMapper().createParser(body)) {
      p.enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION);
      int values = 0;
      while (p.nextToken() != null) {
        p.skipChildren();
        values++;
      }
      assertTrue(values > 0, s.where() + ": empty");
    } catch (IOException e) {
      fail(s.where() + ": not JSON: " + e.getMessage());
    }
  }

  /** Every fenced block in the documentation, with its marker; blocks without one are problems. */
  static List<Snippet> snippets(List<String> problems) throws IOException {
    List<Path> files = new ArrayList<>();
    files.add(ROOT.resolve("README.md"));
    for (String dir : List.of("docs", "samples")) {
      try (Stream<Path> s = Files.walk(ROOT.resolve(dir))) {
        s.filter(p -> p.toString().endsWith(".md"))
            .filter(p -> !ROOT.relativize(p).toString().contains("target"))
            .sorted().forEach(files::add);
      }
    }
    List<Snippet> snippets = new ArrayList<>();
    for (Path file : files) {
      List<String> lines = Files.readAllLines(file, StandardCharsets.UTF_8);
      for (int i = 0; i < lines.size(); i++) {
        if (!lines.get(i).trim().startsWith("```")) {
          continue;
        }
        int open = i;
        StringBuilder body = new StringBuilder();
        for (i = i + 1; i < lines.size() && !lines.get(i).trim().equals("```"); i++) {
          body.append(lines.get(i)).append('\n');
        }
        String marker = "";
        for (int j = open - 1; j >= 0; j--) {
          if (!lines.get(j).isBlank()) {
            marker = lines.get(j).trim();
            break;
          }
        }
        Matcher m = MARKER.matcher(marker);
        if (m.matches()) {
          snippets.add(new Snippet(file, open + 1, m.group(1), m.group(2).trim(), body.toString()));
        } else if (GOLDEN_MARKER.matcher(marker).matches()) {
          snippets.add(new Snippet(file, open + 1, "golden", "", body.toString()));
        } else {
          problems.add(ROOT.relativize(file) + ":" + (open + 1)
              + ": a code block without a <!-- snippet: ... --> marker on the line before it");
        }
      }
    }
    return snippets;
  }

  /** The repository root: the nearest folder up from here that holds docs/ and mvnw. */
  private static Path findRoot() {
    Path dir = Path.of("").toAbsolutePath();
    while (dir != null && !(Files.isDirectory(dir.resolve("docs")) && Files.exists(dir.resolve("mvnw")))) {
      dir = dir.getParent();
    }
    if (dir == null) {
      throw new IllegalStateException("no repository root above " + Path.of("").toAbsolutePath());
    }
    return dir;
  }
}
