package dev.kiln.compiler.importer;

import dev.kiln.compiler.ir.Shape;
import java.util.Map;

/**
 * Options every importer takes.
 *
 * @param inputShapes shapes for graph inputs by name (from {@code --input-shape}): they fix symbolic
 *     dimensions, and disagreeing with a dimension that is already static is an error
 * @param shapeHints shapes for graph inputs by name (from input files) used only where the model's
 *     dimensions are symbolic; a disagreement is reported later, naming the file. The key
 *     {@value #SOLE_INPUT} stands for the model's only input, whatever its name.
 */
public record ImportOptions(Map<String, Shape> inputShapes, Map<String, Shape> shapeHints) {
  /** The {@link #shapeHints} key for "the model's only input". */
  public static final String SOLE_INPUT = "";

  public static final ImportOptions DEFAULTS = new ImportOptions(Map.of(), Map.of());

  public ImportOptions {
    inputShapes = Map.copyOf(inputShapes);
    shapeHints = Map.copyOf(shapeHints);
  }

  public static ImportOptions withInputShapes(Map<String, Shape> shapes) {
    return new ImportOptions(shapes, Map.of());
  }
}
