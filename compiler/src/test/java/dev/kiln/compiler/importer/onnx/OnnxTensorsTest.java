package dev.kiln.compiler.importer.onnx;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.google.protobuf.ByteString;
import dev.kiln.compiler.KilnException;
import dev.kiln.compiler.importer.onnx.proto.OnnxProto.StringStringEntryProto;
import dev.kiln.compiler.importer.onnx.proto.OnnxProto.TensorProto;
import dev.kiln.compiler.ir.DType;
import dev.kiln.compiler.ir.Shape;
import dev.kiln.compiler.ir.Tensor;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * TensorProtos whose header and data disagree: every count is checked against what is there before
 * anything is allocated, so a header that claims 2^40 elements costs nothing and fails in one line.
 */
class OnnxTensorsTest {
  private static final String WHAT = "m.onnx: initializer 'w'";

  private static TensorProto.Builder floats(long... dims) {
    TensorProto.Builder b = TensorProto.newBuilder().setName("w").setDataType(DType.FLOAT32.onnxCode());
    for (long d : dims) {
      b.addDims(d);
    }
    return b;
  }

  private static String decodeError(TensorProto t) {
    return assertThrows(KilnException.class, () -> OnnxTensors.decode(t, WHAT, null)).getMessage();
  }

  @Test
  void aDimensionOf2To40WithTinyDataFailsCleanly() {
    TensorProto t = floats(1L << 40).setRawData(ByteString.copyFrom(new byte[8])).build();
    assertEquals(WHAT + ": dimension 1099511627776 out of range in shape [1099511627776]",
        decodeError(t));
  }

  @Test
  void dimensionsWhoseProductIs2To40FailCleanly() {
    TensorProto t = floats(1 << 20, 1 << 20).addFloatData(1f).build();
    assertEquals(WHAT + ": shape [1048576, 1048576] has more than 2147483639 elements",
        decodeError(t));
  }

  @Test
  void dimensionsWhoseProductOverflowsInt64FailCleanly() {
    // 2^32 · 2^32 is 0 in int64 arithmetic: a naive product would accept it as empty.
    assertEquals(WHAT + ": dimension 4294967296 out of range in shape [4294967296, 4294967296]",
        decodeError(floats(1L << 32, 1L << 32).build()));
    long big = Shape.MAX_ELEMENTS;
    assertEquals(WHAT + ": shape [" + big + ", " + big + ", " + big + "] has more than " + big
        + " elements", decodeError(floats(big, big, big).build()));
  }

  @Test
  void aNegativeDimensionFailsCleanly() {
    assertEquals(WHAT + ": dimension -3 out of range in shape [2, -3]",
        decodeError(floats(2, -3).build()));
  }

  @Test
  void rawDataOfTheWrongLengthFails() {
    TensorProto t = floats(3).setRawData(ByteString.copyFrom(new byte[8])).build();
    assertEquals(WHAT + ": raw_data holds 8 bytes but float32[3] needs 12", decodeError(t));
  }

  @Test
  void typedDataOfTheWrongCountFails() {
    TensorProto t = floats(2, 2).addFloatData(1f).addFloatData(2f).build();
    assertEquals(WHAT + ": float_data holds 2 values but the shape needs 4", decodeError(t));
    TensorProto longs = TensorProto.newBuilder().setDataType(DType.INT64.onnxCode()).addDims(3)
        .addInt64Data(1).build();
    assertEquals(WHAT + ": int64_data holds 1 values but the shape needs 3", decodeError(longs));
  }

  @Test
  void anUnsupportedTypeIsNamed() {
    TensorProto t = TensorProto.newBuilder().setDataType(11).addDims(1)
        .setRawData(ByteString.copyFrom(new byte[8])).build();
    assertEquals(WHAT + ": data type DOUBLE (11) is not supported (Kiln computes in float32, with"
        + " int64/int32/bool shape tensors)", decodeError(t));
  }

  @Test
  void rawAndTypedDataDecodeAlike() {
    Tensor expected = Tensor.ofFloats(Shape.of(2), 1.5f, -2f);
    assertEquals(expected, OnnxTensors.decode(OnnxTensors.encode("w", expected), WHAT, null));
    assertEquals(expected, OnnxTensors.decode(floats(2).addFloatData(1.5f).addFloatData(-2f).build(),
        WHAT, null));
    Tensor bools = Tensor.ofLongs(DType.BOOL, Shape.of(3), 1, 0, 1);
    assertEquals(bools, OnnxTensors.decode(TensorProto.newBuilder().setDataType(9).addDims(3)
        .addInt32Data(7).addInt32Data(0).addInt32Data(-1).build(), WHAT, null));
  }

  /**
   * An int64 tensor of 2^28 elements needs 2^31 bytes, one more than a Java array holds. The
   * external file is sparse, so the test costs no disk.
   */
  @Test
  void externalDataTooLargeForOneArrayFailsCleanly(@TempDir Path dir) throws IOException {
    try (RandomAccessFile f = new RandomAccessFile(dir.resolve("w.bin").toFile(), "rw")) {
      f.setLength(1L << 31);
    }
    TensorProto t = TensorProto.newBuilder().setName("w").setDataType(DType.INT64.onnxCode())
        .addDims(1 << 28)
        .setDataLocation(TensorProto.DataLocation.EXTERNAL)
        .addExternalData(StringStringEntryProto.newBuilder().setKey("location").setValue("w.bin"))
        .build();
    assertEquals(WHAT + ": int64[268435456] needs 2147483648 bytes; Kiln reads at most 2147483639"
        + " bytes per tensor",
        assertThrows(KilnException.class, () -> OnnxTensors.decode(t, WHAT, dir)).getMessage());
  }
}
