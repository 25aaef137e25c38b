package dev.kiln.compiler.cli;

import dev.kiln.compiler.KilnException;
import dev.kiln.compiler.importer.ImportOptions;
import dev.kiln.compiler.ir.Shape;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import picocli.CommandLine.Option;

/** {@code --input-shape NAME=DIMS}, shared by every command that imports a model. */
final class InputOptions {
  @Option(
      names = "--input-shape",
      paramLabel = "NAME=DIMS",
      description = "Shape of a graph input, e.g. input=1x3x224x224: fixes symbolic dimensions;"
          + " must agree with static ones.")
  List<String> inputShapes = new ArrayList<>();

  Map<String, Shape> shapes() {
    Map<String, Shape> map = new LinkedHashMap<>();
    for (String spec : inputShapes) {
      int eq = spec.lastIndexOf('=');
      if (eq <= 0) {
        throw new KilnException("--input-shape '" + spec + "': expected NAME=DIMS, e.g. input=1x3x224x224");
      }
      map.put(spec.substring(0, eq), Shape.parseDims(spec.substring(eq + 1)));
    }
    return map;
  }

  ImportOptions importOptions() {
    return ImportOptions.withInputShapes(shapes());
  }
}
