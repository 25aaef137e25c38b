package dev.kiln.compiler.importer.onnx;

import dev.kiln.compiler.importer.onnx.proto.OnnxProto.ModelProto;
import dev.kiln.compiler.importer.onnx.proto.OnnxProto.TensorProto;
import dev.kiln.compiler.ir.DType;
import dev.kiln.compiler.ir.Tensor;
import dev.kiln.compiler.testing.Attr;
import dev.kiln.compiler.testing.ModelBuilder;
import dev.kiln.compiler.testing.Tensors;
import java.util.List;

/**
 * Small valid models that between them use every way the importer reads data: initializers in
 * raw_data and in typed fields (float_data, int64_data), Constant nodes with a tensor and with the
 * value_ints shorthand, a Reshape whose target is an initializer, graph inputs with static and
 * symbolic dimensions.
 */
final class FuzzModels {
  private FuzzModels() {}

  /** A float tensor in the typed float_data field rather than raw_data. */
  static TensorProto typedFloats(String name, Tensor t) {
    TensorProto.Builder b = TensorProto.newBuilder().setName(name).setDataType(DType.FLOAT32.onnxCode());
    for (int d : t.shape().dims()) {
      b.addDims(d);
    }
    for (int i = 0; i < t.elementCount(); i++) {
      b.addFloatData(t.floatAt(i));
    }
    return b.build();
  }

  /** An int64 tensor in the typed int64_data field. */
  static TensorProto typedLongs(String name, long... values) {
    TensorProto.Builder b = TensorProto.newBuilder().setName(name)
        .setDataType(DType.INT64.onnxCode()).addDims(values.length);
    for (long v : values) {
      b.addInt64Data(v);
    }
    return b.build();
  }

  /**
   * x[1,3,8,8] → Conv(4, 3×3, pad 1) → BatchNormalization → Relu → MaxPool(2) → Reshape[1,64] →
   * Gemm(10, transB) with a Constant bias → Softmax.
   */
  static ModelProto cnn() {
    ModelProto m = new ModelBuilder(13)
        .input("x", 1, 3, 8, 8)
        .initializer("w", Tensors.random(1, 4, 3, 3, 3))
        .initializer("bn_scale", Tensors.uniform(2, 0.5f, 1.5f, 4))
        .initializer("bn_var", Tensors.uniform(3, 0.5f, 2f, 4))
        .initializer("fc_w", Tensors.random(4, 10, 64))
        .node("Conv", List.of("x", "w", "b"), List.of("c"), Attr.ints("pads", 1, 1, 1, 1),
            Attr.ints("kernel_shape", 3, 3))
        .node("BatchNormalization", List.of("c", "bn_scale", "bn_bias", "bn_mean", "bn_var"),
            List.of("n"), Attr.f("epsilon", 1e-5f))
        .node("Relu", List.of("n"), List.of("r"))
        .node("MaxPool", List.of("r"), List.of("p"), Attr.ints("kernel_shape", 2, 2),
            Attr.ints("strides", 2, 2))
        .node("Reshape", List.of("p", "flat_shape"), List.of("f"))
        .node("Constant", List.of(), List.of("fc_b"), Attr.tensor("value", Tensors.random(5, 10)))
        .node("Gemm", List.of("f", "fc_w", "fc_b"), List.of("g"), Attr.i("transB", 1))
        .node("Softmax", List.of("g"), List.of("y"), Attr.i("axis", -1))
        .output("y")
        .build();
    return m.toBuilder().setGraph(m.getGraph().toBuilder()
            .addInitializer(typedFloats("b", Tensors.random(6, 4)))
            .addInitializer(typedFloats("bn_bias", Tensors.random(7, 4)))
            .addInitializer(typedFloats("bn_mean", Tensors.random(8, 4)))
            .addInitializer(typedLongs("flat_shape", 1, 64)))
        .build();
  }

  /**
   * A shape computation: a[N,3] (symbolic batch, 2 at import) + Constant, Shape → Reshape via a
   * value_ints Constant, Clip with constant bounds, AveragePool over a 1-D window.
   */
  static ModelProto shapes() {
    ModelProto m = new ModelBuilder(13)
        .symbolicInput("a", "N", "3")
        .node("Constant", List.of(), List.of("k"), Attr.tensor("value", Tensors.random(9, 1, 3)))
        .node("Add", List.of("a", "k"), List.of("s"))
        .node("Constant", List.of(), List.of("to"), Attr.ints("value_ints", 1, 2, 3))
        .node("Reshape", List.of("s", "to"), List.of("t"))
        .node("Constant", List.of(), List.of("lo"), Attr.tensor("value", Tensors.scalar(-0.5f)))
        .node("Clip", List.of("t", "lo", "hi"), List.of("u"))
        .node("AveragePool", List.of("u"), List.of("v"), Attr.ints("kernel_shape", 2),
            Attr.ints("pads", 1, 0))
        .node("Shape", List.of("v"), List.of("vs"))
        .output("v")
        .output("vs")
        .build();
    return m.toBuilder().setGraph(m.getGraph().toBuilder()
            .addInitializer(typedFloats("hi", Tensors.scalar(0.75f))))
        .build();
  }
}
