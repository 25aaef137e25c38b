package dev.kiln.compiler.testing;

import ai.onnxruntime.OnnxJavaType;
import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OnnxValue;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import dev.kiln.compiler.importer.onnx.proto.OnnxProto.ModelProto;
import dev.kiln.compiler.ir.DType;
import dev.kiln.compiler.ir.Shape;
import dev.kiln.compiler.ir.Tensor;
import java.nio.ByteBuffer;
import java.nio.FloatBuffer;
import java.nio.IntBuffer;
import java.nio.LongBuffer;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** ONNX Runtime (CPU, one thread) as the numeric oracle. */
public final class Ort {
  private Ort() {}

  public static Map<String, Tensor> run(ModelProto model, Map<String, Tensor> inputs) {
    return run(model.toByteArray(), inputs);
  }

  /** Runs the model and returns every output by name, in the model's order. */
  public static Map<String, Tensor> run(byte[] model, Map<String, Tensor> inputs) {
    OrtEnvironment env = OrtEnvironment.getEnvironment();
    List<OnnxTensor> created = new ArrayList<>();
    try (OrtSession.SessionOptions options = new OrtSession.SessionOptions()) {
      options.setIntraOpNumThreads(1);
      try (OrtSession session = env.createSession(model, options)) {
        Map<String, OnnxTensor> feeds = new LinkedHashMap<>();
        for (Map.Entry<String, Tensor> e : inputs.entrySet()) {
          OnnxTensor t = toOrt(env, e.getValue());
          created.add(t);
          feeds.put(e.getKey(), t);
        }
        Map<String, Tensor> outputs = new LinkedHashMap<>();
        try (OrtSession.Result result = session.run(feeds)) {
          for (Map.Entry<String, OnnxValue> e : result) {
            outputs.put(e.getKey(), fromOrt((OnnxTensor) e.getValue()));
          }
        }
        return outputs;
      }
    } catch (OrtException e) {
      throw new IllegalStateException("ONNX Runtime failed: " + e.getMessage(), e);
    } finally {
      created.forEach(OnnxTensor::close);
    }
  }

  private static OnnxTensor toOrt(OrtEnvironment env, Tensor t) throws OrtException {
    long[] shape = t.shape().longDims();
    switch (t.dtype()) {
      case FLOAT32:
        return OnnxTensor.createTensor(env, FloatBuffer.wrap(t.toFloatArray()), shape);
      case INT64:
        return OnnxTensor.createTensor(env, LongBuffer.wrap(t.toLongArray()), shape);
      case INT32: {
        long[] l = t.toLongArray();
        int[] i = new int[l.length];
        for (int k = 0; k < l.length; k++) {
          i[k] = (int) l[k];
        }
        return OnnxTensor.createTensor(env, IntBuffer.wrap(i), shape);
      }
      case BOOL: {
        long[] l = t.toLongArray();
        byte[] b = new byte[l.length];
        for (int k = 0; k < l.length; k++) {
          b[k] = (byte) l[k];
        }
        return OnnxTensor.createTensor(env, ByteBuffer.wrap(b), shape, OnnxJavaType.BOOL);
      }
      default:
        throw new IllegalArgumentException(t.dtype().toString());
    }
  }

  private static Tensor fromOrt(OnnxTensor t) {
    Shape shape = Shape.ofLongs(t.getInfo().getShape());
    switch (t.getInfo().type) {
      case FLOAT: {
        FloatBuffer b = t.getFloatBuffer();
        float[] data = new float[b.remaining()];
        b.get(data);
        return Tensor.adopt(shape, data);
      }
      case INT64: {
        LongBuffer b = t.getLongBuffer();
        long[] data = new long[b.remaining()];
        b.get(data);
        return Tensor.adopt(DType.INT64, shape, data);
      }
      case INT32: {
        IntBuffer b = t.getIntBuffer();
        long[] data = new long[b.remaining()];
        for (int i = 0; i < data.length; i++) {
          data[i] = b.get();
        }
        return Tensor.adopt(DType.INT32, shape, data);
      }
      case BOOL: {
        ByteBuffer b = t.getByteBuffer();
        long[] data = new long[b.remaining()];
        for (int i = 0; i < data.length; i++) {
          data[i] = b.get() != 0 ? 1 : 0;
        }
        return Tensor.adopt(DType.BOOL, shape, data);
      }
      default:
        throw new IllegalArgumentException("unsupported ORT output type " + t.getInfo().type);
    }
  }
}
