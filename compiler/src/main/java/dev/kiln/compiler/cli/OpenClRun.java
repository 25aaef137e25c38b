package dev.kiln.compiler.cli;

import dev.kiln.compiler.KilnException;
import dev.kiln.compiler.api.CompileOptions;
import dev.kiln.compiler.codegen.opencl.OpenClArtifact;
import dev.kiln.compiler.codegen.opencl.OpenClBackend;
import dev.kiln.compiler.ir.Graph;
import dev.kiln.compiler.ir.Shape;
import dev.kiln.compiler.ir.Tensor;
import dev.kiln.runtime.TensorInfo;
import dev.kiln.runtime.opencl.OpenClContext;
import dev.kiln.runtime.opencl.OpenClException;
import dev.kiln.runtime.opencl.OpenClModel;
import java.util.LinkedHashMap;
import java.util.Map;

/** {@code kiln run --target opencl}: compiles for the device, runs once, returns the outputs by name. */
final class OpenClRun {
  private OpenClRun() {}

  /**
   * @param device the device selector ({@link OpenClContext.Options#device()}), or null for the default
   * @param options the device memory budget or mode, optimization and threads
   */
  static Map<String, Tensor> run(Graph graph, Map<String, Tensor> feeds, String device,
      CompileOptions options) {
    String unavailable = OpenClContext.unavailableReason();
    if (unavailable != null) {
      throw new KilnException("--target opencl: " + unavailable);
    }
    OpenClArtifact artifact = OpenClBackend.generate(OpenClBackend.compile(graph, options), "Model");
    Map<String, float[]> inputs = new LinkedHashMap<>();
    feeds.forEach((name, t) -> inputs.put(name, t.toFloatArray()));
    try (OpenClContext context = OpenClContext.create(OpenClContext.Options.DEFAULTS.withDevice(device));
         OpenClModel model = OpenClBackend.load(context, artifact)) {
      Map<String, float[]> outputs = model.run(inputs);
      Map<String, Tensor> results = new LinkedHashMap<>();
      for (TensorInfo t : model.outputs()) {
        results.put(t.name(), Tensor.adopt(Shape.of(t.shape()), outputs.get(t.name())));
      }
      return results;
    } catch (OpenClException e) {
      throw new KilnException("--target opencl: " + e.getMessage(), e);
    }
  }
}
