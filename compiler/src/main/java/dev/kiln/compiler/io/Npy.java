package dev.kiln.compiler.io;

import dev.kiln.compiler.KilnException;
import dev.kiln.compiler.ir.DType;
import dev.kiln.compiler.ir.Shape;
import dev.kiln.compiler.ir.Tensor;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * NumPy {@code .npy} files (format versions 1 to 3), C order: float32 for data, int64, int32 and bool
 * for integer inputs. The header's element count is checked against the file's size before the data
 * is read.
 */
public final class Npy {
  private static final byte[] MAGIC = {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y'};
  private static final Pattern DESCR = Pattern.compile("'descr'\\s*:\\s*'([^']*)'");
  private static final Pattern FORTRAN = Pattern.compile("'fortran_order'\\s*:\\s*(True|False)");
  private static final Pattern SHAPE = Pattern.compile("'shape'\\s*:\\s*\\(([^)]*)\\)");

  private Npy() {}

  public static Tensor read(Path file) {
    byte[] bytes;
    try {
      bytes = Files.readAllBytes(file);
    } catch (NoSuchFileException e) {
      throw new KilnException(file + ": no such file");
    } catch (IOException e) {
      throw new KilnException(file + ": cannot read: " + e.getMessage());
    }
    return parse(bytes, file.toString());
  }

  public static Tensor parse(byte[] bytes, String name) {
    ByteBuffer b = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
    if (bytes.length < 10) {
      throw new KilnException(name + ": not a .npy file (too short)");
    }
    for (int i = 0; i < MAGIC.length; i++) {
      if (bytes[i] != MAGIC[i]) {
        throw new KilnException(name + ": not a .npy file (bad magic)");
      }
    }
    int major = bytes[6] & 0xff;
    long headerLen;
    int dataStart;
    if (major == 1) {
      headerLen = b.getShort(8) & 0xffff;
      dataStart = 10;
    } else if (major == 2 || major == 3) {
      if (bytes.length < 12) {
        throw new KilnException(name + ": truncated .npy header");
      }
      headerLen = b.getInt(8) & 0xffffffffL;
      dataStart = 12;
    } else {
      throw new KilnException(name + ": unsupported .npy version " + major);
    }
    if (dataStart + headerLen > bytes.length) {
      throw new KilnException(name + ": truncated .npy header");
    }
    String header = new String(bytes, dataStart, (int) headerLen,
        major == 3 ? StandardCharsets.UTF_8 : StandardCharsets.ISO_8859_1);
    int offset = dataStart + (int) headerLen;

    String descr = group(DESCR, header, "descr", name);
    if ("True".equals(group(FORTRAN, header, "fortran_order", name))) {
      throw new KilnException(name + ": Fortran-order arrays are not supported; save with C order");
    }
    String shapeText = group(SHAPE, header, "shape", name).trim();
    String[] parts = shapeText.isEmpty() ? new String[0] : shapeText.split(",");
    int rank = parts.length;
    if (rank > 0 && parts[rank - 1].trim().isEmpty()) {
      rank--;
    }
    long[] dims = new long[rank];
    try {
      for (int i = 0; i < rank; i++) {
        dims[i] = Long.parseLong(parts[i].trim().replace("L", ""));
      }
    } catch (NumberFormatException e) {
      throw new KilnException(name + ": bad shape (" + shapeText + ") in .npy header");
    }
    Shape shape;
    try {
      shape = Shape.ofLongs(dims);
    } catch (KilnException e) {
      throw new KilnException(name + ": " + e.getMessage());
    }

    ByteOrder order = descr.startsWith(">") ? ByteOrder.BIG_ENDIAN : ByteOrder.LITTLE_ENDIAN;
    String kind = descr.length() > 1 && "<>|=".indexOf(descr.charAt(0)) >= 0 ? descr.substring(1) : descr;
    DType dtype;
    int size;
    switch (kind) {
      case "f4" -> { dtype = DType.FLOAT32; size = 4; }
      case "i8" -> { dtype = DType.INT64; size = 8; }
      case "i4" -> { dtype = DType.INT32; size = 4; }
      case "b1" -> { dtype = DType.BOOL; size = 1; }
      default -> throw new KilnException(name + ": dtype '" + descr
          + "' is not supported; inputs must be float32 ('<f4'), or int64/int32/bool for integer inputs");
    }
    long needed = (long) shape.elementCount() * size;
    if (bytes.length - offset != needed) {
      throw new KilnException(name + ": header says " + descr + " " + shape + " (" + needed
          + " bytes) but the file holds " + (bytes.length - offset) + " bytes of data");
    }
    ByteBuffer data = ByteBuffer.wrap(bytes, offset, (int) needed).slice().order(order);
    int n = shape.elementCount();
    if (dtype == DType.FLOAT32) {
      float[] f = new float[n];
      data.asFloatBuffer().get(f);
      return Tensor.adopt(shape, f);
    }
    long[] l = new long[n];
    for (int i = 0; i < n; i++) {
      l[i] = switch (dtype) {
        case INT64 -> data.getLong();
        case INT32 -> data.getInt();
        default -> data.get() != 0 ? 1 : 0;
      };
    }
    return Tensor.adopt(dtype, shape, l);
  }

  private static String group(Pattern p, String header, String key, String name) {
    Matcher m = p.matcher(header);
    if (!m.find()) {
      throw new KilnException(name + ": .npy header has no '" + key + "'");
    }
    return m.group(1);
  }

  /** The .npy encoding (version 1.0, little-endian, C order). */
  public static byte[] encode(Tensor t) {
    String descr = switch (t.dtype()) {
      case FLOAT32 -> "<f4";
      case INT64 -> "<i8";
      case INT32 -> "<i4";
      case BOOL -> "|b1";
    };
    int[] dims = t.shape().dims();
    StringBuilder shape = new StringBuilder("(");
    for (int i = 0; i < dims.length; i++) {
      shape.append(dims[i]).append(dims.length == 1 ? "," : (i + 1 < dims.length ? ", " : ""));
    }
    shape.append(')');
    String dict = "{'descr': '" + descr + "', 'fortran_order': False, 'shape': " + shape + ", }";
    // Pad so that magic + version + length + header is a multiple of 64, ending in a newline.
    int unpadded = 10 + dict.length() + 1;
    int padding = (64 - unpadded % 64) % 64;
    String header = dict + " ".repeat(padding) + "\n";
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    out.writeBytes(MAGIC);
    out.write(1);
    out.write(0);
    out.write(header.length() & 0xff);
    out.write(header.length() >>> 8);
    out.writeBytes(header.getBytes(StandardCharsets.ISO_8859_1));
    int n = t.elementCount();
    ByteBuffer data = ByteBuffer.allocate(n * t.dtype().byteSize()).order(ByteOrder.LITTLE_ENDIAN);
    for (int i = 0; i < n; i++) {
      switch (t.dtype()) {
        case FLOAT32 -> data.putFloat(t.floatAt(i));
        case INT64 -> data.putLong(t.longAt(i));
        case INT32 -> data.putInt((int) t.longAt(i));
        case BOOL -> data.put((byte) t.longAt(i));
      }
    }
    out.writeBytes(data.array());
    return out.toByteArray();
  }

  /** Writes atomically. */
  public static void write(Path file, Tensor t) {
    AtomicFiles.write(file, encode(t));
  }
}
