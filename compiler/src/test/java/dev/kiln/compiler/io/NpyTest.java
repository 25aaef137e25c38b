package dev.kiln.compiler.io;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.kiln.compiler.KilnException;
import dev.kiln.compiler.ir.DType;
import dev.kiln.compiler.ir.Shape;
import dev.kiln.compiler.ir.Tensor;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The .npy reader and writer. Headers are built by hand here, byte for byte as NumPy writes them,
 * so the reader is checked against the format rather than against the writer.
 */
class NpyTest {
  /** A .npy file: magic, version, header length (2 bytes for v1, 4 for v2/v3), header, data. */
  static byte[] npy(int major, String dict, byte[] data) {
    int lengthBytes = major == 1 ? 2 : 4;
    int prefix = 8 + lengthBytes;
    String header = dict + " ".repeat(63 - (prefix + dict.length()) % 64) + "\n";
    byte[] h = header.getBytes(major == 3 ? StandardCharsets.UTF_8 : StandardCharsets.ISO_8859_1);
    ByteBuffer b = ByteBuffer.allocate(prefix + h.length + data.length).order(ByteOrder.LITTLE_ENDIAN);
    b.put((byte) 0x93).put("NUMPY".getBytes(StandardCharsets.ISO_8859_1)).put((byte) major).put((byte) 0);
    if (major == 1) {
      b.putShort((short) h.length);
    } else {
      b.putInt(h.length);
    }
    return b.put(h).put(data).array();
  }

  static String dict(String descr, String shape) {
    return "{'descr': '" + descr + "', 'fortran_order': False, 'shape': " + shape + ", }";
  }

  static byte[] floats(ByteOrder order, float... values) {
    ByteBuffer b = ByteBuffer.allocate(4 * values.length).order(order);
    for (float v : values) {
      b.putFloat(v);
    }
    return b.array();
  }

  static byte[] longs(ByteOrder order, long... values) {
    ByteBuffer b = ByteBuffer.allocate(8 * values.length).order(order);
    for (long v : values) {
      b.putLong(v);
    }
    return b.array();
  }

  private static String error(byte[] file) {
    return assertThrows(KilnException.class, () -> Npy.parse(file, "x.npy")).getMessage();
  }

  @Test
  void float32RoundTrips(@TempDir Path dir) {
    Tensor t = Tensor.ofFloats(Shape.of(2, 3), 1, -2.5f, Float.NaN, Float.POSITIVE_INFINITY, -0f, 7);
    Path file = dir.resolve("t.npy");
    Npy.write(file, t);
    assertEquals(t, Npy.read(file));
  }

  @Test
  void integerAndBoolTensorsRoundTrip() {
    for (Tensor t : new Tensor[] {
        Tensor.ofLongs(DType.INT64, Shape.of(3), Long.MIN_VALUE, -1, Long.MAX_VALUE),
        Tensor.ofLongs(DType.INT32, Shape.of(2, 1), Integer.MIN_VALUE, Integer.MAX_VALUE),
        Tensor.ofLongs(DType.BOOL, Shape.of(4), 1, 0, 0, 1)}) {
      assertEquals(t, Npy.parse(Npy.encode(t), "t.npy"), t.toString());
    }
  }

  @Test
  void scalarsAndEmptyTensorsRoundTrip() {
    for (Tensor t : new Tensor[] {
        Tensor.scalarFloat(3.5f),
        Tensor.ofFloats(Shape.of(0)),
        Tensor.ofFloats(Shape.of(2, 0, 3))}) {
      assertEquals(t, Npy.parse(Npy.encode(t), "t.npy"), t.toString());
    }
  }

  @Test
  void theWriterFollowsTheFormat() {
    byte[] file = Npy.encode(Tensor.ofFloats(Shape.of(3), 1, 2, 3));
    assertEquals(0, (file.length - 12) % 64, "header padded to a multiple of 64");
    String header = new String(file, 10, file.length - 22, StandardCharsets.ISO_8859_1);
    assertEquals(dict("<f4", "(3,)"), header.strip());
    assertEquals('\n', header.charAt(header.length() - 1));
  }

  @Test
  void readsVersion1Headers() {
    byte[] file = npy(1, dict("<f4", "(2,)"), floats(ByteOrder.LITTLE_ENDIAN, 1, 2));
    assertEquals(Tensor.ofFloats(Shape.of(2), 1, 2), Npy.parse(file, "x.npy"));
  }

  @Test
  void readsVersion2And3Headers() {
    byte[] data = longs(ByteOrder.LITTLE_ENDIAN, 5, -6);
    Tensor expected = Tensor.ofLongs(DType.INT64, Shape.of(1, 2), 5, -6);
    assertEquals(expected, Npy.parse(npy(2, dict("<i8", "(1, 2)"), data), "x.npy"));
    assertEquals(expected, Npy.parse(npy(3, dict("<i8", "(1, 2)"), data), "x.npy"));
  }

  @Test
  void readsBigEndianData() {
    assertEquals(Tensor.ofFloats(Shape.of(2), 1.5f, -3f),
        Npy.parse(npy(1, dict(">f4", "(2,)"), floats(ByteOrder.BIG_ENDIAN, 1.5f, -3f)), "x.npy"));
    assertEquals(Tensor.ofLongs(DType.INT64, Shape.of(2), 258, -2),
        Npy.parse(npy(1, dict(">i8", "(2,)"), longs(ByteOrder.BIG_ENDIAN, 258, -2)), "x.npy"));
  }

  @Test
  void rejectsFortranOrder() {
    String dict = "{'descr': '<f4', 'fortran_order': True, 'shape': (2, 2), }";
    assertEquals("x.npy: Fortran-order arrays are not supported; save with C order",
        error(npy(1, dict, floats(ByteOrder.LITTLE_ENDIAN, 1, 2, 3, 4))));
  }

  @Test
  void rejectsTruncatedData() {
    byte[] file = npy(1, dict("<f4", "(2, 3)"), floats(ByteOrder.LITTLE_ENDIAN, 1, 2, 3, 4, 5, 6));
    assertEquals("x.npy: header says <f4 [2,3] (24 bytes) but the file holds 20 bytes of data",
        error(Arrays.copyOf(file, file.length - 4)));
  }

  @Test
  void rejectsTruncatedHeaders() {
    byte[] file = npy(1, dict("<f4", "(2,)"), floats(ByteOrder.LITTLE_ENDIAN, 1, 2));
    assertEquals("x.npy: truncated .npy header", error(Arrays.copyOf(file, 40)));
    assertEquals("x.npy: truncated .npy header", error(Arrays.copyOf(npy(2, dict("<f4", "(2,)"),
        new byte[0]), 11)));
    assertEquals("x.npy: not a .npy file (too short)", error(Arrays.copyOf(file, 9)));
  }

  @Test
  void rejectsWhatIsNotNpy() {
    assertEquals("x.npy: not a .npy file (bad magic)",
        error("just some text, not numpy".getBytes(StandardCharsets.US_ASCII)));
    byte[] future = npy(1, dict("<f4", "(2,)"), floats(ByteOrder.LITTLE_ENDIAN, 1, 2));
    future[6] = (byte) 0xc8;
    assertEquals("x.npy: unsupported .npy version 200", error(future));
  }

  @Test
  void rejectsUnsupportedDtypes() {
    assertEquals("x.npy: dtype '<f8' is not supported; inputs must be float32 ('<f4'), or"
        + " int64/int32/bool for integer inputs", error(npy(1, dict("<f8", "(1,)"), new byte[8])));
    assertEquals("x.npy: dtype '|u1' is not supported; inputs must be float32 ('<f4'), or"
        + " int64/int32/bool for integer inputs", error(npy(1, dict("|u1", "(1,)"), new byte[1])));
  }

  @Test
  void rejectsShapesThatCannotBeRead() {
    assertEquals("x.npy: dimension 1099511627776 out of range in shape [1099511627776]",
        error(npy(1, dict("<f4", "(1099511627776,)"), new byte[4])));
    assertEquals("x.npy: dimension -2 out of range in shape [3, -2]",
        error(npy(1, dict("<f4", "(3, -2)"), new byte[4])));
    assertEquals("x.npy: bad shape (2, x) in .npy header",
        error(npy(1, dict("<f4", "(2, x)"), new byte[8])));
    assertEquals("x.npy: .npy header has no 'shape'",
        error(npy(1, "{'descr': '<f4', 'fortran_order': False, }", new byte[4])));
  }
}
