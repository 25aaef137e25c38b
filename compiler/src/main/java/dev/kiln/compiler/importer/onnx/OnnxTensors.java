package dev.kiln.compiler.importer.onnx;

import com.google.protobuf.ByteString;
import dev.kiln.compiler.KilnException;
import dev.kiln.compiler.importer.onnx.proto.OnnxProto.StringStringEntryProto;
import dev.kiln.compiler.importer.onnx.proto.OnnxProto.TensorProto;
import dev.kiln.compiler.ir.DType;
import dev.kiln.compiler.ir.Shape;
import dev.kiln.compiler.ir.Tensor;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Decodes ONNX {@code TensorProto}s: typed fields, little-endian {@code raw_data}, and external data
 * files beside the model. Every count and length is checked against what is actually there before
 * anything is allocated, so a header that claims 2^40 elements fails cleanly.
 */
public final class OnnxTensors {
  private OnnxTensors() {}

  /**
   * @param what how to name the tensor in errors, e.g. {@code model.onnx: initializer 'w'}
   * @param modelDir the folder external data paths are relative to, or {@code null} to refuse them
   */
  public static Tensor decode(TensorProto t, String what, Path modelDir) {
    if (t.hasSegment()) {
      throw new KilnException(what + ": segmented tensors are not supported");
    }
    DType dtype;
    try {
      dtype = DType.fromOnnx(t.getDataType());
    } catch (KilnException e) {
      throw new KilnException(what + ": " + e.getMessage());
    }
    long[] dims = new long[t.getDimsCount()];
    for (int i = 0; i < dims.length; i++) {
      dims[i] = t.getDims(i);
    }
    Shape shape;
    try {
      shape = Shape.ofLongs(dims);
    } catch (KilnException e) {
      throw new KilnException(what + ": " + e.getMessage());
    }
    int count = shape.elementCount();

    if (t.getDataLocation() == TensorProto.DataLocation.EXTERNAL) {
      long needed = (long) count * onnxByteSize(dtype);
      // The bytes are read into one array: an int64 tensor of 2^28 elements would not fit.
      if (needed > Shape.MAX_ELEMENTS) {
        throw new KilnException(what + ": " + dtype + shape + " needs " + needed
            + " bytes; Kiln reads at most " + Shape.MAX_ELEMENTS + " bytes per tensor");
      }
      ByteBuffer bytes = readExternal(t, what, modelDir, needed);
      return fromBytes(dtype, shape, bytes, what);
    }
    if (t.hasRawData()) {
      ByteString raw = t.getRawData();
      long expected = (long) count * onnxByteSize(dtype);
      if (raw.size() != expected) {
        throw new KilnException(what + ": raw_data holds " + raw.size() + " bytes but "
            + dtype + shape + " needs " + expected);
      }
      return fromBytes(dtype, shape, raw.asReadOnlyByteBuffer(), what);
    }
    switch (dtype) {
      case FLOAT32 -> {
        checkCount(t.getFloatDataCount(), count, "float_data", what);
        float[] data = new float[count];
        for (int i = 0; i < count; i++) {
          data[i] = t.getFloatData(i);
        }
        return Tensor.adopt(shape, data);
      }
      case INT64 -> {
        checkCount(t.getInt64DataCount(), count, "int64_data", what);
        long[] data = new long[count];
        for (int i = 0; i < count; i++) {
          data[i] = t.getInt64Data(i);
        }
        return Tensor.adopt(dtype, shape, data);
      }
      case INT32, BOOL -> {
        checkCount(t.getInt32DataCount(), count, "int32_data", what);
        long[] data = new long[count];
        for (int i = 0; i < count; i++) {
          data[i] = dtype == DType.BOOL ? (t.getInt32Data(i) != 0 ? 1 : 0) : t.getInt32Data(i);
        }
        return Tensor.adopt(dtype, shape, data);
      }
      default -> throw new AssertionError(dtype);
    }
  }

  private static void checkCount(int have, int need, String field, String what) {
    if (have != need) {
      throw new KilnException(what + ": " + field + " holds " + have + " values but the shape needs "
          + need);
    }
  }

  /** Bytes per element as ONNX stores the type in raw_data. */
  static int onnxByteSize(DType dtype) {
    return dtype.byteSize();
  }

  private static Tensor fromBytes(DType dtype, Shape shape, ByteBuffer bytes, String what) {
    ByteBuffer b = bytes.duplicate().order(ByteOrder.LITTLE_ENDIAN);
    int count = shape.elementCount();
    switch (dtype) {
      case FLOAT32 -> {
        float[] data = new float[count];
        b.asFloatBuffer().get(data);
        return Tensor.adopt(shape, data);
      }
      case INT64 -> {
        long[] data = new long[count];
        b.asLongBuffer().get(data);
        return Tensor.adopt(dtype, shape, data);
      }
      case INT32 -> {
        long[] data = new long[count];
        for (int i = 0; i < count; i++) {
          data[i] = b.getInt();
        }
        return Tensor.adopt(dtype, shape, data);
      }
      case BOOL -> {
        long[] data = new long[count];
        for (int i = 0; i < count; i++) {
          data[i] = b.get() != 0 ? 1 : 0;
        }
        return Tensor.adopt(dtype, shape, data);
      }
      default -> throw new KilnException(what + ": cannot decode " + dtype);
    }
  }

  /**
   * Reads external data. Only a relative path that stays inside the model's folder is accepted: an
   * absolute path, or one that escapes with {@code ..} (also through a symbolic link), is rejected.
   */
  private static ByteBuffer readExternal(TensorProto t, String what, Path modelDir, long needed) {
    String location = null;
    long offset = 0;
    long length = -1;
    for (StringStringEntryProto e : t.getExternalDataList()) {
      switch (e.getKey()) {
        case "location" -> location = e.getValue();
        case "offset" -> offset = parseLong(e.getValue(), "offset", what);
        case "length" -> length = parseLong(e.getValue(), "length", what);
        case "checksum" -> { }
        default -> throw new KilnException(what + ": unknown external_data key '" + e.getKey() + "'");
      }
    }
    if (location == null || location.isEmpty()) {
      throw new KilnException(what + ": external data without a location");
    }
    if (modelDir == null) {
      throw new KilnException(what + ": external data is not allowed here");
    }
    Path rel = Path.of(location);
    if (rel.isAbsolute() || location.startsWith("/") || location.startsWith("\\")) {
      throw new KilnException(what + ": external data path '" + location
          + "' is absolute; only paths inside the model's folder are allowed");
    }
    Path dir = modelDir.toAbsolutePath().normalize();
    Path file = dir.resolve(rel).normalize();
    if (!file.startsWith(dir)) {
      throw new KilnException(what + ": external data path '" + location
          + "' leaves the model's folder");
    }
    try {
      if (!Files.isRegularFile(file)) {
        throw new KilnException(what + ": external data file '" + location + "' not found");
      }
      Path realDir = dir.toRealPath();
      Path realFile = file.toRealPath();
      if (!realFile.startsWith(realDir)) {
        throw new KilnException(what + ": external data path '" + location
            + "' leaves the model's folder");
      }
      if (length < 0) {
        length = needed;
      }
      if (length != needed) {
        throw new KilnException(what + ": external data length " + length + " but the tensor needs "
            + needed + " bytes");
      }
      try (RandomAccessFile raf = new RandomAccessFile(realFile.toFile(), "r")) {
        long size = raf.length();
        if (offset < 0 || offset > size || size - offset < length) {
          throw new KilnException(what + ": external data '" + location + "' has " + size
              + " bytes, too few for offset " + offset + " and length " + length);
        }
        byte[] data = new byte[(int) length];
        raf.seek(offset);
        raf.readFully(data);
        return ByteBuffer.wrap(data);
      }
    } catch (IOException e) {
      throw new KilnException(what + ": cannot read external data '" + location + "': " + e.getMessage());
    }
  }

  private static long parseLong(String s, String key, String what) {
    try {
      return Long.parseLong(s.trim());
    } catch (NumberFormatException e) {
      throw new KilnException(what + ": external_data " + key + " '" + s + "' is not a number");
    }
  }

  /** Encodes a tensor as a TensorProto with raw_data (for tests and the .pb input format). */
  public static TensorProto encode(String name, Tensor t) {
    TensorProto.Builder b = TensorProto.newBuilder().setName(name).setDataType(t.dtype().onnxCode());
    for (int d : t.shape().dims()) {
      b.addDims(d);
    }
    int n = t.elementCount();
    ByteBuffer buf = ByteBuffer.allocate(n * t.dtype().byteSize()).order(ByteOrder.LITTLE_ENDIAN);
    for (int i = 0; i < n; i++) {
      switch (t.dtype()) {
        case FLOAT32 -> buf.putFloat(t.floatAt(i));
        case INT64 -> buf.putLong(t.longAt(i));
        case INT32 -> buf.putInt((int) t.longAt(i));
        case BOOL -> buf.put((byte) t.longAt(i));
      }
    }
    buf.flip();
    return b.setRawData(ByteString.copyFrom(buf)).build();
  }
}
