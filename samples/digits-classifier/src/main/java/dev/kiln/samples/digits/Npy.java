package dev.kiln.samples.digits;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Just enough of NumPy's .npy format for the sample's test set: little-endian float32 ({@code <f4})
 * or int64 ({@code <i8}) arrays in C order. Version 1 and 2 headers.
 */
final class Npy {
  private static final Pattern DESCR = Pattern.compile("'descr':\\s*'([^']*)'");
  private static final Pattern FORTRAN = Pattern.compile("'fortran_order':\\s*(True|False)");
  private static final Pattern SHAPE = Pattern.compile("'shape':\\s*\\(([^)]*)\\)");

  final int[] shape;
  /** The data for {@code <f4} files, else null. */
  final float[] floats;
  /** The data for {@code <i8} files, else null. */
  final long[] longs;

  private Npy(int[] shape, float[] floats, long[] longs) {
    this.shape = shape;
    this.floats = floats;
    this.longs = longs;
  }

  static Npy read(Path file) throws IOException {
    ByteBuffer buf = ByteBuffer.wrap(Files.readAllBytes(file)).order(ByteOrder.LITTLE_ENDIAN);
    byte[] magic = new byte[6];
    buf.get(magic);
    if (!Arrays.equals(magic, new byte[] {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y'})) {
      throw new IOException(file + ": not a .npy file");
    }
    int major = buf.get();
    buf.get();
    int headerLength = major == 1 ? Short.toUnsignedInt(buf.getShort()) : buf.getInt();
    byte[] headerBytes = new byte[headerLength];
    buf.get(headerBytes);
    String header = new String(headerBytes, StandardCharsets.ISO_8859_1);

    String descr = group(DESCR, header, file);
    if (group(FORTRAN, header, file).equals("True")) {
      throw new IOException(file + ": Fortran-order arrays are not supported");
    }
    int[] shape = Arrays.stream(group(SHAPE, header, file).split(","))
        .map(String::trim).filter(s -> !s.isEmpty()).mapToInt(Integer::parseInt).toArray();
    int count = Arrays.stream(shape).reduce(1, Math::multiplyExact);
    switch (descr) {
      case "<f4" -> {
        float[] data = new float[count];
        buf.asFloatBuffer().get(data);
        return new Npy(shape, data, null);
      }
      case "<i8" -> {
        long[] data = new long[count];
        buf.asLongBuffer().get(data);
        return new Npy(shape, null, data);
      }
      default -> throw new IOException(file + ": dtype " + descr + " is not supported (only <f4, <i8)");
    }
  }

  private static String group(Pattern p, String header, Path file) throws IOException {
    Matcher m = p.matcher(header);
    if (!m.find()) {
      throw new IOException(file + ": bad header " + header.trim());
    }
    return m.group(1);
  }
}
