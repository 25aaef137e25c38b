package dev.kiln.compiler.codegen.opencl;

import static dev.kiln.compiler.codegen.opencl.OpenClTesting.compile;
import static dev.kiln.compiler.codegen.opencl.OpenClTesting.context;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kiln.compiler.KilnException;
import dev.kiln.compiler.api.CompileOptions;
import dev.kiln.compiler.api.CompileResult;
import dev.kiln.compiler.api.Compiler;
import dev.kiln.compiler.ir.Graph;
import dev.kiln.compiler.lower.ConvChoice;
import dev.kiln.compiler.lower.EpilogueSpec;
import dev.kiln.compiler.lower.FusedConvPrograms;
import dev.kiln.compiler.lower.KernelCall;
import dev.kiln.compiler.lower.Program;
import dev.kiln.compiler.testing.Tensors;
import dev.kiln.runtime.kernels.ConvShape;
import dev.kiln.runtime.kernels.Epilogue;
import dev.kiln.runtime.kernels.conv.ConvKernel;
import dev.kiln.runtime.kernels.reference.ReferenceLayout;
import dev.kiln.runtime.opencl.OpenClContext;
import dev.kiln.runtime.opencl.OpenClModel;
import dev.kiln.runtime.opencl.OpenClPlan;
import java.io.StringWriter;
import java.lang.reflect.Method;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import javax.tools.JavaCompiler;
import javax.tools.ToolProvider;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What {@code kiln compile --target opencl} writes, and the compile-time failures it reports. */
class OpenClEmitTest {
  /** Regenerate with {@code -Dkiln.updateGolden=true}. */
  private static final Path GOLDEN = Path.of("src/test/resources/golden/opencl/Extractor.cl");

  @Test
  void sourceMatchesTheGoldenFile() throws Exception {
    String source = OpenClBackend.generate(compile(TwoModels.extractor()), "Extractor").source();
    if (Boolean.getBoolean("kiln.updateGolden")) {
      Files.createDirectories(GOLDEN.getParent());
      Files.writeString(GOLDEN, source);
    }
    assertEquals(Files.readString(GOLDEN), source, "regenerate with -Dkiln.updateGolden=true after a deliberate change");
  }

  @Test
  void sourceIsTheSameOnEveryCompile() {
    // Its hash keys the binary cache: an unstable order would rebuild the program on every load.
    Graph g = OpenClKernelsTest.convolutions();
    assertEquals(OpenClBackend.generate(compile(g), "A").source(), OpenClBackend.generate(compile(g), "A").source());
  }

  @Test
  void emittedFilesLoadThroughTheGeneratedClass(@TempDir Path dir) throws Exception {
    OpenClArtifact artifact = OpenClBackend.generate(compile(TwoModels.extractor()), "Extractor");
    List<Path> files = OpenClBackend.emit(artifact, dir, "com.example.vision");
    Path pkg = dir.resolve("com/example/vision");
    assertEquals(List.of(pkg.resolve("Extractor.cl"), pkg.resolve("Extractor.clplan.json"),
        pkg.resolve("Extractor.weights"), pkg.resolve("Extractor.java")), files);
    assertEquals(artifact.plan().toJson(), Files.readString(pkg.resolve("Extractor.clplan.json")));
    assertEquals(OpenClPlan.parse(Files.readString(pkg.resolve("Extractor.clplan.json"))).launches(),
        artifact.plan().launches());
    assertEquals((long) artifact.weights().length * Float.BYTES, Files.size(pkg.resolve("Extractor.weights")));

    // Compile the generated class against runtime-min alone, as a user's build would.
    Path classes = dir.resolve("classes");
    Files.createDirectories(classes);
    String runtime = Path.of(OpenClModel.class.getProtectionDomain().getCodeSource().getLocation().toURI()).toString();
    JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
    StringWriter diagnostics = new StringWriter();
    boolean ok = javac.getTask(diagnostics, null, null,
        List.of("--release", "17", "-Xlint:all", "-Werror", "-classpath", runtime, "-d", classes.toString()),
        null, javac.getStandardFileManager(null, null, StandardCharsets.UTF_8)
            .getJavaFileObjects(pkg.resolve("Extractor.java"))).call();
    assertTrue(ok, diagnostics.toString());
    Path resources = classes.resolve("com/example/vision");
    for (String ext : List.of(".cl", ".clplan.json", ".weights")) {
      Files.copy(pkg.resolve("Extractor" + ext), resources.resolve("Extractor" + ext));
    }

    float[] image = Tensors.random(5, 1, 4, 12, 12).toFloatArray();
    OpenClContext context = context();
    try (URLClassLoader loader = new URLClassLoader(new URL[] {classes.toUri().toURL()},
        OpenClEmitTest.class.getClassLoader())) {
      Method load = loader.loadClass("com.example.vision.Extractor").getMethod("load", OpenClContext.class);
      try (OpenClModel fromClass = (OpenClModel) load.invoke(null, context);
           OpenClModel fromDir = OpenClModel.fromDirectory(context, pkg, "Extractor");
           OpenClModel direct = OpenClBackend.load(context, artifact)) {
        float[] expected = direct.run(image);
        assertArrayEquals(expected, fromClass.run(image));
        assertArrayEquals(expected, fromDir.run(image));
      }
    }
  }

  @Test
  void namesMustBeJavaNames() {
    CompileResult result = compile(TwoModels.classifier());
    assertEquals("'resnet-18' is not a valid simple Java class name",
        assertThrows(KilnException.class, () -> OpenClBackend.generate(result, "resnet-18")).getMessage());
    OpenClArtifact artifact = OpenClBackend.generate(result, "Classifier");
    assertEquals("'com.3d' is not a valid Java package name",
        assertThrows(KilnException.class, () -> OpenClBackend.emit(artifact, Path.of("unused"), "com.3d")).getMessage());
  }

  @Test
  void untrustedNamesCannotEscapeComments() {
    CompileResult result = FusedConvPrograms.build(List.of(new FusedConvPrograms.Variant("evil\\\nname */ #error",
        new ConvChoice(ClTiledConv.INSTANCE, ClTiledConv.class, "INSTANCE", "line\nbreak"), false, true,
        List.of())));
    String source = OpenClBackend.generate(result, "T").source();
    for (String line : source.split("\n")) {
      assertTrue(!line.contains("#error") || line.startsWith("//"), line);
      assertTrue(!line.startsWith("//") || !line.endsWith("\\"), line);
    }
    assertTrue(source.contains("evil??name */ #error"), source);
  }

  @Test
  void callWithoutAnOpenClKernelNamesTheLayer() {
    CompileResult fused = FusedConvPrograms.build(List.of(new FusedConvPrograms.Variant("c1",
        new ConvChoice(ClTiledConv.INSTANCE, ClTiledConv.class, "INSTANCE", "test"), false, true, List.of())));
    Program p = fused.program();
    Program bogus = new Program(p.name(), List.of(new KernelCall("c1", "Conv", "", ReferenceLayout.class, "gather",
        List.of())), p.arenaFloats(), p.maxThreads(), p.weightsCopy(), p.inputs(), p.outputs(), p.plan());
    CompileResult result = new CompileResult(fused.imported(), fused.optimized(), fused.choices(), fused.plan(), bogus);
    assertEquals("test.onnx: node 'c1' (Conv, opset 13): the OpenCL backend has no kernel for"
        + " ReferenceLayout.gather yet",
        assertThrows(KilnException.class, () -> OpenClBackend.generate(result, "T")).getMessage());
  }

  /** A CPU algorithm with its own weight layout, as the fast CPU kernels have. */
  public static final class CpuOnlyConv implements ConvKernel {
    public static final CpuOnlyConv INSTANCE = new CpuOnlyConv();

    @Override
    public String name() {
      return "cpu-packed";
    }

    @Override
    public boolean supports(ConvShape s) {
      return true;
    }

    @Override
    public int packedWeightFloats(ConvShape s) {
      return ClTiledConv.INSTANCE.packedWeightFloats(s);
    }

    @Override
    public void packWeights(ConvShape s, float[] w, int wOff, float[] packed, int pOff) {
      ClTiledConv.INSTANCE.packWeights(s, w, wOff, packed, pOff);
    }

    @Override
    public int workspaceFloats(ConvShape s, int threads) {
      return 0;
    }

    @Override
    public int tasks(ConvShape s) {
      return 1;
    }

    @Override
    public void run(ConvShape s, Epilogue epilogue, float[] in, int inOff, float[] packed, int pOff, float[] out,
        int outOff, float[] residual, int residualOff, float[] workspace, int workspaceOff, int taskFrom, int taskTo,
        int worker) {
      throw new UnsupportedOperationException();
    }
  }

  @Test
  void cpuPackedConvolutionIsRefusedWithAHint() {
    CompileResult result = FusedConvPrograms.build(List.of(new FusedConvPrograms.Variant("c1",
        new ConvChoice(CpuOnlyConv.INSTANCE, CpuOnlyConv.class, "INSTANCE", "test"), false, true, List.of())));
    assertEquals("test.onnx: node 'c1' (Conv, opset 13): the OpenCL backend cannot run the CPU convolution"
        + " algorithm 'cpu-packed', whose weights are packed for the CPU; compile for the OpenCL target so the"
        + " device algorithms are chosen",
        assertThrows(KilnException.class, () -> OpenClBackend.generate(result, "T")).getMessage());
  }

  @Test
  void cpuProgramWithDirectConvolutionsAlsoRuns() {
    // The CPU's direct algorithm keeps the ONNX weight layout, which the tiled device kernel reads.
    Graph g = TwoModels.extractor();
    CompileResult cpuCompiled = Compiler.compile(g,
        CompileOptions.builder().referenceKernels(true).build());
    float[] image = Tensors.random(6, 1, 4, 12, 12).toFloatArray();
    try (OpenClModel model = OpenClBackend.load(context(), OpenClBackend.generate(cpuCompiled, "Direct"))) {
      OpenClTesting.assertOutputsClose(OpenClTesting.cpu(g, Map.of("image", image)),
          model.run(Map.of("image", image)), 1e-5, "direct convolutions on the device");
    }
  }

  @Test
  void headerDocumentsAlgorithmsAndTheMemoryMap() {
    CompileResult result = OpenClBackend.compile(OpenClKernelsTest.convolutions(),
        OpenClKernelsTest.WINOGRAD_WHERE_IT_RUNS);
    String source = OpenClBackend.generate(result, "Convs").source();
    assertTrue(source.startsWith("// Generated by Kiln - do not edit.\n// Convs: model 'test' as OpenCL C 1.2"), source);
    assertTrue(source.contains("//   winograd_pad1: cl-winograd-f2x2 (forced by the options)\n"), source);
    assertTrue(source.contains("(workspace) winograd_pad1#scratch"), source);
    assertTrue(source.contains("//   depthwise: cl-tiled (the only algorithm that supports this layer)\n"), source);
  }

  @Test
  void buildErrorOfGeneratedCodeCarriesTheLog() {
    OpenClContext context = context();
    OpenClArtifact good = OpenClBackend.generate(compile(TwoModels.classifier()), "Classifier");
    String broken = good.source().replace("kiln_relu(float x)", "kiln_relu(float x) { undeclared_in_kernel; }\nfloat unused(float x)");
    OpenClPlan p = good.plan();
    OpenClPlan plan = new OpenClPlan(p.model(), OpenClGenerator.sha256(broken), p.buildOptions(), p.arenaBytes(),
        p.weightFloats(), p.weightsCrc32(), p.inputs(), p.outputs(), p.launches());
    dev.kiln.runtime.opencl.OpenClException e = assertThrows(dev.kiln.runtime.opencl.OpenClException.class,
        () -> OpenClModel.load(context, plan, broken, good.weights()));
    assertTrue(e.buildLog().contains("undeclared_in_kernel"), e.buildLog());
    assertTrue(e.getMessage().contains(e.buildLog()), e.getMessage());
  }

  @Test
  void epilogueSpecWithResidualNeedsOne() {
    EpilogueSpec spec = new EpilogueSpec(8, -1, List.of(new EpilogueSpec.ResidualAdd()));
    assertEquals("lowering bug: an epilogue adds a residual but the call passes none",
        assertThrows(IllegalStateException.class, () -> new ClEpilogue(spec, null, 0)).getMessage());
  }
}
