package dev.kiln.compiler.cli;

import dev.kiln.compiler.KilnException;
import dev.kiln.compiler.importer.ModelImporter;
import dev.kiln.compiler.importer.json.JsonExporter;
import dev.kiln.compiler.ir.Graph;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/** {@code kiln convert}: writes a model in Kiln's JSON graph format. */
@Command(
    name = "convert",
    mixinStandardHelpOptions = true,
    description = {
      "Converts a model to Kiln's JSON graph format: OUT.json, and OUT.bin beside it for tensors of"
          + " more than 16 elements (docs/json-format.md). Each file is replaced atomically.",
      "Example: kiln convert model.onnx -o model.json"
    })
final class ConvertCommand implements Callable<Integer> {
  @Spec CommandSpec spec;

  @Parameters(index = "0", paramLabel = "MODEL", description = "The model (.onnx or .json).")
  Path model;

  @Option(names = {"-o", "--output"}, paramLabel = "OUT.json", required = true,
      description = "The JSON file to write; the data file is the same name ending in .bin.")
  Path output;

  @Mixin InputOptions inputOptions;

  @Override
  public Integer call() {
    String name = output.getFileName() == null ? "" : output.getFileName().toString();
    if (!name.endsWith(".json") || name.equals(".json")) {
      throw new KilnException("-o " + output + ": the output must be a .json file");
    }
    // A .bin with no .json beside it belongs to something else, e.g. an ONNX model's external
    // data: replacing it would break that model.
    Path data = output.resolveSibling(name.substring(0, name.length() - ".json".length()) + ".bin");
    if (Files.exists(data) && !Files.exists(output)) {
      throw new KilnException("-o " + output + ": " + data + " already exists and was not written"
          + " with " + name + "; remove it or choose another output name");
    }
    Graph graph = ModelImporter.load(model, inputOptions.importOptions());
    JsonExporter.Result written = JsonExporter.write(graph, output);
    PrintWriter out = spec.commandLine().getOut();
    out.println("wrote " + written.json() + " (" + graph.nodes().size() + " nodes, "
        + graph.constants().size() + " constants)"
        + (written.data() == null ? "" : " and " + written.data() + " (" + written.dataBytes()
            + " bytes)"));
    return Main.OK;
  }
}
