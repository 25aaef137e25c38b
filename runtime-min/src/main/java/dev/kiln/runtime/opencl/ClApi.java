package dev.kiln.runtime.opencl;

/**
 * The OpenCL 1.2 calls Kiln makes, over opaque {@code long} handles (the C pointers of {@code
 * cl_platform_id}, {@code cl_mem}, {@code cl_event} and the rest). The Java 22 layer implements it on
 * the FFM API against {@code libOpenCL.so.1}; everything above it (plans, staging, locking, futures)
 * is plain Java 17 in the base layer.
 *
 * <p>Every method throws {@link OpenClException} naming the call and the error code when the call
 * fails, except {@link #buildProgram}, whose failure the caller reports together with the build log.
 */
interface ClApi {
  /** {@code CL_PLATFORM_NOT_FOUND_KHR}: the ICD loader found no installed platform. */
  int PLATFORM_NOT_FOUND_KHR = -1001;

  int PLATFORM_VERSION = 0x0901;
  int PLATFORM_NAME = 0x0902;
  int PLATFORM_VENDOR = 0x0903;

  long DEVICE_TYPE_CPU = 1 << 1;
  long DEVICE_TYPE_GPU = 1 << 2;
  long DEVICE_TYPE_ALL = 0xFFFFFFFFL;

  int DEVICE_TYPE = 0x1000;
  int DEVICE_MAX_COMPUTE_UNITS = 0x1002;
  int DEVICE_MAX_WORK_GROUP_SIZE = 0x1004;
  int DEVICE_MAX_MEM_ALLOC_SIZE = 0x1010;
  int DEVICE_GLOBAL_MEM_SIZE = 0x101F;
  int DEVICE_LOCAL_MEM_SIZE = 0x1023;
  int DEVICE_NAME = 0x102B;
  int DEVICE_VENDOR = 0x102C;
  int DRIVER_VERSION = 0x102D;
  int DEVICE_VERSION = 0x102F;

  long QUEUE_PROFILING_ENABLE = 1 << 1;

  long MEM_READ_WRITE = 1;
  long MEM_READ_ONLY = 1 << 2;

  int PROFILING_COMMAND_START = 0x1282;
  int PROFILING_COMMAND_END = 0x1283;

  long[] platformIds();

  String platformInfo(long platform, int param);

  /** The platform's devices of {@code type}; empty (not an error) when it has none. */
  long[] deviceIds(long platform, long type);

  String deviceInfoString(long device, int param);

  /** A {@code size_t}, {@code cl_ulong} or {@code cl_bitfield} property. */
  long deviceInfoLong(long device, int param);

  long createContext(long platform, long device);

  long createCommandQueue(long context, long device, long properties);

  long createBuffer(long context, long flags, long bytes);

  long createProgramWithSource(long context, String source);

  /** A program from a binary {@link #programBinary} returned earlier, or 0 when the driver refuses it. */
  long createProgramWithBinary(long context, long device, byte[] binary);

  /** Builds for {@code device}; returns the OpenCL error code (0 on success) instead of throwing. */
  int buildProgram(long program, long device, String options);

  String programBuildLog(long program, long device);

  /** The program's binary for its one device, or null when the driver offers none. */
  byte[] programBinary(long program);

  long createKernel(long program, String name);

  void setKernelArgMem(long kernel, int index, long mem);

  void setKernelArgInt(long kernel, int index, int value);

  /**
   * Enqueues an NDRange; {@code local} may be null (the driver picks). Returns the command's event
   * when {@code wantEvent}, else 0.
   */
  long enqueueKernel(long queue, long kernel, long[] global, long[] local, boolean wantEvent);

  /** Copies {@code bytes} from {@code src} at {@code srcOffset} into {@code buffer}; never blocks. */
  long enqueueWrite(long queue, long buffer, long offset, long bytes, HostMemory src, long srcOffset,
      boolean wantEvent);

  /** Copies {@code bytes} of {@code buffer} into {@code dst} at {@code dstOffset}; never blocks. */
  long enqueueRead(long queue, long buffer, long offset, long bytes, HostMemory dst, long dstOffset,
      boolean wantEvent);

  long enqueueCopy(long queue, long src, long dst, long srcOffset, long dstOffset, long bytes,
      boolean wantEvent);

  void flush(long queue);

  void finish(long queue);

  /** Blocks until the event completes; returns its final execution status (0, or a negative error). */
  int waitForEvent(long event);

  /** {@code CL_PROFILING_COMMAND_*} in device nanoseconds. */
  long eventProfilingInfo(long event, int param);

  /**
   * Calls {@code onComplete} with the event's final status (0, or a negative error) once it
   * completes. It runs on a driver thread: it must return quickly and call no blocking OpenCL
   * function.
   */
  void setCompletionCallback(long event, java.util.function.IntConsumer onComplete);

  void releaseEvent(long event);

  void releaseKernel(long kernel);

  void releaseProgram(long program);

  void releaseMemObject(long mem);

  void releaseCommandQueue(long queue);

  void releaseContext(long context);

  /** Native, non-moving host memory, as asynchronous transfers need (the Java heap may move). */
  HostMemory allocateHost(long bytes);

  /** Page-aligned native memory the device may read and write asynchronously. */
  interface HostMemory extends AutoCloseable {
    long bytes();

    void putFloats(long byteOffset, float[] src, int srcIndex, int count);

    void getFloats(long byteOffset, float[] dst, int dstIndex, int count);

    @Override
    void close();
  }
}
