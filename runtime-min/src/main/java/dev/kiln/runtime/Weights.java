package dev.kiln.runtime;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.zip.CRC32;

/**
 * Loads a model's weights: little-endian float32s, exactly {@code floats} of them, whose CRC-32 the
 * generated class knows, so a weights file that does not belong to the class is refused instead of
 * giving wrong answers.
 */
public final class Weights {
  private Weights() {}

  /** Reads the resource named {@code resource} next to {@code owner} on the class path. */
  public static float[] fromResource(Class<?> owner, String resource, int floats, long crc32) {
    try (InputStream in = owner.getResourceAsStream(resource)) {
      if (in == null) {
        throw new IllegalStateException("weights resource '" + resource + "' not found next to "
            + owner.getName() + " on the class path");
      }
      return decode(in.readAllBytes(), resource, floats, crc32);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read weights resource '" + resource + "'", e);
    }
  }

  /** Reads a weights file. */
  public static float[] fromFile(Path file, int floats, long crc32) {
    try {
      long size = Files.size(file);
      if (size != (long) floats * Float.BYTES) {
        throw new IllegalStateException("weights file " + file + " has " + size + " bytes, expected "
            + (long) floats * Float.BYTES);
      }
      return decode(Files.readAllBytes(file), file.toString(), floats, crc32);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read weights file " + file, e);
    }
  }

  private static float[] decode(byte[] bytes, String what, int floats, long crc32) {
    if (bytes.length != (long) floats * Float.BYTES) {
      throw new IllegalStateException("weights '" + what + "' have " + bytes.length + " bytes, expected "
          + (long) floats * Float.BYTES);
    }
    CRC32 crc = new CRC32();
    crc.update(bytes);
    if (crc.getValue() != crc32) {
      throw new IllegalStateException("weights '" + what + "' have CRC-32 " + Long.toHexString(crc.getValue())
          + " but the model was compiled with " + Long.toHexString(crc32)
          + ": they belong to another model or build");
    }
    float[] out = new float[floats];
    ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer().get(out);
    return out;
  }

  /** The CRC-32 of weights as {@link #fromResource} checks it (for the compiler). */
  public static long crc32(float[] weights) {
    ByteBuffer b = ByteBuffer.allocate(weights.length * Float.BYTES).order(ByteOrder.LITTLE_ENDIAN);
    b.asFloatBuffer().put(weights);
    CRC32 crc = new CRC32();
    crc.update(b.array());
    return crc.getValue();
  }
}
