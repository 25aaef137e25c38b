package dev.kiln.compiler.bench.ort;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OnnxValue;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import dev.kiln.compiler.KilnException;
import dev.kiln.compiler.bench.OrtRunner;
import java.nio.FloatBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The only class that calls ONNX Runtime directly; {@link OrtRunner#open} loads it where ONNX
 * Runtime is. Input tensors are created once, so a timed run is {@code session.run} and copying
 * the outputs out, as a Kiln run is copying in, executing and copying out. Session options are
 * ONNX Runtime's defaults but for the thread counts and one: its workers stop spinning when a run
 * returns.
 */
public final class OnnxRuntimeRunner implements OrtRunner {
  private final OrtEnvironment env;
  private final OrtSession.SessionOptions options;
  private final OrtSession session;
  private final Map<String, OnnxTensor> feeds = new LinkedHashMap<>();
  private final Map<String, float[]> outputs = new LinkedHashMap<>();

  public OnnxRuntimeRunner(Path model, List<OrtRunner.Input> inputs, int threads) {
    env = OrtEnvironment.getEnvironment();
    List<AutoCloseable> created = new ArrayList<>();
    try {
      options = new OrtSession.SessionOptions();
      created.add(options);
      options.setIntraOpNumThreads(threads);
      options.setInterOpNumThreads(1);
      options.setExecutionMode(OrtSession.SessionOptions.ExecutionMode.SEQUENTIAL);
      options.setOptimizationLevel(OrtSession.SessionOptions.OptLevel.ALL_OPT);
      // Runs alternate with Kiln's. By default ONNX Runtime's idle workers spin for up to tens of
      // milliseconds after a run returns, on the very cores Kiln's next run needs; stopping that
      // spin when a run returns keeps its spinning inside runs, where its latency depends on it.
      options.addConfigEntry("session.force_spinning_stop", "1");
      session = env.createSession(model.toString(), options);
      created.add(session);
      for (OrtRunner.Input in : inputs) {
        OnnxTensor t = OnnxTensor.createTensor(env, FloatBuffer.wrap(in.data()), in.shape());
        created.add(t);
        feeds.put(in.name(), t);
      }
    } catch (OrtException e) {
      closeAll(created);
      throw new KilnException("ONNX Runtime cannot run " + model + ": " + e.getMessage(), e);
    }
  }

  @Override
  public void run() {
    try (OrtSession.Result result = session.run(feeds)) {
      for (Map.Entry<String, OnnxValue> e : result) {
        FloatBuffer data = ((OnnxTensor) e.getValue()).getFloatBuffer();
        float[] out = outputs.get(e.getKey());
        if (out == null || out.length != data.remaining()) {
          out = new float[data.remaining()];
          outputs.put(e.getKey(), out);
        }
        data.get(out);
      }
    } catch (OrtException e) {
      throw new IllegalStateException("ONNX Runtime failed: " + e.getMessage(), e);
    }
  }

  @Override
  public Map<String, float[]> outputs() {
    return outputs;
  }

  @Override
  public String version() {
    return env.getVersion();
  }

  @Override
  public void close() {
    List<AutoCloseable> all = new ArrayList<>(feeds.values());
    all.add(session);
    all.add(options);
    closeAll(all);
  }

  private static void closeAll(List<AutoCloseable> resources) {
    for (AutoCloseable r : resources) {
      try {
        r.close();
      } catch (Exception e) {
        // Closing native handles only fails when ONNX Runtime is already broken; nothing to save.
      }
    }
  }
}
