package dev.kiln.compiler.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.kiln.compiler.importer.ModelImporter;
import dev.kiln.compiler.ir.Cost;
import dev.kiln.compiler.ir.Graph;
import dev.kiln.compiler.ir.TensorType;
import dev.kiln.compiler.ir.Value;
import dev.kiln.compiler.report.LayerCost;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/** {@code kiln inspect}: per-layer shapes, parameters, FLOPs, bytes and arithmetic intensity. */
@Command(
    name = "inspect",
    mixinStandardHelpOptions = true,
    description = "Prints each layer's op, output shape, parameters, FLOPs, bytes moved and"
        + " arithmetic intensity (FLOPs/byte), with totals: where a roofline analysis starts.")
final class InspectCommand implements Callable<Integer> {
  @Spec CommandSpec spec;

  @Parameters(index = "0", paramLabel = "MODEL", description = "The model (.onnx or .json).")
  Path model;

  @Option(names = "--json", description = "Print JSON instead of a table.")
  boolean json;

  @Mixin InputOptions inputOptions;

  @Override
  public Integer call() throws Exception {
    Graph graph = ModelImporter.load(model, inputOptions.importOptions());
    List<LayerCost> layers = LayerCost.of(graph);
    PrintWriter out = spec.commandLine().getOut();
    if (json) {
      ObjectMapper mapper = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
      out.println(mapper.writeValueAsString(toJson(mapper, graph, layers)));
    } else {
      printTable(out, graph, layers);
    }
    return Main.OK;
  }

  static ObjectNode toJson(ObjectMapper mapper, Graph graph, List<LayerCost> layers) {
    ObjectNode root = mapper.createObjectNode();
    root.put("model", graph.source());
    root.put("graph", graph.name());
    root.put("opset", graph.opset());
    ArrayNode inputs = root.putArray("inputs");
    for (Value in : graph.inputs()) {
      inputs.addObject().put("name", in.name()).put("type", in.type().toString());
    }
    ArrayNode outputs = root.putArray("outputs");
    for (String out : graph.outputs()) {
      outputs.addObject().put("name", out).put("type", graph.type(out).toString());
    }
    ArrayNode array = root.putArray("layers");
    for (LayerCost l : layers) {
      ObjectNode o = array.addObject();
      o.put("name", l.name());
      o.put("op", l.op());
      ArrayNode shapes = o.putArray("outputs");
      for (TensorType t : l.outputTypes()) {
        shapes.add(t == null ? "" : t.toString());
      }
      putCost(o, l.cost());
      o.put("parameters", l.parameters());
    }
    Cost total = LayerCost.total(layers);
    ObjectNode totals = root.putObject("total");
    putCost(totals, total);
    totals.put("parameters", layers.stream().mapToLong(LayerCost::parameters).sum());
    totals.put("layers", layers.size());
    return root;
  }

  private static void putCost(ObjectNode o, Cost c) {
    o.put("flops", c.flops());
    o.put("parameterBytes", c.parameterBytes());
    o.put("bytesRead", c.bytesRead());
    o.put("bytesWritten", c.bytesWritten());
    o.put("bytes", c.bytesMoved());
    o.put("arithmeticIntensity", c.arithmeticIntensity());
  }

  private static void printTable(PrintWriter out, Graph graph, List<LayerCost> layers) {
    int nameWidth = Math.max(5, Math.min(40, layers.stream().mapToInt(l -> l.name().length()).max().orElse(5)));
    String row = "%-" + nameWidth + "s  %-20s %-20s %12s %12s %12s %9s%n";
    out.printf(Locale.ROOT, "%s (opset %d): %s%n", graph.source(), graph.opset(), graph.name());
    out.printf(Locale.ROOT, row, "layer", "op", "output", "params", "MFLOPs", "KB moved", "FLOP/B");
    for (LayerCost l : layers) {
      Cost c = l.cost();
      String shape = l.outputTypes().isEmpty() || l.outputTypes().get(0) == null
          ? "" : l.outputTypes().get(0).shape().toString();
      out.printf(Locale.ROOT, row, abbreviate(l.name(), nameWidth), l.op(), shape, l.parameters(),
          String.format(Locale.ROOT, "%.3f", c.flops() / 1e6),
          String.format(Locale.ROOT, "%.1f", c.bytesMoved() / 1024.0),
          String.format(Locale.ROOT, "%.2f", c.arithmeticIntensity()));
    }
    Cost total = LayerCost.total(layers);
    long params = layers.stream().mapToLong(LayerCost::parameters).sum();
    out.printf(Locale.ROOT, "total: %d layers, %d parameters, %.3f GFLOPs, %.2f MB moved,"
        + " %.2f FLOP/B%n", layers.size(), params, total.flops() / 1e9, total.bytesMoved() / 1e6,
        total.arithmeticIntensity());
  }

  private static String abbreviate(String s, int width) {
    return s.length() <= width ? s : s.substring(0, width - 1) + "…";
  }
}
