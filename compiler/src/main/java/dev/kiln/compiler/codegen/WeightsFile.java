package dev.kiln.compiler.codegen;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.util.zip.CRC32;

/**
 * The weights resource of a generated class: the program's weights as little-endian float32, nothing
 * else (no header: the class knows the float count and the CRC-32 and checks both when it loads).
 * Written in chunks, so a model of hundreds of megabytes needs no second copy in memory.
 */
public final class WeightsFile {
  private static final int CHUNK_FLOATS = 1 << 16;

  private WeightsFile() {}

  /** The CRC-32 of the bytes {@link #write} produces, as {@code dev.kiln.runtime.Weights} checks it. */
  public static long crc32(FloatBuffer weights) {
    CRC32 crc = new CRC32();
    forEachChunk(weights, (bytes, length) -> crc.update(bytes, 0, length));
    return crc.getValue();
  }

  public static void write(FloatBuffer weights, OutputStream out) throws IOException {
    try {
      forEachChunk(weights, (bytes, length) -> {
        try {
          out.write(bytes, 0, length);
        } catch (IOException e) {
          throw new java.io.UncheckedIOException(e);
        }
      });
    } catch (java.io.UncheckedIOException e) {
      throw e.getCause();
    }
  }

  private interface ChunkConsumer {
    void accept(byte[] bytes, int length);
  }

  private static void forEachChunk(FloatBuffer weights, ChunkConsumer consumer) {
    FloatBuffer src = weights.duplicate();
    src.rewind();
    ByteBuffer chunk = ByteBuffer.allocate(CHUNK_FLOATS * Float.BYTES).order(ByteOrder.LITTLE_ENDIAN);
    while (src.hasRemaining()) {
      int n = Math.min(CHUNK_FLOATS, src.remaining());
      chunk.clear();
      for (int i = 0; i < n; i++) {
        chunk.putFloat(src.get());
      }
      consumer.accept(chunk.array(), n * Float.BYTES);
    }
  }
}
