package dev.kiln.compiler.testing;

import dev.kiln.compiler.importer.ImportOptions;
import dev.kiln.compiler.importer.onnx.OnnxImporter;
import dev.kiln.compiler.importer.onnx.OnnxTensors;
import dev.kiln.compiler.importer.onnx.proto.OnnxProto.AttributeProto;
import dev.kiln.compiler.importer.onnx.proto.OnnxProto.GraphProto;
import dev.kiln.compiler.importer.onnx.proto.OnnxProto.ModelProto;
import dev.kiln.compiler.importer.onnx.proto.OnnxProto.NodeProto;
import dev.kiln.compiler.importer.onnx.proto.OnnxProto.OperatorSetIdProto;
import dev.kiln.compiler.importer.onnx.proto.OnnxProto.TensorShapeProto;
import dev.kiln.compiler.importer.onnx.proto.OnnxProto.TypeProto;
import dev.kiln.compiler.importer.onnx.proto.OnnxProto.ValueInfoProto;
import dev.kiln.compiler.ir.DType;
import dev.kiln.compiler.ir.Graph;
import dev.kiln.compiler.ir.Tensor;
import java.util.List;

/**
 * Builds small ONNX models in tests, e.g.
 *
 * <pre>
 * ModelProto m = new ModelBuilder(13)
 *     .input("x", 1, 3, 8, 8)
 *     .initializer("w", Tensors.random(seed, 4, 3, 3, 3))
 *     .node("Conv", List.of("x", "w"), List.of("y"), Attr.ints("pads", 1, 1, 1, 1))
 *     .output("y")
 *     .build();
 * </pre>
 */
public final class ModelBuilder {
  private final int opset;
  private final GraphProto.Builder graph = GraphProto.newBuilder().setName("test");
  private int nodeCount;

  public ModelBuilder(int opset) {
    this.opset = opset;
  }

  /** A float32 input with static dimensions. */
  public ModelBuilder input(String name, int... dims) {
    return input(name, DType.FLOAT32, dims);
  }

  public ModelBuilder input(String name, DType dtype, int... dims) {
    TensorShapeProto.Builder shape = TensorShapeProto.newBuilder();
    for (int d : dims) {
      shape.addDim(TensorShapeProto.Dimension.newBuilder().setDimValue(d));
    }
    graph.addInput(valueInfo(name, dtype, shape.build()));
    return this;
  }

  /** An input whose dimensions are given by name ("N") or number ("3"). */
  public ModelBuilder symbolicInput(String name, String... dims) {
    TensorShapeProto.Builder shape = TensorShapeProto.newBuilder();
    for (String d : dims) {
      TensorShapeProto.Dimension.Builder dim = TensorShapeProto.Dimension.newBuilder();
      if (d.matches("\\d+")) {
        dim.setDimValue(Long.parseLong(d));
      } else {
        dim.setDimParam(d);
      }
      shape.addDim(dim);
    }
    graph.addInput(valueInfo(name, DType.FLOAT32, shape.build()));
    return this;
  }

  private static ValueInfoProto valueInfo(String name, DType dtype, TensorShapeProto shape) {
    return ValueInfoProto.newBuilder()
        .setName(name)
        .setType(TypeProto.newBuilder().setTensorType(
            TypeProto.Tensor.newBuilder().setElemType(dtype.onnxCode()).setShape(shape)))
        .build();
  }

  public ModelBuilder initializer(String name, Tensor value) {
    graph.addInitializer(OnnxTensors.encode(name, value));
    return this;
  }

  public ModelBuilder node(String opType, List<String> inputs, List<String> outputs, AttributeProto... attributes) {
    return namedNode(opType + "_" + nodeCount, opType, inputs, outputs, attributes);
  }

  public ModelBuilder namedNode(String name, String opType, List<String> inputs, List<String> outputs,
      AttributeProto... attributes) {
    nodeCount++;
    NodeProto.Builder n = NodeProto.newBuilder().setName(name).setOpType(opType)
        .addAllInput(inputs).addAllOutput(outputs);
    for (AttributeProto a : attributes) {
      n.addAttribute(a);
    }
    graph.addNode(n);
    return this;
  }

  /** A graph output; its type is left for the consumer (Kiln, ONNX Runtime) to infer. */
  public ModelBuilder output(String name) {
    graph.addOutput(ValueInfoProto.newBuilder().setName(name));
    return this;
  }

  public ModelProto build() {
    return ModelProto.newBuilder()
        .setIrVersion(opset >= 21 ? 10 : opset >= 19 ? 9 : 8)
        .setProducerName("kiln-test")
        .addOpsetImport(OperatorSetIdProto.newBuilder().setDomain("").setVersion(opset))
        .setGraph(graph)
        .build();
  }

  /** Builds and imports the model with Kiln. */
  public Graph importGraph() {
    return OnnxImporter.fromProto(build(), "test.onnx", null, ImportOptions.DEFAULTS);
  }
}
