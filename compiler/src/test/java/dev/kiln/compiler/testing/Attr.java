package dev.kiln.compiler.testing;

import com.google.protobuf.ByteString;
import dev.kiln.compiler.importer.onnx.OnnxTensors;
import dev.kiln.compiler.importer.onnx.proto.OnnxProto.AttributeProto;
import dev.kiln.compiler.importer.onnx.proto.OnnxProto.AttributeProto.AttributeType;
import dev.kiln.compiler.ir.Tensor;

/** ONNX attributes for {@link ModelBuilder}. */
public final class Attr {
  private Attr() {}

  public static AttributeProto i(String name, long value) {
    return AttributeProto.newBuilder().setName(name).setType(AttributeType.INT).setI(value).build();
  }

  public static AttributeProto f(String name, float value) {
    return AttributeProto.newBuilder().setName(name).setType(AttributeType.FLOAT).setF(value).build();
  }

  public static AttributeProto s(String name, String value) {
    return AttributeProto.newBuilder().setName(name).setType(AttributeType.STRING)
        .setS(ByteString.copyFromUtf8(value)).build();
  }

  public static AttributeProto ints(String name, long... values) {
    AttributeProto.Builder b = AttributeProto.newBuilder().setName(name).setType(AttributeType.INTS);
    for (long v : values) {
      b.addInts(v);
    }
    return b.build();
  }

  public static AttributeProto floats(String name, float... values) {
    AttributeProto.Builder b = AttributeProto.newBuilder().setName(name).setType(AttributeType.FLOATS);
    for (float v : values) {
      b.addFloats(v);
    }
    return b.build();
  }

  public static AttributeProto tensor(String name, Tensor value) {
    return AttributeProto.newBuilder().setName(name).setType(AttributeType.TENSOR)
        .setT(OnnxTensors.encode("", value)).build();
  }
}
