package dev.kiln.runtime.opencl;

/**
 * Where the {@link ClApi} comes from, on Java 22+: {@link FfmClApi} over {@code libOpenCL.so.1},
 * bound once, the first time OpenCL is used. A missing library is remembered as the reason OpenCL is
 * unavailable rather than thrown from a class initializer.
 */
final class ClNative {
  private ClNative() {}

  private static final class Holder {
    static final Object API_OR_REASON = load();

    private static Object load() {
      try {
        return FfmClApi.bind();
      } catch (IllegalArgumentException | UnsatisfiedLinkError e) {
        return "no OpenCL library: libOpenCL.so.1 could not be loaded (" + e.getMessage()
            + "); install an ICD loader and a platform, e.g. ocl-icd-libopencl1 and pocl-opencl-icd";
      }
    }
  }

  static String unavailableReason() {
    return Holder.API_OR_REASON instanceof String reason ? reason : null;
  }

  static ClApi api() {
    if (Holder.API_OR_REASON instanceof String reason) {
      throw new OpenClException(reason);
    }
    return (ClApi) Holder.API_OR_REASON;
  }
}
