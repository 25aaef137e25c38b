package dev.kiln.maven;

import java.util.List;

/**
 * Settings for one model that differ from the plugin's, in {@code <models>}: Maven fills the fields
 * from the POM.
 *
 * <pre>
 * &lt;models&gt;
 *   &lt;model&gt;
 *     &lt;file&gt;vision/resnet18.onnx&lt;/file&gt;   &lt;!-- relative to modelDirectory --&gt;
 *     &lt;className&gt;ResNet18&lt;/className&gt;
 *     &lt;memoryBudget&gt;64MiB&lt;/memoryBudget&gt;
 *   &lt;/model&gt;
 * &lt;/models&gt;
 * </pre>
 */
public class Model {
  /** The model's path relative to {@code modelDirectory}, with {@code /} separators. Required. */
  String file;

  /** The generated class's simple name; default: from the file name ({@code digits_cnn.onnx} → {@code DigitsCnn}). */
  String className;

  /** The generated class's package; default: the plugin's {@code packageName} plus the model's subfolders. */
  String packageName;

  /** As the plugin's {@code memoryBudget}, for this model. */
  String memoryBudget;

  /** As the plugin's {@code memoryMode}, for this model. */
  String memoryMode;

  /** As the plugin's {@code target}, for this model. */
  String target;

  /** As the plugin's {@code inputShapes}, for this model (replacing them, not added to them). */
  List<String> inputShapes;

  @Override
  public String toString() {
    return "model " + file;
  }
}
