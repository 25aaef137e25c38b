package dev.kiln.runtime.opencl;

/**
 * An OpenCL failure: a call that returned an error (named, e.g. {@code CL_OUT_OF_RESOURCES (-5)}),
 * a program that did not build (with the driver's build log), or OpenCL being unavailable here.
 */
public class OpenClException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  private final int errorCode;
  private final String buildLog;

  public OpenClException(String message) {
    this(message, 0, null);
  }

  OpenClException(String message, int errorCode, String buildLog) {
    super(message);
    this.errorCode = errorCode;
    this.buildLog = buildLog;
  }

  /** The failing call's error, e.g. {@code clCreateBuffer failed: CL_INVALID_BUFFER_SIZE (-61)}. */
  static OpenClException call(String function, int code) {
    return new OpenClException(function + " failed: " + errorName(code), code, null);
  }

  /** The OpenCL error code (negative), or 0 when the failure was not an OpenCL call's. */
  public int errorCode() {
    return errorCode;
  }

  /** The compiler's log when a program failed to build, else null. */
  public String buildLog() {
    return buildLog;
  }

  /** {@code CL_INVALID_VALUE (-30)}. */
  public static String errorName(int code) {
    String name = switch (code) {
      case 0 -> "CL_SUCCESS";
      case -1 -> "CL_DEVICE_NOT_FOUND";
      case -2 -> "CL_DEVICE_NOT_AVAILABLE";
      case -3 -> "CL_COMPILER_NOT_AVAILABLE";
      case -4 -> "CL_MEM_OBJECT_ALLOCATION_FAILURE";
      case -5 -> "CL_OUT_OF_RESOURCES";
      case -6 -> "CL_OUT_OF_HOST_MEMORY";
      case -7 -> "CL_PROFILING_INFO_NOT_AVAILABLE";
      case -8 -> "CL_MEM_COPY_OVERLAP";
      case -11 -> "CL_BUILD_PROGRAM_FAILURE";
      case -12 -> "CL_MAP_FAILURE";
      case -13 -> "CL_MISALIGNED_SUB_BUFFER_OFFSET";
      case -14 -> "CL_EXEC_STATUS_ERROR_FOR_EVENTS_IN_WAIT_LIST";
      case -30 -> "CL_INVALID_VALUE";
      case -31 -> "CL_INVALID_DEVICE_TYPE";
      case -32 -> "CL_INVALID_PLATFORM";
      case -33 -> "CL_INVALID_DEVICE";
      case -34 -> "CL_INVALID_CONTEXT";
      case -35 -> "CL_INVALID_QUEUE_PROPERTIES";
      case -36 -> "CL_INVALID_COMMAND_QUEUE";
      case -37 -> "CL_INVALID_HOST_PTR";
      case -38 -> "CL_INVALID_MEM_OBJECT";
      case -42 -> "CL_INVALID_BINARY";
      case -43 -> "CL_INVALID_BUILD_OPTIONS";
      case -44 -> "CL_INVALID_PROGRAM";
      case -45 -> "CL_INVALID_PROGRAM_EXECUTABLE";
      case -46 -> "CL_INVALID_KERNEL_NAME";
      case -47 -> "CL_INVALID_KERNEL_DEFINITION";
      case -48 -> "CL_INVALID_KERNEL";
      case -49 -> "CL_INVALID_ARG_INDEX";
      case -50 -> "CL_INVALID_ARG_VALUE";
      case -51 -> "CL_INVALID_ARG_SIZE";
      case -52 -> "CL_INVALID_KERNEL_ARGS";
      case -53 -> "CL_INVALID_WORK_DIMENSION";
      case -54 -> "CL_INVALID_WORK_GROUP_SIZE";
      case -55 -> "CL_INVALID_WORK_ITEM_SIZE";
      case -56 -> "CL_INVALID_GLOBAL_OFFSET";
      case -57 -> "CL_INVALID_EVENT_WAIT_LIST";
      case -58 -> "CL_INVALID_EVENT";
      case -59 -> "CL_INVALID_OPERATION";
      case -61 -> "CL_INVALID_BUFFER_SIZE";
      case -63 -> "CL_INVALID_GLOBAL_WORK_SIZE";
      case -64 -> "CL_INVALID_PROPERTY";
      case -1001 -> "CL_PLATFORM_NOT_FOUND_KHR";
      default -> "OpenCL error";
    };
    return name + " (" + code + ")";
  }
}
