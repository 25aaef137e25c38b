package dev.kiln.runtime.opencl;

/**
 * Where the {@link ClApi} comes from. This base-layer version runs on Java 17 to 21, which have no
 * FFM API: OpenCL is unavailable there. The multi-release jar holds a Java 22 version of this class
 * (under {@code META-INF/versions/22}) that binds {@code libOpenCL.so.1}; the JVM picks it by itself.
 */
final class ClNative {
  private ClNative() {}

  /** Why OpenCL cannot be used here, or null when it can. */
  static String unavailableReason() {
    return "OpenCL needs Java 22 or newer (Kiln calls libOpenCL through the FFM API); this is Java "
        + Runtime.version().feature();
  }

  static ClApi api() {
    throw new OpenClException(unavailableReason());
  }
}
