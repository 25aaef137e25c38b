package dev.kiln.compiler.bench;

import dev.kiln.compiler.KilnException;
import java.lang.reflect.InvocationTargetException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * ONNX Runtime's CPU provider running one model, for {@code kiln bench --compare-ort}.
 *
 * <p>ONNX Runtime is an optional dependency of the CLI and none of runtime-min: kiln.jar does not
 * bundle it (its jar is 52 MB of native libraries for five platforms, kiln.jar 6 MB). {@link #open}
 * uses it from the class path, or from a jar named at run time, loaded in a class loader of its own
 * together with the one class that calls it ({@code ort.OnnxRuntimeRunner}); without either, the
 * user gets one line saying what to add.
 */
public interface OrtRunner extends AutoCloseable {
  /** The Maven coordinates Kiln is built and tested against. */
  String ARTIFACT = "com.microsoft.onnxruntime:onnxruntime:1.29.0";

  /** A graph input with its data, as ONNX Runtime is fed it. */
  record Input(String name, long[] shape, float[] data) {}

  /** Runs once on the inputs {@link #open} was given and copies every output out. */
  void run();

  /** The outputs of the last run, by name. */
  Map<String, float[]> outputs();

  /** ONNX Runtime's version, e.g. 1.29.0. */
  String version();

  @Override
  void close();

  /**
   * Creates an ONNX Runtime session for {@code model} with {@code threads} intra-op threads, all
   * graph optimizations and the CPU arena, its workers spinning only inside runs.
   *
   * @param ortJar the ONNX Runtime jar, or {@code null} to use the class path
   * @throws KilnException when ONNX Runtime cannot be found, or refuses the model
   */
  static OrtRunner open(Path model, List<Input> inputs, int threads, Path ortJar) {
    ClassLoader loader = OrtLoader.find(OrtRunner.class.getClassLoader(), ortJar);
    try {
      return (OrtRunner) Class.forName(OrtLoader.RUNNER, true, loader)
          .getConstructor(Path.class, List.class, int.class)
          .newInstance(model, inputs, threads);
    } catch (InvocationTargetException e) {
      Throwable cause = e.getCause();
      if (cause instanceof RuntimeException r) {
        throw r;
      }
      throw new KilnException("ONNX Runtime cannot load " + model + ": " + cause.getMessage(), cause);
    } catch (ReflectiveOperationException e) {
      throw new IllegalStateException("kiln.jar lacks " + OrtLoader.RUNNER, e);
    }
  }
}
