package dev.kiln.compiler.report;

import dev.kiln.compiler.Version;
import dev.kiln.compiler.api.CompileResult;
import dev.kiln.compiler.api.MemorySize;
import dev.kiln.compiler.memory.MemoryPlan;
import java.util.List;
import java.util.Locale;

/**
 * {@code report.html}: one self-contained page (inline CSS and SVG; no scripts, fonts or anything
 * fetched) with the roofline plot, one point per layer; the memory plan as a timeline, buffers as
 * bars over execution steps with the arena's height against the liveness lower bound; and the
 * layer table with each algorithm and the reason it was chosen.
 *
 * <p>The page is well-formed XML (XHTML served as HTML), so a test can parse every SVG. Names from
 * the model go through {@link Xml#escape}. The same inputs give the same bytes: no dates.
 *
 * <p>Without measurements ({@code kiln compile --html}) a layer's point sits on the roof at its
 * arithmetic intensity, drawn hollow: where it could be at best. With {@code kiln bench --profile
 * --html} it sits at the GFLOP/s it attained.
 */
public final class HtmlReport {
  private static final int PLOT_WIDTH = 760;
  private static final int PLOT_HEIGHT = 440;
  private static final int LEFT = 70;
  private static final int RIGHT = 20;
  private static final int TOP = 20;
  private static final int BOTTOM = 50;
  private static final String MEMORY_COLOR = "#1f77b4";
  private static final String COMPUTE_COLOR = "#d62728";

  private HtmlReport() {}

  /**
   * @param layers the program's layers ({@link CompiledLayer#of})
   * @param roofline the machine's roofline at the compiled thread count
   * @param title what the page is about, usually the model's file name
   * @param layerMs each layer's measured ms (NaN where not measured), or {@code null} for none
   */
  public static String render(CompileResult result, List<CompiledLayer> layers, Roofline roofline,
      String title, double[] layerMs) {
    if (layerMs != null && layerMs.length != layers.size()) {
      throw new IllegalArgumentException(layers.size() + " layers but " + layerMs.length + " times");
    }
    StringBuilder sb = new StringBuilder(64 * 1024);
    sb.append("<!DOCTYPE html>\n<html xmlns=\"http://www.w3.org/1999/xhtml\" lang=\"en\">\n<head>\n")
        .append("<meta charset=\"utf-8\"/>\n<title>Kiln report: ").append(Xml.escape(title))
        .append("</title>\n<style>\n").append(CSS).append("</style>\n</head>\n<body>\n");
    sb.append("<h1>Kiln report: ").append(Xml.escape(title)).append("</h1>\n");
    sb.append("<p class=\"meta\">Kiln ").append(Xml.escape(Version.KILN)).append(". Roofline: ")
        .append(Xml.escape(roofline.source())).append(".</p>\n");
    summary(sb, result, layers, roofline, layerMs);
    sb.append("<section id=\"roofline\">\n<h2>Roofline</h2>\n");
    sb.append(String.format(Locale.ROOT, "<p>At %d thread%s the machine peaks at %.1f GFLOP/s and"
        + " streams %.1f GB/s; a layer left of the ridge (%.1f FLOP/byte) is memory-bound (blue),"
        + " right of it compute-bound (red). %s Hover over a point for its layer.</p>\n",
        roofline.threads(), roofline.threads() == 1 ? "" : "s", roofline.peakGflops(),
        roofline.bandwidthGBs(), roofline.ridgeIntensity(), layerMs == null
            ? "Nothing was measured: each layer is drawn hollow on the roof, where it could be at"
                + " best."
            : "Filled points are measured layers at the GFLOP/s they attained; hollow ones were not"
                + " measured and sit on the roof."));
    rooflineSvg(sb, layers, roofline, layerMs);
    sb.append("</section>\n");
    sb.append("<section id=\"memory\">\n<h2>Memory plan</h2>\n");
    memorySvg(sb, result.plan());
    sb.append("</section>\n");
    layerTable(sb, layers, roofline, layerMs);
    sb.append("</body>\n</html>\n");
    return sb.toString();
  }

  private static final String CSS = """
      body { font-family: system-ui, sans-serif; margin: 2em; color: #222; max-width: 1200px; }
      h1 { font-size: 1.5em; } h2 { font-size: 1.2em; margin-top: 2em; }
      .meta { color: #666; }
      table { border-collapse: collapse; font-size: 0.85em; }
      th, td { border-bottom: 1px solid #ddd; padding: 2px 8px; text-align: left; vertical-align: top; }
      td.n, th.n { text-align: right; font-variant-numeric: tabular-nums; }
      svg { background: #fff; border: 1px solid #ccc; }
      svg text { font-family: system-ui, sans-serif; font-size: 11px; fill: #333; }
      .memory { color: #1f77b4; } .compute { color: #d62728; }
      """;

  private static void summary(StringBuilder sb, CompileResult result, List<CompiledLayer> layers,
      Roofline roofline, double[] layerMs) {
    MemoryPlan plan = result.plan();
    long flops = 0;
    for (CompiledLayer l : layers) {
      flops += l.flops();
    }
    long weights = (long) result.program().weightFloats() * Float.BYTES;
    sb.append("<section id=\"summary\">\n<table>\n");
    row(sb, "layers", layers.size() + " (" + result.program().calls().size() + " kernel calls)");
    row(sb, "arithmetic", String.format(Locale.ROOT, "%.1f MFLOP per run", flops / 1e6));
    row(sb, "weights", MemorySize.format(weights));
    row(sb, "arena", String.format(Locale.ROOT, "%s; liveness lower bound %s; efficiency %.3f",
        MemorySize.format(plan.arenaBytes()), MemorySize.format(plan.lowerBoundBytes()),
        plan.efficiency()));
    row(sb, "threads", result.program().maxThreads() + " (kernel workspace planned for that many)");
    if (layerMs != null) {
      double total = 0;
      for (double ms : layerMs) {
        total += Double.isNaN(ms) ? 0 : ms;
      }
      row(sb, "measured", String.format(Locale.ROOT, "%.3f ms summed over the layers (%.1f GFLOP/s)",
          total, total > 0 ? flops / total / 1e6 : 0));
    }
    sb.append("</table>\n</section>\n");
  }

  private static void row(StringBuilder sb, String key, String value) {
    sb.append("<tr><th>").append(Xml.escape(key)).append("</th><td>").append(Xml.escape(value))
        .append("</td></tr>\n");
  }

  // ---- roofline ----

  /** A layer drawn on the roofline: intensity, GFLOP/s, and whether it was measured. */
  private record Point(CompiledLayer layer, double intensity, double gflops, boolean measured) {}

  private static void rooflineSvg(StringBuilder sb, List<CompiledLayer> layers, Roofline roofline,
      double[] layerMs) {
    List<Point> points = new java.util.ArrayList<>();
    for (CompiledLayer l : layers) {
      if (l.flops() == 0 || l.bytes() == 0) {
        continue;
      }
      double ai = l.arithmeticIntensity();
      double ms = layerMs == null ? Double.NaN : layerMs[l.index()];
      boolean measured = !Double.isNaN(ms) && ms > 0;
      points.add(new Point(l, ai, measured ? l.flops() / ms / 1e6 : roofline.attainableGflops(ai),
          measured));
    }
    double ridge = roofline.ridgeIntensity();
    double xMin = ridge;
    double xMax = ridge;
    double yMin = roofline.peakGflops();
    for (Point p : points) {
      xMin = Math.min(xMin, p.intensity());
      xMax = Math.max(xMax, p.intensity());
      yMin = Math.min(yMin, p.gflops());
    }
    Axis x = Axis.decades(xMin / 2, xMax * 2);
    Axis y = Axis.decades(Math.min(yMin / 2, x.min() * roofline.bandwidthGBs()),
        roofline.peakGflops() * 2);
    int w = PLOT_WIDTH - LEFT - RIGHT;
    int h = PLOT_HEIGHT - TOP - BOTTOM;
    sb.append(String.format(Locale.ROOT, "<svg xmlns=\"http://www.w3.org/2000/svg\" id=\"roofline-plot\""
        + " width=\"%d\" height=\"%d\" viewBox=\"0 0 %d %d\" role=\"img\">\n", PLOT_WIDTH, PLOT_HEIGHT,
        PLOT_WIDTH, PLOT_HEIGHT));
    sb.append("<title>Roofline: one point per layer</title>\n");
    for (double v : x.ticks()) {
      double px = LEFT + x.position(v) * w;
      sb.append(String.format(Locale.ROOT, "<line x1=\"%.1f\" y1=\"%d\" x2=\"%.1f\" y2=\"%d\""
          + " stroke=\"#eee\"/>\n<text x=\"%.1f\" y=\"%d\" text-anchor=\"middle\">%s</text>\n",
          px, TOP, px, TOP + h, px, TOP + h + 15, Axis.label(v)));
    }
    for (double v : y.ticks()) {
      double py = TOP + (1 - y.position(v)) * h;
      sb.append(String.format(Locale.ROOT, "<line x1=\"%d\" y1=\"%.1f\" x2=\"%d\" y2=\"%.1f\""
          + " stroke=\"#eee\"/>\n<text x=\"%d\" y=\"%.1f\" text-anchor=\"end\">%s</text>\n",
          LEFT, py, LEFT + w, py, LEFT - 6, py + 4, Axis.label(v)));
    }
    sb.append(String.format(Locale.ROOT, "<rect x=\"%d\" y=\"%d\" width=\"%d\" height=\"%d\""
        + " fill=\"none\" stroke=\"#999\"/>\n", LEFT, TOP, w, h));
    sb.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"%d\" text-anchor=\"middle\">arithmetic"
        + " intensity (FLOP/byte)</text>\n", LEFT + w / 2, PLOT_HEIGHT - 10));
    sb.append(String.format(Locale.ROOT, "<text x=\"14\" y=\"%d\" text-anchor=\"middle\""
        + " transform=\"rotate(-90 14 %d)\">GFLOP/s</text>\n", TOP + h / 2, TOP + h / 2));
    // The roofs: bandwidth × intensity up to the ridge, then the peak.
    double xStart = x.min();
    double ridgeX = Math.min(Math.max(ridge, x.min()), x.max());
    sb.append(String.format(Locale.ROOT, "<polyline id=\"roof\" fill=\"none\" stroke=\"#444\""
        + " stroke-width=\"2\" points=\"%.1f,%.1f %.1f,%.1f %.1f,%.1f\"><title>%s</title></polyline>\n",
        LEFT + x.position(xStart) * w, TOP + (1 - y.position(roofline.attainableGflops(xStart))) * h,
        LEFT + x.position(ridgeX) * w, TOP + (1 - y.position(roofline.attainableGflops(ridgeX))) * h,
        LEFT + w * 1.0, TOP + (1 - y.position(roofline.peakGflops())) * h,
        Xml.escape(String.format(Locale.ROOT, "roof: %.1f GB/s × intensity, at most %.1f GFLOP/s",
            roofline.bandwidthGBs(), roofline.peakGflops()))));
    for (Point p : points) {
      boolean memoryBound = roofline.memoryBound(p.intensity());
      String color = memoryBound ? MEMORY_COLOR : COMPUTE_COLOR;
      double px = LEFT + x.position(p.intensity()) * w;
      double py = TOP + (1 - y.position(p.gflops())) * h;
      CompiledLayer l = p.layer();
      String tip = String.format(Locale.ROOT, "#%d %s (%s, %s): %.2f FLOP/byte, %s, %s-bound%s",
          l.index(), l.name(), l.op(), l.algorithm(), p.intensity(),
          p.measured() ? String.format(Locale.ROOT, "%.1f GFLOP/s = %.0f%% of the roof", p.gflops(),
              roofline.percentOfRoof(p.gflops(), p.intensity()))
              : String.format(Locale.ROOT, "roof %.1f GFLOP/s", p.gflops()),
          memoryBound ? "memory" : "compute", p.measured() ? "" : ", not measured");
      sb.append(String.format(Locale.ROOT, "<circle class=\"layer\" cx=\"%.1f\" cy=\"%.1f\" r=\"4\""
          + " fill=\"%s\" stroke=\"%s\" stroke-width=\"1.5\"><title>%s</title></circle>\n",
          px, py, p.measured() ? color : "none", color, Xml.escape(tip)));
    }
    sb.append("</svg>\n");
  }

  /** A logarithmic axis over whole decades. */
  private record Axis(double min, double max) {
    static Axis decades(double low, double high) {
      double lo = Math.pow(10, Math.floor(Math.log10(Math.max(low, 1e-6))));
      double hi = Math.pow(10, Math.ceil(Math.log10(Math.max(high, lo * 10))));
      return new Axis(lo, Math.max(hi, lo * 10));
    }

    /** Where {@code v} falls, 0 at {@code min} to 1 at {@code max} (clamped). */
    double position(double v) {
      double p = (Math.log10(v) - Math.log10(min)) / (Math.log10(max) - Math.log10(min));
      return Math.max(0, Math.min(1, p));
    }

    List<Double> ticks() {
      List<Double> ticks = new java.util.ArrayList<>();
      for (double v = min; v <= max * 1.0001; v *= 10) {
        ticks.add(v);
      }
      return ticks;
    }

    static String label(double v) {
      return v >= 1 ? String.format(Locale.ROOT, "%.0f", v) : String.format(Locale.ROOT, "%s",
          java.math.BigDecimal.valueOf(v).round(new java.math.MathContext(1)).stripTrailingZeros()
              .toPlainString());
    }
  }

  // ---- memory plan ----

  private static void memorySvg(StringBuilder sb, MemoryPlan plan) {
    int steps = plan.schedule().size();
    long arena = plan.arenaBytes();
    sb.append(String.format(Locale.ROOT, "<p>Every buffer of the arena as a bar: from the step that"
        + " writes it to the last that reads it, at its offset. The arena is %s high; no placement of"
        + " these buffers can do with less than the liveness lower bound, %s (the most bytes live at"
        + " one step, dashed; the black line is the bytes live at each step). Efficiency %.3f;"
        + " strategy %s.</p>\n", MemorySize.format(arena), MemorySize.format(plan.lowerBoundBytes()),
        plan.efficiency(), Xml.escape(plan.strategy())));
    if (steps == 0 || arena == 0) {
      sb.append("<p>The plan has no steps or an empty arena: nothing to draw.</p>\n");
      return;
    }
    int w = PLOT_WIDTH - LEFT - RIGHT;
    int h = PLOT_HEIGHT - TOP - BOTTOM;
    double stepWidth = (double) w / steps;
    sb.append(String.format(Locale.ROOT, "<svg xmlns=\"http://www.w3.org/2000/svg\" id=\"memory-plan\""
        + " width=\"%d\" height=\"%d\" viewBox=\"0 0 %d %d\" role=\"img\">\n", PLOT_WIDTH, PLOT_HEIGHT,
        PLOT_WIDTH, PLOT_HEIGHT));
    sb.append("<title>Memory plan: buffers over execution steps</title>\n");
    sb.append(String.format(Locale.ROOT, "<rect x=\"%d\" y=\"%d\" width=\"%d\" height=\"%d\""
        + " fill=\"none\" stroke=\"#999\"/>\n", LEFT, TOP, w, h));
    for (MemoryPlan.Buffer b : plan.buffers()) {
      if (b.bytes() == 0) {
        continue;
      }
      double x0 = LEFT + b.firstStep() * stepWidth;
      double x1 = LEFT + (b.lastStep() + 1) * stepWidth;
      double yTop = TOP + (1 - (double) b.end() / arena) * h;
      double height = (double) b.bytes() / arena * h;
      sb.append(String.format(Locale.ROOT, "<rect class=\"buffer\" x=\"%.2f\" y=\"%.2f\" width=\"%.2f\""
          + " height=\"%.2f\" fill=\"%s\" fill-opacity=\"0.75\" stroke=\"#fff\" stroke-width=\"0.5\">"
          + "<title>%s</title></rect>\n", x0, yTop, Math.max(0.5, x1 - x0), Math.max(0.5, height),
          kindColor(b.kind()), Xml.escape(String.format(Locale.ROOT, "%s (%s): %s at offset %d,"
              + " steps %d..%d", b.name(), b.kind().name().toLowerCase(Locale.ROOT),
              MemorySize.format(b.bytes()), b.offset(), b.firstStep(), b.lastStep()))));
    }
    // Bytes live at each step, as a step line; its highest point is the lower bound.
    StringBuilder live = new StringBuilder();
    for (int s = 0; s < steps; s++) {
      long bytes = 0;
      for (MemoryPlan.Buffer b : plan.buffers()) {
        if (b.liveAt(s)) {
          bytes += b.bytes();
        }
      }
      double py = TOP + (1 - Math.min(1, (double) bytes / arena)) * h;
      live.append(String.format(Locale.ROOT, "%.2f,%.2f %.2f,%.2f ", LEFT + s * stepWidth, py,
          LEFT + (s + 1) * stepWidth, py));
    }
    sb.append("<polyline id=\"live-bytes\" fill=\"none\" stroke=\"#000\" stroke-width=\"1.2\" points=\"")
        .append(live.toString().trim()).append("\"><title>bytes live at each step</title></polyline>\n");
    double boundY = TOP + (1 - (double) plan.lowerBoundBytes() / arena) * h;
    sb.append(String.format(Locale.ROOT, "<line id=\"lower-bound\" x1=\"%d\" y1=\"%.2f\" x2=\"%d\""
        + " y2=\"%.2f\" stroke=\"#000\" stroke-dasharray=\"6 4\"/>\n", LEFT, boundY, LEFT + w, boundY));
    sb.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"%.1f\" text-anchor=\"end\">lower bound"
        + " %s</text>\n", LEFT + w - 4, boundY - 4, Xml.escape(MemorySize.format(plan.lowerBoundBytes()))));
    sb.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"%d\" text-anchor=\"end\">arena</text>\n"
        + "<text x=\"%d\" y=\"%d\" text-anchor=\"end\">%s</text>\n", LEFT - 6, TOP + 4, LEFT - 6,
        TOP + 17, Xml.escape(MemorySize.format(arena))));
    sb.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"%d\" text-anchor=\"end\">0</text>\n",
        LEFT - 6, TOP + h + 4));
    sb.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"%d\" text-anchor=\"middle\">execution step"
        + " (0 to %d)</text>\n", LEFT + w / 2, PLOT_HEIGHT - 10, steps - 1));
    int legendX = LEFT;
    for (MemoryPlan.Kind k : MemoryPlan.Kind.values()) {
      sb.append(String.format(Locale.ROOT, "<rect x=\"%d\" y=\"%d\" width=\"10\" height=\"10\""
          + " fill=\"%s\"/><text x=\"%d\" y=\"%d\">%s</text>\n", legendX, PLOT_HEIGHT - 32,
          kindColor(k), legendX + 14, PLOT_HEIGHT - 23, k.name().toLowerCase(Locale.ROOT)));
      legendX += 100;
    }
    sb.append("</svg>\n");
  }

  private static String kindColor(MemoryPlan.Kind kind) {
    return switch (kind) {
      case INPUT -> "#2ca02c";
      case OUTPUT -> "#9467bd";
      case ACTIVATION -> "#1f77b4";
      case SCRATCH -> "#ff7f0e";
    };
  }

  // ---- layers ----

  private static void layerTable(StringBuilder sb, List<CompiledLayer> layers, Roofline roofline,
      double[] layerMs) {
    sb.append("<section id=\"layers\">\n<h2>Layers</h2>\n<table>\n<thead><tr><th class=\"n\">#</th>"
        + "<th>layer</th><th>op</th><th>algorithm</th><th>why</th><th class=\"n\">MFLOP</th>"
        + "<th class=\"n\">MB moved</th><th class=\"n\">FLOP/byte</th><th>bound</th>");
    if (layerMs != null) {
      sb.append("<th class=\"n\">ms</th><th class=\"n\">GFLOP/s</th><th class=\"n\">% of roof</th>");
    }
    sb.append("</tr></thead>\n<tbody>\n");
    for (CompiledLayer l : layers) {
      boolean arithmetic = l.flops() > 0 && l.bytes() > 0;
      String bound = !arithmetic ? "-" : roofline.memoryBound(l.arithmeticIntensity()) ? "memory"
          : "compute";
      sb.append("<tr><td class=\"n\">").append(l.index()).append("</td><td>")
          .append(Xml.escape(l.name())).append("</td><td>").append(Xml.escape(l.op()))
          .append("</td><td>").append(Xml.escape(l.algorithm())).append("</td><td>")
          .append(Xml.escape(l.reason())).append("</td>")
          .append(String.format(Locale.ROOT, "<td class=\"n\">%.2f</td><td class=\"n\">%.3f</td>"
              + "<td class=\"n\">%s</td><td class=\"%s\">%s</td>", l.flops() / 1e6, l.bytes() / 1e6,
              arithmetic ? String.format(Locale.ROOT, "%.2f", l.arithmeticIntensity()) : "-", bound,
              bound));
      if (layerMs != null) {
        double ms = layerMs[l.index()];
        boolean measured = !Double.isNaN(ms) && ms > 0;
        double gflops = measured ? l.flops() / ms / 1e6 : Double.NaN;
        sb.append(String.format(Locale.ROOT, "<td class=\"n\">%s</td><td class=\"n\">%s</td>"
            + "<td class=\"n\">%s</td>", measured ? String.format(Locale.ROOT, "%.3f", ms) : "-",
            measured && arithmetic ? String.format(Locale.ROOT, "%.1f", gflops) : "-",
            measured && arithmetic ? String.format(Locale.ROOT, "%.0f%%",
                roofline.percentOfRoof(gflops, l.arithmeticIntensity())) : "-"));
      }
      sb.append("</tr>\n");
    }
    sb.append("</tbody>\n</table>\n</section>\n");
  }
}
