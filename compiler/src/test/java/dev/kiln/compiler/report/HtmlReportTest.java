package dev.kiln.compiler.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.kiln.compiler.api.CompileOptions;
import dev.kiln.compiler.api.CompileResult;
import dev.kiln.compiler.api.Compiler;
import dev.kiln.compiler.importer.ImportOptions;
import dev.kiln.compiler.importer.onnx.OnnxImporter;
import dev.kiln.compiler.memory.MemoryPlan;
import dev.kiln.compiler.testing.Attr;
import dev.kiln.compiler.testing.ModelBuilder;
import dev.kiln.compiler.testing.Tensors;
import dev.kiln.compiler.testing.Xhtml;
import java.awt.image.BufferedImage;
import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.NamedNodeMap;
import org.w3c.dom.NodeList;

/**
 * report.html: self-contained, well-formed (every SVG parses), one roofline point per layer with
 * arithmetic, one bar per buffer, hostile node names harmless; and it renders in headless Chromium
 * (Debian's {@code chromium}, which .ci/run installs; skipped with a message where it is absent).
 */
class HtmlReportTest {
  private static final String SVG = Xhtml.SVG;
  /** A node name written to break out of markup, with a control character XML cannot hold. */
  private static final String HOSTILE = "<script>alert(1)</script>&\u0001";

  @TempDir Path dir;

  static CompileResult compile() {
    byte[] model = new ModelBuilder(13)
        .input("image", 1, 3, 16, 16)
        .initializer("w1", Tensors.random(1, 8, 3, 3, 3))
        .initializer("w2", Tensors.random(2, 8, 8, 1, 1))
        .initializer("fc", Tensors.random(3, 8 * 8 * 8, 10))
        .namedNode("conv1", "Conv", List.of("image", "w1"), List.of("c1"), Attr.ints("pads", 1, 1, 1, 1))
        .namedNode("relu", "Relu", List.of("c1"), List.of("r"))
        .namedNode(HOSTILE, "MaxPool", List.of("r"), List.of("p"), Attr.ints("kernel_shape", 2, 2),
            Attr.ints("strides", 2, 2))
        .namedNode("conv2", "Conv", List.of("p", "w2"), List.of("c2"))
        .namedNode("flatten", "Flatten", List.of("c2"), List.of("f"))
        .namedNode("fc", "MatMul", List.of("f", "fc"), List.of("y"))
        .output("y")
        .build().toByteArray();
    return Compiler.compile(OnnxImporter.read(model, "hostile.onnx", ImportOptions.DEFAULTS),
        CompileOptions.builder().threads(1).build());
  }

  private static String render(CompileResult result, double[] layerMs) {
    return HtmlReport.render(result, CompiledLayer.of(result), Roofline.of(MachinePeaks.BUILT_IN, 1),
        "hostile.onnx", layerMs);
  }

  @Test
  void selfContainedWellFormedWithOnePointPerLayerAndOneBarPerBuffer() throws Exception {
    CompileResult result = compile();
    List<CompiledLayer> layers = CompiledLayer.of(result);
    String html = render(result, null);
    Document doc = Xhtml.parse(html);

    assertEquals(0, doc.getElementsByTagNameNS("*", "script").getLength(), "no scripts");
    NodeList all = doc.getElementsByTagNameNS("*", "*");
    for (int i = 0; i < all.getLength(); i++) {
      NamedNodeMap attributes = all.item(i).getAttributes();
      for (int a = 0; a < attributes.getLength(); a++) {
        String name = attributes.item(a).getNodeName();
        assertFalse(name.equals("src") || name.endsWith("href") || name.startsWith("on"),
            "nothing fetched, nothing run: " + name + " on " + all.item(i).getNodeName());
      }
    }
    assertFalse(html.contains("url(") || html.contains("@import") || html.contains("@font-face"));

    NodeList svgs = doc.getElementsByTagNameNS(SVG, "svg");
    assertEquals(2, svgs.getLength(), "the roofline and the memory plan");
    long withArithmetic = layers.stream().filter(l -> l.flops() > 0 && l.bytes() > 0).count();
    assertEquals(4, withArithmetic, "conv1, the pool, conv2 and the matmul: " + layers);
    NodeList points = doc.getElementsByTagNameNS(SVG, "circle");
    assertEquals(withArithmetic, points.getLength());
    for (int i = 0; i < points.getLength(); i++) {
      assertEquals("none", ((Element) points.item(i)).getAttribute("fill"), "not measured: hollow");
    }
    MemoryPlan plan = result.plan();
    long buffers = plan.buffers().stream().filter(b -> b.bytes() > 0).count();
    assertEquals(buffers, countClass(doc.getElementsByTagNameNS(SVG, "rect"), "buffer"));
    assertTrue(doc.getDocumentElement().getTextContent().contains("<script>alert(1)</script>&\uFFFD"),
        "the hostile name shows as text");
    assertEquals(html, render(result, null), "the same inputs give the same page");
  }

  @Test
  void measuredLayersAreFilledAndUnmeasuredOnesHollow() throws Exception {
    CompileResult result = compile();
    List<CompiledLayer> layers = CompiledLayer.of(result);
    double[] ms = new double[layers.size()];
    Arrays.fill(ms, 0.01);
    ms[0] = Double.NaN;
    Document doc = Xhtml.parse(render(result, ms));
    NodeList points = doc.getElementsByTagNameNS(SVG, "circle");
    int hollow = 0;
    for (int i = 0; i < points.getLength(); i++) {
      Element c = (Element) points.item(i);
      if (c.getAttribute("fill").equals("none")) {
        hollow++;
        assertTrue(c.getTextContent().contains("not measured"), c.getTextContent());
      } else {
        assertTrue(c.getTextContent().contains("GFLOP/s = "), c.getTextContent());
      }
    }
    assertEquals(1, hollow, "layer 0 was not measured");
  }

  @Test
  void rendersInHeadlessChromium() throws Exception {
    String chromium = findChromium();
    assumeTrue(chromium != null, "chromium not found on PATH (apt-get install chromium; .ci/run"
        + " installs it): skipping the render check");
    CompileResult result = compile();
    Path page = dir.resolve("report.html");
    Files.writeString(page, render(result, null));
    String url = page.toUri().toString();

    String dom = chromium(chromium, "--dump-dom", url);
    assertTrue(dom.contains("id=\"roofline-plot\"") && dom.contains("id=\"memory-plan\""), dom);
    assertEquals(4, dom.split("<circle", -1).length - 1, "every point in the rendered DOM");

    Path png = dir.resolve("report.png");
    chromium(chromium, "--screenshot=" + png, "--window-size=1000,1600", url);
    BufferedImage image = ImageIO.read(png.toFile());
    assertNotNull(image, "a PNG screenshot");
    Set<Integer> colors = new HashSet<>();
    long inked = 0;
    for (int y = 0; y < image.getHeight(); y += 2) {
      for (int x = 0; x < image.getWidth(); x += 2) {
        int rgb = image.getRGB(x, y) & 0xffffff;
        colors.add(rgb);
        if (rgb != 0xffffff) {
          inked++;
        }
      }
    }
    long sampled = (long) (image.getHeight() / 2) * (image.getWidth() / 2);
    assertTrue(colors.size() > 20 && inked > sampled / 100, "a blank page? " + colors.size()
        + " colors, " + inked + " of " + sampled + " sampled pixels not white");
  }

  private static int countClass(NodeList nodes, String cssClass) {
    int n = 0;
    for (int i = 0; i < nodes.getLength(); i++) {
      if (((Element) nodes.item(i)).getAttribute("class").equals(cssClass)) {
        n++;
      }
    }
    return n;
  }

  private static String findChromium() {
    for (String dir : System.getenv().getOrDefault("PATH", "").split(File.pathSeparator)) {
      for (String name : List.of("chromium", "chromium-browser", "google-chrome")) {
        Path p = Path.of(dir, name);
        if (Files.isExecutable(p)) {
          return p.toString();
        }
      }
    }
    return null;
  }

  /** Runs headless Chromium (its own profile folder, no sandbox: CI runs as root); returns stdout. */
  private String chromium(String binary, String... args) throws IOException, InterruptedException {
    List<String> cmd = new ArrayList<>(List.of(binary, "--headless", "--no-sandbox", "--disable-gpu",
        "--hide-scrollbars", "--user-data-dir=" + Files.createTempDirectory(dir, "profile")));
    cmd.addAll(List.of(args));
    Path log = Files.createTempFile(dir, "chromium", ".log");
    Process p = new ProcessBuilder(cmd).redirectError(log.toFile()).start();
    byte[] stdout = p.getInputStream().readAllBytes();
    assertTrue(p.waitFor(180, TimeUnit.SECONDS), "chromium did not finish in 3 minutes");
    assertEquals(0, p.exitValue(), "chromium failed: " + Files.readString(log));
    return new String(stdout, StandardCharsets.UTF_8);
  }
}
