package dev.kiln.compiler.conformance;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.abort;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.kiln.compiler.conformance.ConformanceCase.Result;
import dev.kiln.compiler.conformance.ConformanceCase.Status;
import dev.kiln.compiler.ops.OpRegistry;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

/**
 * ONNX's backend node tests through Kiln's importer and reference interpreter: one dynamic test per
 * case, a check that the committed exclusions are current, and {@code docs/ops.md} generated from
 * the results.
 *
 * <p>A case that uses only supported operators must pass, or be listed in {@value #EXCLUSIONS} with
 * the reason it needs something Kiln deliberately leaves out. Everything is driven by {@link
 * OpRegistry}: when an operator is added, its cases become applicable, and re-running with {@code
 * -Dkiln.updateDocs=true} rewrites {@code docs/ops.md} and lists the cases that now fail in {@code
 * target/conformance/new-failures.txt}, in the exclusion file's format, for review.
 *
 * <p>The data is Debian's {@code libonnx-testdata} ({@code -Dkiln.onnxTestData} points elsewhere);
 * without it the whole suite is skipped.
 */
class OnnxConformanceTest {
  static final String EXCLUSIONS = "conformance-exclusions.txt";
  static final String OP_NOTES = "ops-notes.txt";
  private static final String DATA_DESCRIPTION =
      "Debian's `libonnx-testdata` (`/usr/share/libonnx-testdata/data/node`)";

  /** Runs every case once, on first use, for all the tests of this class. */
  private static final class Run {
    static final Path DATA = Path.of(System.getProperty("kiln.onnxTestData",
        "/usr/share/libonnx-testdata/data/node"));
    static final Map<String, Result> RESULTS = runAll();

    private static Map<String, Result> runAll() {
      Map<String, Result> results = new LinkedHashMap<>();
      if (!Files.isDirectory(DATA)) {
        return results;
      }
      for (ConformanceCase c : ConformanceCase.discover(DATA)) {
        results.put(c.name(), c.run());
      }
      return results;
    }
  }

  private static Map<String, Result> results() {
    assumeTrue(Files.isDirectory(Run.DATA), "ONNX node test data not found at " + Run.DATA
        + " (install Debian's libonnx-testdata, or point -Dkiln.onnxTestData at a data/node"
        + " folder); skipping the conformance suite");
    assertFalse(Run.RESULTS.isEmpty(), Run.DATA + " holds no test_*/model.onnx cases");
    return Run.RESULTS;
  }

  private static Map<String, String> exclusions() {
    return KeyedLines.readResource(EXCLUSIONS);
  }

  @TestFactory
  Stream<DynamicTest> nodeTests() {
    Map<String, String> exclusions = exclusions();
    return results().values().stream()
        .map(r -> DynamicTest.dynamicTest(r.name(), () -> check(r, exclusions.get(r.name()))));
  }

  private static void check(Result r, String exclusion) {
    switch (r.status()) {
      case NOT_APPLICABLE -> abort("not applicable: " + r.detail());
      case PASS -> {
        if (exclusion != null) {
          fail(r.name() + " passes but is excluded (" + exclusion + "); remove it from "
              + EXCLUSIONS);
        }
      }
      case FAIL -> {
        if (r.crashed()) {
          fail(r.name() + ": Kiln crashed instead of reporting a user error"
              + (exclusion != null ? " (an exclusion cannot excuse a crash)" : "") + ": "
              + r.detail());
        }
        if (exclusion == null) {
          fail(r.name() + ": " + r.detail());
        }
        abort("excluded: " + exclusion);
      }
    }
  }

  @Test
  void exclusionsAreCurrent() {
    List<String> stale = staleExclusions(results(), exclusions());
    if (!stale.isEmpty()) {
      fail(stale.size() + " stale exclusion(s) in " + EXCLUSIONS + ":\n  "
          + String.join("\n  ", stale));
    }
  }

  /** An exclusion must name a case that exists, applies and still fails. */
  static List<String> staleExclusions(Map<String, Result> results, Map<String, String> exclusions) {
    List<String> stale = new ArrayList<>();
    exclusions.forEach((name, reason) -> {
      Result r = results.get(name);
      if (r == null) {
        stale.add(name + ": no such case");
      } else if (r.status() == Status.NOT_APPLICABLE) {
        stale.add(name + ": not applicable (" + r.detail() + "), so it needs no exclusion");
      } else if (r.status() == Status.PASS) {
        stale.add(name + ": passes now");
      }
    });
    return stale;
  }

  /**
   * Every applicable case passes or is excluded. The failures are also written to {@code
   * target/conformance/new-failures.txt} as exclusion lines whose reason is the failure message,
   * to be reviewed before any of them is committed.
   */
  @Test
  void everyApplicableCasePassesOrIsExcluded() throws IOException {
    Map<String, Result> results = results();
    List<String> failures = unexcusedFailures(results, exclusions());
    StringBuilder all = new StringBuilder();
    for (Result r : results.values()) {
      all.append(r.name()).append(' ').append(r.status())
          .append(r.detail().isEmpty() ? "" : " " + r.detail()).append('\n');
    }
    Path out = targetDir();
    Files.writeString(out.resolve("results.txt"), all, StandardCharsets.UTF_8);
    Files.writeString(out.resolve("new-failures.txt"),
        failures.isEmpty() ? "" : String.join("\n", failures) + "\n", StandardCharsets.UTF_8);
    if (!failures.isEmpty()) {
      fail(failures.size() + " applicable case(s) fail without an exclusion (fix them, or add"
          + " reviewed lines to " + EXCLUSIONS + "; also in " + out.resolve("new-failures.txt")
          + "):\n  " + String.join("\n  ", failures));
    }
  }

  /** Failing cases no exclusion covers, and crashes (which none may cover), as exclusion lines. */
  static List<String> unexcusedFailures(Map<String, Result> results,
      Map<String, String> exclusions) {
    List<String> failures = new ArrayList<>();
    for (Result r : results.values()) {
      if (r.status() == Status.FAIL && (r.crashed() || !exclusions.containsKey(r.name()))) {
        failures.add(r.name() + ": " + (r.crashed() ? "CRASH " : "") + r.detail());
      }
    }
    return failures;
  }

  /** The notes file has exactly one entry per registered operator. */
  @Test
  void opsNotesCoverEveryOperator() {
    Set<String> noted = KeyedLines.readResource(OP_NOTES).keySet();
    Set<String> missing = new TreeSet<>(OpRegistry.supportedTypes());
    missing.removeAll(noted);
    Set<String> extra = new TreeSet<>(noted);
    extra.removeAll(OpRegistry.supportedTypes());
    if (!missing.isEmpty() || !extra.isEmpty()) {
      fail(OP_NOTES + ": " + (missing.isEmpty() ? "" : "no entry for " + missing
          + " (add 'Op: ONNX versions | restrictions' lines) ")
          + (extra.isEmpty() ? "" : "entries for operators OpRegistry does not have: " + extra));
    }
  }

  /**
   * docs/ops.md must equal the text generated from this run; {@code -Dkiln.updateDocs=true}
   * rewrites it instead. A missing file fails: the check must never pass by comparing nothing.
   */
  @Test
  void opsDocIsUpToDate() throws IOException {
    String generated = OpsDoc.render(results().values(), KeyedLines.readResource(OP_NOTES),
        exclusions(), DATA_DESCRIPTION);
    for (String op : OpRegistry.supportedTypes()) {
      if (!generated.contains("\n| " + op + " | ")) {
        fail("generated ops.md has no row for " + op);
      }
    }
    Files.writeString(targetDir().resolve("ops.md"), generated, StandardCharsets.UTF_8);
    Path doc = projectRoot().resolve("docs").resolve("ops.md");
    if (Boolean.getBoolean("kiln.updateDocs")) {
      Files.createDirectories(doc.getParent());
      Files.writeString(doc, generated, StandardCharsets.UTF_8);
    }
    if (!Files.isRegularFile(doc)) {
      fail(doc + " is missing; generate it with: " + OpsDoc.REGENERATE);
    }
    String committed = Files.readString(doc, StandardCharsets.UTF_8);
    if (!committed.equals(generated)) {
      fail("docs/ops.md is out of date (" + firstDifference(committed, generated)
          + "); the generated text is in " + targetDir().resolve("ops.md")
          + "; regenerate with: " + OpsDoc.REGENERATE);
    }
  }

  private static String firstDifference(String committed, String generated) {
    String[] a = committed.split("\n", -1);
    String[] b = generated.split("\n", -1);
    for (int i = 0; i < Math.max(a.length, b.length); i++) {
      String x = i < a.length ? a[i] : "<end of file>";
      String y = i < b.length ? b[i] : "<end of file>";
      if (!x.equals(y)) {
        return "line " + (i + 1) + " is '" + x + "' but would be '" + y + "'";
      }
    }
    return "they differ";
  }

  /** Maven runs tests in the module folder ({@code basedir}); the project root is its parent. */
  private static Path projectRoot() {
    Path module = Path.of(System.getProperty("basedir", "")).toAbsolutePath();
    Path root = module.getParent();
    if (root == null || !Files.isDirectory(root.resolve("compiler"))
        || !Files.isRegularFile(root.resolve("pom.xml"))) {
      fail("cannot find the project root above " + module + " (expected the compiler module folder"
          + " as the working directory or basedir)");
    }
    return root;
  }

  private static Path targetDir() throws IOException {
    Path dir = Path.of(System.getProperty("basedir", "")).toAbsolutePath()
        .resolve("target").resolve("conformance");
    Files.createDirectories(dir);
    return dir;
  }
}
