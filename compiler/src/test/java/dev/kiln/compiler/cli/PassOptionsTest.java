package dev.kiln.compiler.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.kiln.compiler.io.Npy;
import dev.kiln.compiler.ir.Tensor;
import dev.kiln.compiler.testing.Attr;
import dev.kiln.compiler.testing.ModelBuilder;
import dev.kiln.compiler.testing.TensorAssert;
import dev.kiln.compiler.testing.Tensors;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** kiln inspect --optimized / --dump-after / --trace-passes, and kiln run with and without optimizing. */
class PassOptionsTest {
  @TempDir Path dir;
  private Path model;

  /** x → Conv 'conv' → BatchNormalization 'bn' → Relu 'relu' → out. */
  @BeforeEach
  void writeModel() throws Exception {
    byte[] bytes = new ModelBuilder(13).input("x", 1, 3, 6, 6)
        .initializer("w", Tensors.random(1, 4, 3, 3, 3))
        .initializer("s", Tensors.uniform(2, 0.5f, 1.5f, 4)).initializer("t", Tensors.random(3, 4))
        .initializer("m", Tensors.random(4, 4)).initializer("v", Tensors.uniform(5, 0.5f, 2f, 4))
        .namedNode("conv", "Conv", List.of("x", "w"), List.of("y"), Attr.ints("pads", 1, 1, 1, 1))
        .namedNode("bn", "BatchNormalization", List.of("y", "s", "t", "m", "v"), List.of("z"))
        .namedNode("relu", "Relu", List.of("z"), List.of("out"))
        .output("out").build().toByteArray();
    model = dir.resolve("cbr.onnx");
    Files.write(model, bytes);
  }

  private record Run(int status, String out, String err) {}

  private static Run kiln(String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    int status = Main.execute(args, new PrintWriter(out), new PrintWriter(err));
    return new Run(status, out.toString(), err.toString());
  }

  @Test
  void optimizedJsonReportsNodeCountsAndRewrites() throws Exception {
    Run r = kiln("inspect", model.toString(), "--optimized", "--json");
    assertEquals(0, r.status(), r.err());
    JsonNode graph = new ObjectMapper().readTree(r.out()).get("graph");
    assertEquals("test", graph.get("name").asText());
    assertEquals("{\"BatchNormalization\":1,\"Conv\":1,\"Relu\":1}", graph.get("nodesBefore").toString());
    assertEquals("{\"kiln.FusedConv\":1}", graph.get("nodesAfter").toString());
    assertEquals("{\"BIAS\":1,\"RELU\":1}", graph.get("epilogueSteps").toString());
    assertEquals("[{\"pass\":\"FoldConvBatchNorm\",\"node\":\"bn\",\"message\":\"folded BatchNormalization"
        + " 'bn' into Conv 'conv'\"},{\"pass\":\"FuseConvActivation\",\"node\":\"relu\",\"message\":\"fused"
        + " Relu 'relu' into Conv 'conv': epilogue BIAS -> RELU\"}]", graph.get("rewrites").toString());
    assertEquals("[]", graph.get("refused").toString());
    assertEquals("kiln.FusedConv", new ObjectMapper().readTree(r.out()).get("layers").get(0).get("op").asText());
  }

  @Test
  void withoutOptimizedTheImportedGraphIsDescribed() throws Exception {
    Run r = kiln("inspect", model.toString(), "--json");
    assertEquals(0, r.status(), r.err());
    JsonNode root = new ObjectMapper().readTree(r.out());
    assertEquals("{\"name\":\"test\"}", root.get("graph").toString());
    assertEquals(3, root.get("layers").size());
  }

  @Test
  void traceGoesToStderrAndTheSummaryEndsTheTable() {
    Run r = kiln("inspect", model.toString(), "--trace-passes");
    assertEquals(0, r.status(), r.err());
    assertEquals(List.of("FoldConvBatchNorm: folded BatchNormalization 'bn' into Conv 'conv'",
        "FuseConvActivation: fused Relu 'relu' into Conv 'conv': epilogue BIAS -> RELU"),
        r.err().lines().toList());
    List<String> lines = r.out().lines().toList();
    assertEquals("optimized: 3 -> 1 nodes, 2 rewrites (FoldConvBatchNorm 1, FuseConvActivation 1),"
        + " 0 candidates refused", lines.get(lines.size() - 2));
    assertTrue(lines.get(lines.size() - 1).startsWith("summary: 1 convolution ("), r.out());
  }

  @Test
  void dumpAfterPrintsTheGraphAfterThatPass() {
    Run r = kiln("inspect", model.toString(), "--dump-after", "foldconvbatchnorm");
    assertEquals(0, r.status(), r.err());
    assertTrue(r.err().startsWith("// after FoldConvBatchNorm\ngraph test (opset 13)\n"), r.err());
    assertTrue(r.err().contains("= Conv 'conv' (%x, %w_folded, %conv.bias)"), r.err());
    assertTrue(r.err().contains("= Relu 'relu' (%z)"), r.err());
    assertFalse(r.err().contains("BatchNormalization"), r.err());
  }

  @Test
  void dumpAfterAnUnknownPassListsThePasses() {
    Run r = kiln("inspect", model.toString(), "--dump-after", "FoldEverything");
    assertEquals(Main.USER_ERROR, r.status());
    assertEquals("kiln: --dump-after: no pass named 'FoldEverything'; the passes are EliminateIdentity,"
        + " FoldConstants, EliminateDeadNodes, FoldPadIntoConv, FuseMatMulAdd, FoldConvBatchNorm,"
        + " FoldConvScale, FuseConvActivation, FuseConvAdd, LowerBatchNorm, FuseConvBias (or all)\n",
        r.err());
  }

  @Test
  void runOptimizesByDefaultAndAgreesWithTheImportedGraph() {
    Path input = dir.resolve("x.npy");
    Npy.write(input, Tensors.random(5, 1, 3, 6, 6));
    Path optimized = dir.resolve("optimized.npy");
    Path imported = dir.resolve("imported.npy");
    Run a = kiln("run", model.toString(), "--input", input.toString(), "--output", optimized.toString());
    Run b = kiln("run", model.toString(), "--input", input.toString(), "--output", imported.toString(),
        "--no-optimize");
    assertEquals(0, a.status(), a.err());
    assertEquals(0, b.status(), b.err());
    Tensor expected = Npy.read(imported);
    TensorAssert.assertClose(expected, Npy.read(optimized), 1e-5, "kiln run vs kiln run --no-optimize");
  }
}
