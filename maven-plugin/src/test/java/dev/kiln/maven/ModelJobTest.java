package dev.kiln.maven;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.kiln.compiler.KilnException;
import dev.kiln.compiler.api.MemoryMode;
import dev.kiln.compiler.codegen.Target;
import dev.kiln.compiler.ir.Shape;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ModelJobTest {
  private static final Path DIR = Path.of("/project/src/main/kiln");
  private static final ModelJob.Defaults NONE = new ModelJob.Defaults(null, null, null, null, null, 4);

  private static ModelJob.Defaults withPackage(String packageName) {
    return new ModelJob.Defaults(packageName, null, null, null, null, 4);
  }

  private static Model model(String file) {
    Model m = new Model();
    m.file = file;
    return m;
  }

  @Test
  void classNameComesFromTheFileAndPackageFromTheFolders() {
    ModelJob job = ModelJob.of(DIR, "vision/small/resnet_18.onnx", withPackage("com.example"), null);
    assertEquals("com.example.vision.small", job.codegen().packageName());
    assertEquals("Resnet18", job.codegen().className());
    assertEquals(DIR.resolve("vision/small/resnet_18.onnx"), job.file());
    assertEquals(Target.JAVA, job.target());
  }

  @Test
  void withoutPackageNameTopLevelModelsAreInTheUnnamedPackage() {
    assertEquals("DigitsCnn", ModelJob.of(DIR, "digits_cnn.onnx", NONE, null).qualifiedName());
    assertEquals("nets.DigitsCnn", ModelJob.of(DIR, "nets/digits_cnn.onnx", NONE, null).qualifiedName());
  }

  @Test
  void aModelEntryOverridesNamesTargetAndShapes() {
    Model m = model("a/b.json");
    m.className = "Classifier";
    m.packageName = "org.demo";
    m.target = "bytecode";
    m.inputShapes = List.of("image=1x3x32x32");
    ModelJob.Defaults defaults = new ModelJob.Defaults("com.example", null, null, "java",
        List.of("other=1x1"), 4);
    ModelJob job = ModelJob.of(DIR, "a/b.json", defaults, m);
    assertEquals("org.demo.Classifier", job.qualifiedName());
    assertEquals(Target.BYTECODE, job.target());
    assertEquals(Map.of("image", Shape.of(1, 3, 32, 32)), job.options().importOptions().inputShapes());
  }

  @Test
  void aModelsBudgetReplacesThePluginsModeAndTheOtherWayRound() {
    ModelJob.Defaults mode = new ModelJob.Defaults(null, null, "balanced", null, null, 4);
    Model budget = model("m.onnx");
    budget.memoryBudget = "24MiB";
    ModelJob a = ModelJob.of(DIR, "m.onnx", mode, budget);
    assertEquals(24L << 20, a.options().memoryBudget());
    assertNull(a.options().memoryMode());

    ModelJob.Defaults bytes = new ModelJob.Defaults(null, "100MB", null, null, null, 4);
    Model low = model("m.onnx");
    low.memoryMode = "LOW";
    ModelJob b = ModelJob.of(DIR, "m.onnx", bytes, low);
    assertNull(b.options().memoryBudget());
    assertEquals(MemoryMode.LOW, b.options().memoryMode());

    assertEquals(100_000_000L, ModelJob.of(DIR, "m.onnx", bytes, null).options().memoryBudget());
  }

  @Test
  void settingsNameEverythingThatReachesTheOutput() {
    ModelJob.Defaults defaults = new ModelJob.Defaults("p", "1KiB", null, "bytecode",
        List.of("x=1x4"), 3);
    assertEquals(List.of("class=p.M", "target=bytecode", "memoryBudget=1024", "memoryMode=",
        "threads=3", "inputShapes={x=[1,4]}"), ModelJob.of(DIR, "m.onnx", defaults, null).settings());
  }

  @Test
  void aFileNameThatMakesNoClassNameAsksForOne() {
    KilnException e = assertThrows(KilnException.class,
        () -> ModelJob.of(DIR, "models/3d.onnx", withPackage("p"), null));
    assertEquals("model models/3d.onnx: cannot derive a class name from the file name ('3d');"
        + " give one with <className> in a <model> entry", e.getMessage());
  }

  @Test
  void aBadClassNameInAnEntryIsReportedAsSuch() {
    Model m = model("m.onnx");
    m.className = "class";
    KilnException e = assertThrows(KilnException.class, () -> ModelJob.of(DIR, "m.onnx", NONE, m));
    assertEquals("model m.onnx: <className> 'class' is not a valid class name: use ASCII letters,"
        + " digits and '_', not starting with a digit, and not a Java keyword", e.getMessage());
  }

  @Test
  void aFolderThatMakesNoPackageNamesTheWayOut() {
    KilnException e = assertThrows(KilnException.class,
        () -> ModelJob.of(DIR, "my-models/m.onnx", withPackage("com.example"), null));
    assertEquals("model my-models/m.onnx: package 'com.example.my-models' is not a valid package"
        + " name: use dot-separated parts of ASCII letters, digits and '_', each not starting with a"
        + " digit and not a Java keyword (the package is <packageName> plus the model's folders under"
        + " modelDirectory; set <packageName> in a <model> entry to choose another)", e.getMessage());
  }

  @Test
  void badOptionsNameTheModelAndTheSetting() {
    assertEquals("model m.onnx: <target> 'jar': expected java or bytecode", assertThrows(
        KilnException.class, () -> ModelJob.of(DIR, "m.onnx",
            new ModelJob.Defaults(null, null, null, "jar", null, 4), null)).getMessage());
    assertEquals("model m.onnx: <memoryBudget> bad memory size 'lots': expected e.g. 24MiB, 100MB"
        + " or 65536", assertThrows(KilnException.class, () -> ModelJob.of(DIR, "m.onnx",
            new ModelJob.Defaults(null, "lots", null, null, null, 4), null)).getMessage());
    assertEquals("model m.onnx: <memoryMode> memory mode 'tiny' is not one of low, balanced, fast",
        assertThrows(KilnException.class, () -> ModelJob.of(DIR, "m.onnx",
            new ModelJob.Defaults(null, null, "tiny", null, null, 4), null)).getMessage());
    assertEquals("model m.onnx: give <memoryBudget> or <memoryMode>, not both", assertThrows(
        KilnException.class, () -> ModelJob.of(DIR, "m.onnx",
            new ModelJob.Defaults(null, "1MiB", "low", null, null, 4), null)).getMessage());
    assertEquals("model m.onnx: <inputShape> 'image': expected NAME=DIMS, e.g. input=1x3x224x224",
        assertThrows(KilnException.class, () -> ModelJob.of(DIR, "m.onnx",
            new ModelJob.Defaults(null, null, null, null, List.of("image"), 4), null)).getMessage());
    assertEquals("<threads> must be at least 1, got 0", assertThrows(KilnException.class,
        () -> ModelJob.of(DIR, "m.onnx", new ModelJob.Defaults(null, null, null, null, null, 0),
            null)).getMessage());
  }
}
