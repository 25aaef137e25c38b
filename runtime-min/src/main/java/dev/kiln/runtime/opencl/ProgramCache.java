package dev.kiln.runtime.opencl;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;

/**
 * Built program binaries on disk, so a model's kernels compile once per device and driver rather
 * than on every load ({@code clGetProgramInfo(CL_PROGRAM_BINARIES)}, then {@code
 * clCreateProgramWithBinary}). The key hashes everything the binary depends on: the source, the build
 * options, the device and the driver version. Best effort: an unreadable or refused entry means a
 * build from source, and a failed write is ignored.
 */
final class ProgramCache {
  private final Path dir;

  private ProgramCache(Path dir) {
    this.dir = dir;
  }

  static ProgramCache open(Path configured) {
    if (configured != null) {
      return new ProgramCache(configured);
    }
    String setting = System.getProperty("kiln.opencl.cache", System.getenv("KILN_OPENCL_CACHE"));
    if (setting != null && setting.equalsIgnoreCase("off")) {
      return new ProgramCache(null);
    }
    if (setting != null && !setting.isBlank()) {
      return new ProgramCache(Path.of(setting));
    }
    String home = System.getProperty("user.home");
    return new ProgramCache(home == null ? null : Path.of(home, ".kiln", "cl-cache"));
  }

  boolean enabled() {
    return dir != null;
  }

  static String key(String source, String options, String device, String driver) {
    try {
      MessageDigest sha = MessageDigest.getInstance("SHA-256");
      for (String part : new String[] {source, options, device, driver}) {
        sha.update(part.getBytes(StandardCharsets.UTF_8));
        sha.update((byte) 0);
      }
      return hex(sha.digest());
    } catch (NoSuchAlgorithmException e) {
      throw new AssertionError(e);
    }
  }

  static String sha256(String text) {
    try {
      return hex(MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8)));
    } catch (NoSuchAlgorithmException e) {
      throw new AssertionError(e);
    }
  }

  private static String hex(byte[] bytes) {
    StringBuilder sb = new StringBuilder();
    for (byte b : bytes) {
      sb.append(Character.forDigit((b >> 4) & 15, 16)).append(Character.forDigit(b & 15, 16));
    }
    return sb.toString();
  }

  /** The cached binary, or null. */
  byte[] load(String key) {
    if (dir == null) {
      return null;
    }
    try {
      Path file = dir.resolve(key + ".bin");
      return Files.isRegularFile(file) ? Files.readAllBytes(file) : null;
    } catch (IOException e) {
      return null;
    }
  }

  /** Writes atomically (temp file, then rename), so a concurrent reader never sees half a binary. */
  void store(String key, byte[] binary) {
    if (dir == null) {
      return;
    }
    try {
      Files.createDirectories(dir);
      Path tmp = Files.createTempFile(dir, key, ".tmp");
      Files.write(tmp, binary);
      Files.move(tmp, dir.resolve(key + ".bin"), StandardCopyOption.REPLACE_EXISTING,
          StandardCopyOption.ATOMIC_MOVE);
    } catch (IOException | UnsupportedOperationException e) {
      // The cache only saves time; a read-only home or a full disk must not fail the load.
    }
  }
}
