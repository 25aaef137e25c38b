package dev.kiln.compiler.importer.onnx;

import com.google.protobuf.ByteString;
import dev.kiln.compiler.importer.onnx.proto.OnnxProto.AttributeProto;
import dev.kiln.compiler.importer.onnx.proto.OnnxProto.GraphProto;
import dev.kiln.compiler.importer.onnx.proto.OnnxProto.ModelProto;
import dev.kiln.compiler.importer.onnx.proto.OnnxProto.NodeProto;
import dev.kiln.compiler.importer.onnx.proto.OnnxProto.OperatorSetIdProto;
import dev.kiln.compiler.importer.onnx.proto.OnnxProto.TensorProto;
import dev.kiln.compiler.importer.onnx.proto.OnnxProto.TensorShapeProto;
import dev.kiln.compiler.importer.onnx.proto.OnnxProto.ValueInfoProto;
import dev.kiln.compiler.ops.OpRegistry;
import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Mutations for the importer fuzz test. Byte-level ones (bit flips, byte changes, truncation, huge
 * varints, duplicated chunks) exercise the protobuf layer and whatever survives it; structure-aware
 * ones edit one field of a parsed model (a dimension, an attribute, an op type, a wiring) so that
 * the mutant still parses and reaches shape inference and the kernels with values at the edges.
 */
final class ModelMutator {
  private ModelMutator() {}

  /** Sizes, counts and indices at every boundary that matters to a Java array or an int. */
  static final long[] INTERESTING = {
    0, 1, -1, 2, 3, 7, 64, -2, Integer.MAX_VALUE, Integer.MAX_VALUE - 8, 1L << 31, -(1L << 31),
    1L << 32, 1L << 40, 1L << 62, Long.MAX_VALUE, Long.MIN_VALUE, 0x7fffffffL * 8
  };

  private static final float[] INTERESTING_FLOATS = {
    0f, -0f, 1f, -1f, Float.NaN, Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY, Float.MAX_VALUE,
    Float.MIN_VALUE, 1e-30f, 1e30f
  };

  private static final String[] INTERESTING_STRINGS = {
    "", "NOTSET", "SAME_UPPER", "SAME_LOWER", "VALID", "x", "\n"
  };

  private static final List<String> OPS = new ArrayList<>(OpRegistry.supportedTypes());

  static long interesting(SplittableRandom r) {
    return INTERESTING[r.nextInt(INTERESTING.length)];
  }

  // ---- byte level ----

  static byte[] mutateBytes(byte[] bytes, SplittableRandom r) {
    if (bytes.length == 0) {
      return bytes;
    }
    return switch (r.nextInt(7)) {
      case 0 -> flipBit(bytes, r);
      case 1 -> setByte(bytes, r);
      case 2 -> Arrays.copyOf(bytes, r.nextInt(bytes.length));
      case 3 -> insert(bytes, r.nextInt(bytes.length + 1), varint(interesting(r)));
      case 4 -> overwriteVarint(bytes, r);
      case 5 -> duplicateChunk(bytes, r);
      default -> smallNumber(bytes, r);
    };
  }

  private static byte[] flipBit(byte[] b, SplittableRandom r) {
    b[r.nextInt(b.length)] ^= (byte) (1 << r.nextInt(8));
    return b;
  }

  private static byte[] setByte(byte[] b, SplittableRandom r) {
    b[r.nextInt(b.length)] = (byte) r.nextInt(256);
    return b;
  }

  /** Replaces the varint that starts at a random position (a length, a dim) with another. */
  private static byte[] overwriteVarint(byte[] b, SplittableRandom r) {
    int start = r.nextInt(b.length);
    int end = start;
    while (end < b.length && (b[end] & 0x80) != 0 && end - start < 10) {
      end++;
    }
    end = Math.min(end + 1, b.length);
    return concat(Arrays.copyOf(b, start), varint(interesting(r)), Arrays.copyOfRange(b, end, b.length));
  }

  /** Rewrites a one-byte varint as a number from 0 to 9: dims, attributes and counts near zero. */
  private static byte[] smallNumber(byte[] b, SplittableRandom r) {
    int i = r.nextInt(b.length);
    if ((b[i] & 0x80) == 0) {
      b[i] = (byte) r.nextInt(10);
    }
    return b;
  }

  private static byte[] duplicateChunk(byte[] b, SplittableRandom r) {
    int from = r.nextInt(b.length);
    int length = 1 + r.nextInt(Math.min(64, b.length - from));
    return insert(b, r.nextInt(b.length + 1), Arrays.copyOfRange(b, from, from + length));
  }

  private static byte[] insert(byte[] b, int at, byte[] piece) {
    return concat(Arrays.copyOf(b, at), piece, Arrays.copyOfRange(b, at, b.length));
  }

  private static byte[] concat(byte[]... parts) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    for (byte[] p : parts) {
      out.writeBytes(p);
    }
    return out.toByteArray();
  }

  /** The protobuf varint encoding (negative numbers take ten bytes, as int64 fields do). */
  static byte[] varint(long value) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    long v = value;
    while ((v & ~0x7FL) != 0) {
      out.write((int) ((v & 0x7F) | 0x80));
      v >>>= 7;
    }
    out.write((int) v);
    return out.toByteArray();
  }

  // ---- structure aware ----

  static ModelProto mutateStructure(ModelProto model, SplittableRandom r) {
    ModelProto.Builder m = model.toBuilder();
    GraphProto.Builder g = m.getGraphBuilder();
    switch (r.nextInt(6)) {
      case 0 -> {
        if (g.getInitializerCount() > 0) {
          mutateTensor(g.getInitializerBuilder(r.nextInt(g.getInitializerCount())), r);
        }
      }
      case 1, 2 -> {
        if (g.getNodeCount() > 0) {
          mutateNode(g, r.nextInt(g.getNodeCount()), r);
        }
      }
      case 3 -> {
        if (g.getInputCount() > 0) {
          mutateInput(g.getInputBuilder(r.nextInt(g.getInputCount())), r);
        }
      }
      case 4 -> m.clearOpsetImport().addOpsetImport(OperatorSetIdProto.newBuilder()
          .setVersion(r.nextBoolean() ? 1 + r.nextInt(24) : interesting(r)));
      default -> {
        // Rewire: a node reads or writes a name that exists elsewhere (or an empty one).
        if (g.getNodeCount() > 0) {
          NodeProto.Builder n = g.getNodeBuilder(r.nextInt(g.getNodeCount()));
          String other = anyValueName(g, r);
          if (n.getInputCount() > 0 && r.nextBoolean()) {
            n.setInput(r.nextInt(n.getInputCount()), other);
          } else if (n.getOutputCount() > 0) {
            n.setOutput(r.nextInt(n.getOutputCount()), other);
          }
        }
      }
    }
    return m.build();
  }

  private static void mutateTensor(TensorProto.Builder t, SplittableRandom r) {
    switch (r.nextInt(6)) {
      case 0 -> {
        if (t.getDimsCount() > 0) {
          t.setDims(r.nextInt(t.getDimsCount()), interesting(r));
        }
      }
      case 1 -> t.addDims(r.nextBoolean() ? interesting(r) : r.nextInt(4));
      case 2 -> t.setDataType(r.nextInt(17));
      case 3 -> {
        if (t.hasRawData()) {
          ByteString raw = t.getRawData();
          t.setRawData(raw.substring(0, r.nextInt(raw.size() + 1)));
        } else {
          t.setRawData(ByteString.copyFrom(new byte[r.nextInt(16)]));
        }
      }
      case 4 -> {
        if (t.getDimsCount() > 0) {
          List<Long> dims = new ArrayList<>(t.getDimsList());
          dims.remove(r.nextInt(dims.size()));
          t.clearDims().addAllDims(dims);
        }
      }
      default -> t.setDataLocation(TensorProto.DataLocation.EXTERNAL);
    }
  }

  private static void mutateNode(GraphProto.Builder g, int index, SplittableRandom r) {
    NodeProto.Builder n = g.getNodeBuilder(index);
    switch (r.nextInt(7)) {
      case 0 -> n.setOpType(OPS.get(r.nextInt(OPS.size())));
      case 1 -> {
        if (n.getAttributeCount() > 0) {
          mutateAttribute(n.getAttributeBuilder(r.nextInt(n.getAttributeCount())), r);
        }
      }
      case 2 -> n.addAttribute(randomAttribute(r));
      case 3 -> {
        if (n.getInputCount() > 0) {
          List<String> inputs = new ArrayList<>(n.getInputList());
          inputs.remove(r.nextInt(inputs.size()));
          n.clearInput().addAllInput(inputs);
        }
      }
      case 4 -> n.addInput(r.nextBoolean() ? "" : anyValueName(g, r));
      case 5 -> n.addOutput(r.nextBoolean() ? "" : "extra_" + r.nextInt(3));
      default -> {
        // Out of topological order, or a node duplicated (its outputs defined twice).
        NodeProto copy = n.build();
        if (r.nextBoolean()) {
          g.removeNode(index);
          g.addNode(r.nextInt(g.getNodeCount() + 1), copy);
        } else {
          g.addNode(r.nextInt(g.getNodeCount() + 1), copy.toBuilder().setName(copy.getName() + "_dup"));
        }
      }
    }
  }

  private static void mutateAttribute(AttributeProto.Builder a, SplittableRandom r) {
    switch (a.getType()) {
      case INT -> a.setI(interesting(r));
      case FLOAT -> a.setF(INTERESTING_FLOATS[r.nextInt(INTERESTING_FLOATS.length)]);
      case STRING -> a.setS(ByteString.copyFromUtf8(
          INTERESTING_STRINGS[r.nextInt(INTERESTING_STRINGS.length)]));
      case INTS -> {
        if (a.getIntsCount() > 0 && r.nextInt(3) > 0) {
          a.setInts(r.nextInt(a.getIntsCount()), r.nextBoolean() ? interesting(r) : r.nextInt(5) - 1);
        } else if (r.nextBoolean() || a.getIntsCount() == 0) {
          a.addInts(r.nextInt(4));
        } else {
          List<Long> v = new ArrayList<>(a.getIntsList());
          v.remove(r.nextInt(v.size()));
          a.clearInts().addAllInts(v);
        }
      }
      case TENSOR -> mutateTensor(a.getTBuilder(), r);
      default -> a.setType(AttributeProto.AttributeType.forNumber(1 + r.nextInt(7)));
    }
  }

  private static AttributeProto randomAttribute(SplittableRandom r) {
    String[] names = {
      "axis", "pads", "strides", "kernel_shape", "dilations", "group", "auto_pad", "ceil_mode",
      "transA", "transB", "alpha", "beta", "allowzero", "start", "end", "to", "min", "max",
      "epsilon", "count_include_pad", "value", "value_ints", "value_float", "training_mode"
    };
    AttributeProto.Builder a = AttributeProto.newBuilder().setName(names[r.nextInt(names.length)]);
    switch (r.nextInt(4)) {
      case 0 -> a.setType(AttributeProto.AttributeType.INT).setI(r.nextBoolean() ? interesting(r) : r.nextInt(4));
      case 1 -> a.setType(AttributeProto.AttributeType.INTS).addInts(r.nextInt(3)).addInts(interesting(r));
      case 2 -> a.setType(AttributeProto.AttributeType.FLOAT)
          .setF(INTERESTING_FLOATS[r.nextInt(INTERESTING_FLOATS.length)]);
      default -> a.setType(AttributeProto.AttributeType.STRING)
          .setS(ByteString.copyFromUtf8(INTERESTING_STRINGS[r.nextInt(INTERESTING_STRINGS.length)]));
    }
    return a.build();
  }

  private static void mutateInput(ValueInfoProto.Builder in, SplittableRandom r) {
    if (!in.getType().hasTensorType()) {
      return;
    }
    var tensorType = in.getTypeBuilder().getTensorTypeBuilder();
    TensorShapeProto.Builder shape = tensorType.getShapeBuilder();
    switch (r.nextInt(4)) {
      case 0 -> {
        if (shape.getDimCount() > 0) {
          shape.getDimBuilder(r.nextInt(shape.getDimCount()))
              .setDimValue(r.nextBoolean() ? interesting(r) : r.nextInt(5));
        }
      }
      case 1 -> shape.addDim(TensorShapeProto.Dimension.newBuilder().setDimValue(1 + r.nextInt(3)));
      case 2 -> tensorType.setElemType(r.nextInt(17));
      default -> {
        if (shape.getDimCount() > 0) {
          shape.removeDim(r.nextInt(shape.getDimCount()));
        }
      }
    }
  }

  private static String anyValueName(GraphProto.Builder g, SplittableRandom r) {
    List<String> names = new ArrayList<>();
    names.add("");
    g.getInputList().forEach(v -> names.add(v.getName()));
    g.getInitializerList().forEach(t -> names.add(t.getName()));
    g.getNodeList().forEach(n -> names.addAll(n.getOutputList()));
    return names.get(r.nextInt(names.size()));
  }
}
