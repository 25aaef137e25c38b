package dev.kiln.maven;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import java.io.IOException;
import java.lang.reflect.Field;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.List;
import org.apache.maven.plugin.MojoExecution;
import org.apache.maven.plugin.MojoFailureException;
import org.apache.maven.plugin.descriptor.MojoDescriptor;
import org.apache.maven.project.MavenProject;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The goal on a project laid out in a temporary folder, without a Maven build around it. */
class CompileMojoTest {
  /** y = relu(x): the smallest model that compiles to a class. */
  private static final String RELU = """
      {"format": "kiln-graph", "version": 1, "opset": 13,
       "inputs": [{"name": "x", "dtype": "float32", "shape": [1, 4]}],
       "outputs": ["y"],
       "nodes": [{"name": "relu", "op": "Relu", "inputs": ["x"], "outputs": ["y"]}]}
      """;

  @TempDir Path dir;
  private Path models;
  private MavenProject project;

  @BeforeEach
  void layOutProject() throws IOException {
    models = Files.createDirectories(dir.resolve("src/main/kiln"));
    project = new MavenProject();
    project.setFile(dir.resolve("pom.xml").toFile());
  }

  private CompileMojo mojo(String executionId) throws ReflectiveOperationException {
    CompileMojo mojo = new CompileMojo();
    set(mojo, "project", project);
    set(mojo, "mojoExecution", new MojoExecution(new MojoDescriptor(), executionId));
    set(mojo, "modelDirectory", models.toFile());
    set(mojo, "packageName", "com.example");
    set(mojo, "target", "java");
    set(mojo, "threads", 1);
    set(mojo, "sourceDirectory", dir.resolve("target/generated-sources/kiln").toFile());
    set(mojo, "resourceDirectory", dir.resolve("target/generated-resources/kiln").toFile());
    set(mojo, "reportDirectory", dir.resolve("target/kiln").toFile());
    set(mojo, "classesDirectory", dir.resolve("target/classes").toFile());
    return mojo;
  }

  private static void set(Object target, String field, Object value) throws ReflectiveOperationException {
    Field f = CompileMojo.class.getDeclaredField(field);
    f.setAccessible(true);
    f.set(target, value);
  }

  private Path source(String name) {
    return dir.resolve("target/generated-sources/kiln/com/example/" + name + ".java");
  }

  @Test
  void generatesAddsTheFoldersAndSkipsWhatIsUpToDate() throws Exception {
    Files.writeString(models.resolve("first_net.json"), RELU);
    mojo("default").execute();
    assertTrue(Files.isRegularFile(source("FirstNet")));
    assertTrue(Files.isRegularFile(dir.resolve("target/generated-resources/kiln/com/example/FirstNet.weights")));
    assertTrue(Files.isRegularFile(dir.resolve("target/kiln/com/example/FirstNet.plan.json")));
    assertTrue(Files.readString(dir.resolve("target/kiln/com/example/FirstNet.report.json"))
        .contains("\"peakBytes\""));
    assertEquals(List.of(dir.resolve("target/generated-sources/kiln").toString()),
        project.getCompileSourceRoots());
    assertEquals(dir.resolve("target/generated-resources/kiln").toString(),
        project.getResources().get(0).getDirectory());
    assertFalse(project.getResources().get(0).isFiltering());

    FileTime old = FileTime.fromMillis(1_000_000);
    Files.setLastModifiedTime(source("FirstNet"), old);
    mojo("default").execute();
    assertEquals(old, Files.getLastModifiedTime(source("FirstNet")), "an up-to-date model is not rewritten");
    assertEquals(1, project.getCompileSourceRoots().size());
    assertEquals(1, project.getResources().size(), "the resource folder is added once");

    Files.writeString(models.resolve("first_net.json"), RELU.replace("\"relu\"", "\"relu1\""));
    mojo("default").execute();
    assertTrue(Files.getLastModifiedTime(source("FirstNet")).compareTo(old) > 0, "an edited model is");
  }

  @Test
  void removesWhatItGeneratedForADeletedModelOnly() throws Exception {
    Files.writeString(models.resolve("kept.json"), RELU);
    Files.writeString(models.resolve("gone.json"), RELU);
    mojo("default").execute();
    Path otherSource = source("Other");
    Files.writeString(otherSource, "// not Kiln's");

    Files.delete(models.resolve("gone.json"));
    mojo("default").execute();
    assertTrue(Files.isRegularFile(source("Kept")));
    assertFalse(Files.exists(source("Gone")));
    assertFalse(Files.exists(dir.resolve("target/generated-resources/kiln/com/example/Gone.weights")));
    assertFalse(Files.exists(dir.resolve("target/kiln/stamps/com.example.Gone.stamp")));
    assertTrue(Files.exists(otherSource));
  }

  @Test
  void anotherExecutionsOutputsAreNotStale() throws Exception {
    Files.writeString(models.resolve("kept.json"), RELU);
    mojo("first").execute();
    Files.delete(models.resolve("kept.json"));
    Files.writeString(models.resolve("other.json"), RELU);
    mojo("second").execute();
    assertTrue(Files.isRegularFile(source("Kept")), "the first execution's class stays");
    assertTrue(Files.isRegularFile(source("Other")));
  }

  @Test
  void aBrokenModelFailsWithKilnsMessageNamingItsPath() throws Exception {
    Path sub = Files.createDirectories(models.resolve("nets"));
    Files.writeString(sub.resolve("bad.json"), RELU.replace("\"Relu\"", "\"Rellu\""));
    MojoFailureException e = assertThrows(MojoFailureException.class, () -> mojo("default").execute());
    assertTrue(e.getMessage().startsWith("src" + File.separator + "main" + File.separator + "kiln"
        + File.separator + "nets" + File.separator + "bad.json: node 'relu' (Rellu, opset 13): "),
        e.getMessage());
    assertFalse(Files.exists(source("nets/Bad")));
  }

  @Test
  void twoModelsForOneClassFailTheBuild() throws Exception {
    Files.writeString(models.resolve("net.json"), RELU);
    Files.writeString(models.resolve("Net.onnx"), "");
    MojoFailureException e = assertThrows(MojoFailureException.class, () -> mojo("default").execute());
    assertEquals("models Net.onnx and net.json would both generate com.example.Net; give one a"
        + " <className> in a <model> entry", e.getMessage());
  }

  @Test
  void skipCompilesNothing() throws Exception {
    Files.writeString(models.resolve("net.json"), RELU);
    CompileMojo mojo = mojo("default");
    set(mojo, "skip", true);
    mojo.execute();
    assertFalse(Files.exists(dir.resolve("target")));
  }
}
