package dev.kiln.runtime.opencl;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_FLOAT;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SymbolLookup;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.IntConsumer;

/**
 * {@link ClApi} on the FFM API: downcall handles into {@code libOpenCL.so.1} (the ICD loader), no
 * third-party binding. Handles are the C pointers as {@code long}s. On 64-bit Linux {@code size_t},
 * {@code cl_ulong} and {@code cl_bitfield} are {@code JAVA_LONG}; {@code cl_int}, {@code cl_uint} and
 * {@code cl_bool} are {@code JAVA_INT}.
 *
 * <p>Each call's temporaries (out-parameters, argument arrays) live in a confined arena closed when
 * the call returns; nothing the driver keeps a pointer to is allocated there.
 */
final class FfmClApi implements ClApi {
  private static final Linker LINKER = Linker.nativeLinker();
  private static final int EVENT_COMMAND_EXECUTION_STATUS = 0x11D3;
  private static final int PROGRAM_BINARY_SIZES = 0x1165;
  private static final int PROGRAM_BINARIES = 0x1166;
  private static final int PROGRAM_BUILD_LOG = 0x1183;
  private static final int COMPLETE = 0;
  private static final long PAGE = 4096;

  private final MethodHandle getPlatformIds;
  private final MethodHandle getPlatformInfo;
  private final MethodHandle getDeviceIds;
  private final MethodHandle getDeviceInfo;
  private final MethodHandle createContext;
  private final MethodHandle createCommandQueue;
  private final MethodHandle createBuffer;
  private final MethodHandle createProgramWithSource;
  private final MethodHandle createProgramWithBinary;
  private final MethodHandle buildProgram;
  private final MethodHandle getProgramBuildInfo;
  private final MethodHandle getProgramInfo;
  private final MethodHandle createKernel;
  private final MethodHandle setKernelArg;
  private final MethodHandle enqueueNDRangeKernel;
  private final MethodHandle enqueueWriteBuffer;
  private final MethodHandle enqueueReadBuffer;
  private final MethodHandle enqueueCopyBuffer;
  private final MethodHandle flush;
  private final MethodHandle finish;
  private final MethodHandle waitForEvents;
  private final MethodHandle getEventInfo;
  private final MethodHandle getEventProfilingInfo;
  private final MethodHandle setEventCallback;
  private final MethodHandle releaseEvent;
  private final MethodHandle releaseKernel;
  private final MethodHandle releaseProgram;
  private final MethodHandle releaseMemObject;
  private final MethodHandle releaseCommandQueue;
  private final MethodHandle releaseContext;

  /** Completion callbacks by the id passed as the C callback's user data. */
  private final Map<Long, IntConsumer> callbacks = new ConcurrentHashMap<>();
  private final AtomicLong nextCallbackId = new AtomicLong(1);
  private final MemorySegment callbackStub;

  private FfmClApi(SymbolLookup lib) {
    getPlatformIds = bind(lib, "clGetPlatformIDs", JAVA_INT, JAVA_INT, ADDRESS, ADDRESS);
    getPlatformInfo = bind(lib, "clGetPlatformInfo", JAVA_INT, ADDRESS, JAVA_INT, JAVA_LONG, ADDRESS, ADDRESS);
    getDeviceIds = bind(lib, "clGetDeviceIDs", JAVA_INT, ADDRESS, JAVA_LONG, JAVA_INT, ADDRESS, ADDRESS);
    getDeviceInfo = bind(lib, "clGetDeviceInfo", JAVA_INT, ADDRESS, JAVA_INT, JAVA_LONG, ADDRESS, ADDRESS);
    createContext = bind(lib, "clCreateContext", ADDRESS, ADDRESS, JAVA_INT, ADDRESS, ADDRESS, ADDRESS, ADDRESS);
    createCommandQueue = bind(lib, "clCreateCommandQueue", ADDRESS, ADDRESS, ADDRESS, JAVA_LONG, ADDRESS);
    createBuffer = bind(lib, "clCreateBuffer", ADDRESS, ADDRESS, JAVA_LONG, JAVA_LONG, ADDRESS, ADDRESS);
    createProgramWithSource = bind(lib, "clCreateProgramWithSource", ADDRESS, ADDRESS, JAVA_INT, ADDRESS, ADDRESS, ADDRESS);
    createProgramWithBinary = bind(lib, "clCreateProgramWithBinary", ADDRESS, ADDRESS, JAVA_INT, ADDRESS, ADDRESS, ADDRESS, ADDRESS, ADDRESS);
    buildProgram = bind(lib, "clBuildProgram", JAVA_INT, ADDRESS, JAVA_INT, ADDRESS, ADDRESS, ADDRESS, ADDRESS);
    getProgramBuildInfo = bind(lib, "clGetProgramBuildInfo", JAVA_INT, ADDRESS, ADDRESS, JAVA_INT, JAVA_LONG, ADDRESS, ADDRESS);
    getProgramInfo = bind(lib, "clGetProgramInfo", JAVA_INT, ADDRESS, JAVA_INT, JAVA_LONG, ADDRESS, ADDRESS);
    createKernel = bind(lib, "clCreateKernel", ADDRESS, ADDRESS, ADDRESS, ADDRESS);
    setKernelArg = bind(lib, "clSetKernelArg", JAVA_INT, ADDRESS, JAVA_INT, JAVA_LONG, ADDRESS);
    enqueueNDRangeKernel = bind(lib, "clEnqueueNDRangeKernel", JAVA_INT, ADDRESS, ADDRESS, JAVA_INT, ADDRESS, ADDRESS, ADDRESS, JAVA_INT, ADDRESS, ADDRESS);
    enqueueWriteBuffer = bind(lib, "clEnqueueWriteBuffer", JAVA_INT, ADDRESS, ADDRESS, JAVA_INT, JAVA_LONG, JAVA_LONG, ADDRESS, JAVA_INT, ADDRESS, ADDRESS);
    enqueueReadBuffer = bind(lib, "clEnqueueReadBuffer", JAVA_INT, ADDRESS, ADDRESS, JAVA_INT, JAVA_LONG, JAVA_LONG, ADDRESS, JAVA_INT, ADDRESS, ADDRESS);
    enqueueCopyBuffer = bind(lib, "clEnqueueCopyBuffer", JAVA_INT, ADDRESS, ADDRESS, ADDRESS, JAVA_LONG, JAVA_LONG, JAVA_LONG, JAVA_INT, ADDRESS, ADDRESS);
    flush = bind(lib, "clFlush", JAVA_INT, ADDRESS);
    finish = bind(lib, "clFinish", JAVA_INT, ADDRESS);
    waitForEvents = bind(lib, "clWaitForEvents", JAVA_INT, JAVA_INT, ADDRESS);
    getEventInfo = bind(lib, "clGetEventInfo", JAVA_INT, ADDRESS, JAVA_INT, JAVA_LONG, ADDRESS, ADDRESS);
    getEventProfilingInfo = bind(lib, "clGetEventProfilingInfo", JAVA_INT, ADDRESS, JAVA_INT, JAVA_LONG, ADDRESS, ADDRESS);
    setEventCallback = bind(lib, "clSetEventCallback", JAVA_INT, ADDRESS, JAVA_INT, ADDRESS, ADDRESS);
    releaseEvent = bind(lib, "clReleaseEvent", JAVA_INT, ADDRESS);
    releaseKernel = bind(lib, "clReleaseKernel", JAVA_INT, ADDRESS);
    releaseProgram = bind(lib, "clReleaseProgram", JAVA_INT, ADDRESS);
    releaseMemObject = bind(lib, "clReleaseMemObject", JAVA_INT, ADDRESS);
    releaseCommandQueue = bind(lib, "clReleaseCommandQueue", JAVA_INT, ADDRESS);
    releaseContext = bind(lib, "clReleaseContext", JAVA_INT, ADDRESS);
    try {
      MethodHandle target = MethodHandles.lookup().findVirtual(FfmClApi.class, "onEventComplete",
          MethodType.methodType(void.class, MemorySegment.class, int.class, MemorySegment.class)).bindTo(this);
      // One stub for the process: it lives as long as the API does (the whole run), so a callback
      // the driver fires late never calls freed code.
      callbackStub = LINKER.upcallStub(target, FunctionDescriptor.ofVoid(ADDRESS, JAVA_INT, ADDRESS),
          Arena.global());
    } catch (ReflectiveOperationException e) {
      throw new AssertionError(e);
    }
  }

  /** Loads the ICD loader; throws IllegalArgumentException when the library is not installed. */
  static FfmClApi bind() {
    return new FfmClApi(SymbolLookup.libraryLookup("libOpenCL.so.1", Arena.global()));
  }

  private static MethodHandle bind(SymbolLookup lib, String name, java.lang.foreign.MemoryLayout result,
      java.lang.foreign.MemoryLayout... args) {
    MemorySegment symbol = lib.find(name).orElseThrow(() ->
        new UnsatisfiedLinkError("libOpenCL.so.1 has no " + name + " (an OpenCL 1.2 loader is needed)"));
    return LINKER.downcallHandle(symbol, FunctionDescriptor.of(result, args));
  }

  // --- Error handling: every call site passes its name. ---

  private static void check(String function, int code) {
    if (code != 0) {
      throw OpenClException.call(function, code);
    }
  }

  private static long handle(String function, MemorySegment result, MemorySegment err) {
    int code = err.get(JAVA_INT, 0);
    if (code != 0 || result.address() == 0) {
      throw OpenClException.call(function, code != 0 ? code : -1);
    }
    return result.address();
  }

  private static MemorySegment ptr(long handle) {
    return MemorySegment.ofAddress(handle);
  }

  private static RuntimeException rethrow(Throwable t) {
    if (t instanceof RuntimeException r) {
      return r;
    }
    if (t instanceof Error e) {
      throw e;
    }
    return new IllegalStateException(t);
  }

  // --- Platforms and devices. ---

  @Override
  public long[] platformIds() {
    try (Arena a = Arena.ofConfined()) {
      MemorySegment count = a.allocate(JAVA_INT);
      int code = (int) getPlatformIds.invokeExact(0, MemorySegment.NULL, count);
      if (code == PLATFORM_NOT_FOUND_KHR) {
        return new long[0];
      }
      check("clGetPlatformIDs", code);
      int n = count.get(JAVA_INT, 0);
      if (n == 0) {
        return new long[0];
      }
      MemorySegment ids = a.allocate(ADDRESS, n);
      check("clGetPlatformIDs", (int) getPlatformIds.invokeExact(n, ids, MemorySegment.NULL));
      return addresses(ids, n);
    } catch (Throwable t) {
      throw rethrow(t);
    }
  }

  @Override
  public String platformInfo(long platform, int param) {
    try (Arena a = Arena.ofConfined()) {
      MemorySegment size = a.allocate(JAVA_LONG);
      check("clGetPlatformInfo", (int) getPlatformInfo.invokeExact(ptr(platform), param, 0L, MemorySegment.NULL, size));
      MemorySegment value = a.allocate(Math.max(1, size.get(JAVA_LONG, 0)));
      check("clGetPlatformInfo", (int) getPlatformInfo.invokeExact(ptr(platform), param, value.byteSize(), value, MemorySegment.NULL));
      return value.getString(0).trim();
    } catch (Throwable t) {
      throw rethrow(t);
    }
  }

  @Override
  public long[] deviceIds(long platform, long type) {
    try (Arena a = Arena.ofConfined()) {
      MemorySegment count = a.allocate(JAVA_INT);
      int code = (int) getDeviceIds.invokeExact(ptr(platform), type, 0, MemorySegment.NULL, count);
      if (code == -1) {
        return new long[0];
      }
      check("clGetDeviceIDs", code);
      int n = count.get(JAVA_INT, 0);
      MemorySegment ids = a.allocate(ADDRESS, Math.max(1, n));
      check("clGetDeviceIDs", (int) getDeviceIds.invokeExact(ptr(platform), type, n, ids, MemorySegment.NULL));
      return addresses(ids, n);
    } catch (Throwable t) {
      throw rethrow(t);
    }
  }

  @Override
  public String deviceInfoString(long device, int param) {
    try (Arena a = Arena.ofConfined()) {
      MemorySegment size = a.allocate(JAVA_LONG);
      check("clGetDeviceInfo", (int) getDeviceInfo.invokeExact(ptr(device), param, 0L, MemorySegment.NULL, size));
      MemorySegment value = a.allocate(Math.max(1, size.get(JAVA_LONG, 0)));
      check("clGetDeviceInfo", (int) getDeviceInfo.invokeExact(ptr(device), param, value.byteSize(), value, MemorySegment.NULL));
      return value.getString(0).trim();
    } catch (Throwable t) {
      throw rethrow(t);
    }
  }

  @Override
  public long deviceInfoLong(long device, int param) {
    try (Arena a = Arena.ofConfined()) {
      MemorySegment value = a.allocate(JAVA_LONG);
      MemorySegment size = a.allocate(JAVA_LONG);
      check("clGetDeviceInfo", (int) getDeviceInfo.invokeExact(ptr(device), param, 8L, value, size));
      // A cl_uint property fills 4 bytes of the zeroed 8: little-endian, so the value is right.
      return value.get(JAVA_LONG, 0);
    } catch (Throwable t) {
      throw rethrow(t);
    }
  }

  // --- Context, queue, buffers. ---

  @Override
  public long createContext(long platform, long device) {
    try (Arena a = Arena.ofConfined()) {
      MemorySegment props = a.allocate(JAVA_LONG, 3);
      props.setAtIndex(JAVA_LONG, 0, 0x1084); // CL_CONTEXT_PLATFORM
      props.setAtIndex(JAVA_LONG, 1, platform);
      props.setAtIndex(JAVA_LONG, 2, 0);
      MemorySegment devices = a.allocate(ADDRESS);
      devices.set(ADDRESS, 0, ptr(device));
      MemorySegment err = a.allocate(JAVA_INT);
      MemorySegment ctx = (MemorySegment) createContext.invokeExact(props, 1, devices,
          MemorySegment.NULL, MemorySegment.NULL, err);
      return handle("clCreateContext", ctx, err);
    } catch (Throwable t) {
      throw rethrow(t);
    }
  }

  @Override
  public long createCommandQueue(long context, long device, long properties) {
    try (Arena a = Arena.ofConfined()) {
      MemorySegment err = a.allocate(JAVA_INT);
      MemorySegment q = (MemorySegment) createCommandQueue.invokeExact(ptr(context), ptr(device), properties, err);
      return handle("clCreateCommandQueue", q, err);
    } catch (Throwable t) {
      throw rethrow(t);
    }
  }

  @Override
  public long createBuffer(long context, long flags, long bytes) {
    try (Arena a = Arena.ofConfined()) {
      MemorySegment err = a.allocate(JAVA_INT);
      MemorySegment mem = (MemorySegment) createBuffer.invokeExact(ptr(context), flags, bytes,
          MemorySegment.NULL, err);
      return handle("clCreateBuffer(" + bytes + " bytes)", mem, err);
    } catch (Throwable t) {
      throw rethrow(t);
    }
  }

  // --- Programs and kernels. ---

  @Override
  public long createProgramWithSource(long context, String source) {
    try (Arena a = Arena.ofConfined()) {
      byte[] bytes = source.getBytes(StandardCharsets.UTF_8);
      MemorySegment text = a.allocate(bytes.length);
      MemorySegment.copy(bytes, 0, text, JAVA_BYTE, 0, bytes.length);
      MemorySegment strings = a.allocate(ADDRESS);
      strings.set(ADDRESS, 0, text);
      MemorySegment lengths = a.allocate(JAVA_LONG);
      lengths.set(JAVA_LONG, 0, bytes.length);
      MemorySegment err = a.allocate(JAVA_INT);
      MemorySegment p = (MemorySegment) createProgramWithSource.invokeExact(ptr(context), 1, strings, lengths, err);
      return handle("clCreateProgramWithSource", p, err);
    } catch (Throwable t) {
      throw rethrow(t);
    }
  }

  @Override
  public long createProgramWithBinary(long context, long device, byte[] binary) {
    try (Arena a = Arena.ofConfined()) {
      MemorySegment data = a.allocate(binary.length);
      MemorySegment.copy(binary, 0, data, JAVA_BYTE, 0, binary.length);
      MemorySegment devices = a.allocate(ADDRESS);
      devices.set(ADDRESS, 0, ptr(device));
      MemorySegment lengths = a.allocate(JAVA_LONG);
      lengths.set(JAVA_LONG, 0, binary.length);
      MemorySegment binaries = a.allocate(ADDRESS);
      binaries.set(ADDRESS, 0, data);
      MemorySegment status = a.allocate(JAVA_INT);
      MemorySegment err = a.allocate(JAVA_INT);
      MemorySegment p = (MemorySegment) createProgramWithBinary.invokeExact(ptr(context), 1, devices,
          lengths, binaries, status, err);
      if (err.get(JAVA_INT, 0) != 0 || status.get(JAVA_INT, 0) != 0 || p.address() == 0) {
        if (p.address() != 0) {
          releaseProgram(p.address());
        }
        return 0;
      }
      return p.address();
    } catch (Throwable t) {
      throw rethrow(t);
    }
  }

  @Override
  public int buildProgram(long program, long device, String options) {
    try (Arena a = Arena.ofConfined()) {
      MemorySegment devices = a.allocate(ADDRESS);
      devices.set(ADDRESS, 0, ptr(device));
      return (int) buildProgram.invokeExact(ptr(program), 1, devices, a.allocateFrom(options),
          MemorySegment.NULL, MemorySegment.NULL);
    } catch (Throwable t) {
      throw rethrow(t);
    }
  }

  @Override
  public String programBuildLog(long program, long device) {
    try (Arena a = Arena.ofConfined()) {
      MemorySegment size = a.allocate(JAVA_LONG);
      check("clGetProgramBuildInfo", (int) getProgramBuildInfo.invokeExact(ptr(program), ptr(device),
          PROGRAM_BUILD_LOG, 0L, MemorySegment.NULL, size));
      MemorySegment log = a.allocate(Math.max(1, size.get(JAVA_LONG, 0)));
      check("clGetProgramBuildInfo", (int) getProgramBuildInfo.invokeExact(ptr(program), ptr(device),
          PROGRAM_BUILD_LOG, log.byteSize(), log, MemorySegment.NULL));
      return log.getString(0).strip();
    } catch (Throwable t) {
      throw rethrow(t);
    }
  }

  @Override
  public byte[] programBinary(long program) {
    try (Arena a = Arena.ofConfined()) {
      MemorySegment sizes = a.allocate(JAVA_LONG);
      int code = (int) getProgramInfo.invokeExact(ptr(program), PROGRAM_BINARY_SIZES, 8L, sizes, MemorySegment.NULL);
      long size = sizes.get(JAVA_LONG, 0);
      if (code != 0 || size <= 0 || size > Integer.MAX_VALUE - 8) {
        return null;
      }
      MemorySegment data = a.allocate(size);
      MemorySegment pointers = a.allocate(ADDRESS);
      pointers.set(ADDRESS, 0, data);
      code = (int) getProgramInfo.invokeExact(ptr(program), PROGRAM_BINARIES, ADDRESS.byteSize(), pointers, MemorySegment.NULL);
      return code == 0 ? data.toArray(JAVA_BYTE) : null;
    } catch (Throwable t) {
      throw rethrow(t);
    }
  }

  @Override
  public long createKernel(long program, String name) {
    try (Arena a = Arena.ofConfined()) {
      MemorySegment err = a.allocate(JAVA_INT);
      MemorySegment k = (MemorySegment) createKernel.invokeExact(ptr(program), a.allocateFrom(name), err);
      return handle("clCreateKernel(" + name + ")", k, err);
    } catch (Throwable t) {
      throw rethrow(t);
    }
  }

  @Override
  public void setKernelArgMem(long kernel, int index, long mem) {
    try (Arena a = Arena.ofConfined()) {
      MemorySegment value = a.allocate(ADDRESS);
      value.set(ADDRESS, 0, ptr(mem));
      check("clSetKernelArg", (int) setKernelArg.invokeExact(ptr(kernel), index, ADDRESS.byteSize(), value));
    } catch (Throwable t) {
      throw rethrow(t);
    }
  }

  @Override
  public void setKernelArgInt(long kernel, int index, int v) {
    try (Arena a = Arena.ofConfined()) {
      MemorySegment value = a.allocateFrom(JAVA_INT, v);
      check("clSetKernelArg", (int) setKernelArg.invokeExact(ptr(kernel), index, 4L, value));
    } catch (Throwable t) {
      throw rethrow(t);
    }
  }

  // --- Commands. ---

  @Override
  public long enqueueKernel(long queue, long kernel, long[] global, long[] local, boolean wantEvent) {
    try (Arena a = Arena.ofConfined()) {
      MemorySegment globalSize = a.allocateFrom(JAVA_LONG, global);
      MemorySegment localSize = local == null ? MemorySegment.NULL : a.allocateFrom(JAVA_LONG, local);
      MemorySegment event = wantEvent ? a.allocate(ADDRESS) : MemorySegment.NULL;
      check("clEnqueueNDRangeKernel", (int) enqueueNDRangeKernel.invokeExact(ptr(queue), ptr(kernel),
          global.length, MemorySegment.NULL, globalSize, localSize, 0, MemorySegment.NULL, event));
      return wantEvent ? event.get(ADDRESS, 0).address() : 0;
    } catch (Throwable t) {
      throw rethrow(t);
    }
  }

  @Override
  public long enqueueWrite(long queue, long buffer, long offset, long bytes, HostMemory src,
      long srcOffset, boolean wantEvent) {
    MemorySegment host = ((NativeHostMemory) src).segment.asSlice(srcOffset, bytes);
    try (Arena a = Arena.ofConfined()) {
      MemorySegment event = wantEvent ? a.allocate(ADDRESS) : MemorySegment.NULL;
      check("clEnqueueWriteBuffer", (int) enqueueWriteBuffer.invokeExact(ptr(queue), ptr(buffer), 0,
          offset, bytes, host, 0, MemorySegment.NULL, event));
      return wantEvent ? event.get(ADDRESS, 0).address() : 0;
    } catch (Throwable t) {
      throw rethrow(t);
    }
  }

  @Override
  public long enqueueRead(long queue, long buffer, long offset, long bytes, HostMemory dst,
      long dstOffset, boolean wantEvent) {
    MemorySegment host = ((NativeHostMemory) dst).segment.asSlice(dstOffset, bytes);
    try (Arena a = Arena.ofConfined()) {
      MemorySegment event = wantEvent ? a.allocate(ADDRESS) : MemorySegment.NULL;
      check("clEnqueueReadBuffer", (int) enqueueReadBuffer.invokeExact(ptr(queue), ptr(buffer), 0,
          offset, bytes, host, 0, MemorySegment.NULL, event));
      return wantEvent ? event.get(ADDRESS, 0).address() : 0;
    } catch (Throwable t) {
      throw rethrow(t);
    }
  }

  @Override
  public long enqueueCopy(long queue, long src, long dst, long srcOffset, long dstOffset, long bytes,
      boolean wantEvent) {
    try (Arena a = Arena.ofConfined()) {
      MemorySegment event = wantEvent ? a.allocate(ADDRESS) : MemorySegment.NULL;
      check("clEnqueueCopyBuffer", (int) enqueueCopyBuffer.invokeExact(ptr(queue), ptr(src), ptr(dst),
          srcOffset, dstOffset, bytes, 0, MemorySegment.NULL, event));
      return wantEvent ? event.get(ADDRESS, 0).address() : 0;
    } catch (Throwable t) {
      throw rethrow(t);
    }
  }

  @Override
  public void flush(long queue) {
    try {
      check("clFlush", (int) flush.invokeExact(ptr(queue)));
    } catch (Throwable t) {
      throw rethrow(t);
    }
  }

  @Override
  public void finish(long queue) {
    try {
      check("clFinish", (int) finish.invokeExact(ptr(queue)));
    } catch (Throwable t) {
      throw rethrow(t);
    }
  }

  @Override
  public int waitForEvent(long event) {
    try (Arena a = Arena.ofConfined()) {
      MemorySegment list = a.allocate(ADDRESS);
      list.set(ADDRESS, 0, ptr(event));
      int code = (int) waitForEvents.invokeExact(1, list);
      // A failed command makes the wait return CL_EXEC_STATUS_ERROR_FOR_EVENTS_IN_WAIT_LIST; the
      // event's own status says what went wrong.
      if (code != 0 && code != -14) {
        throw OpenClException.call("clWaitForEvents", code);
      }
      MemorySegment status = a.allocate(JAVA_INT);
      check("clGetEventInfo", (int) getEventInfo.invokeExact(ptr(event), EVENT_COMMAND_EXECUTION_STATUS,
          4L, status, MemorySegment.NULL));
      return status.get(JAVA_INT, 0);
    } catch (Throwable t) {
      throw rethrow(t);
    }
  }

  @Override
  public long eventProfilingInfo(long event, int param) {
    try (Arena a = Arena.ofConfined()) {
      MemorySegment value = a.allocate(JAVA_LONG);
      check("clGetEventProfilingInfo", (int) getEventProfilingInfo.invokeExact(ptr(event), param, 8L,
          value, MemorySegment.NULL));
      return value.get(JAVA_LONG, 0);
    } catch (Throwable t) {
      throw rethrow(t);
    }
  }

  @Override
  public void setCompletionCallback(long event, IntConsumer onComplete) {
    long id = nextCallbackId.getAndIncrement();
    callbacks.put(id, onComplete);
    try {
      int code = (int) setEventCallback.invokeExact(ptr(event), COMPLETE, callbackStub, ptr(id));
      if (code != 0) {
        callbacks.remove(id);
        throw OpenClException.call("clSetEventCallback", code);
      }
    } catch (Throwable t) {
      callbacks.remove(id);
      throw rethrow(t);
    }
  }

  /** The C callback: runs on a driver thread; an exception escaping here would kill the JVM. */
  @SuppressWarnings("unused")
  private void onEventComplete(MemorySegment event, int status, MemorySegment userData) {
    IntConsumer callback = callbacks.remove(userData.address());
    if (callback == null) {
      return;
    }
    try {
      callback.accept(status);
    } catch (Throwable t) {
      // The callbacks Kiln registers catch everything themselves; this is the last line of defence.
      t.printStackTrace();
    }
  }

  // --- Releases: failures here are bugs (double release), reported like any other call. ---

  @Override
  public void releaseEvent(long event) {
    release(releaseEvent, "clReleaseEvent", event);
  }

  @Override
  public void releaseKernel(long kernel) {
    release(releaseKernel, "clReleaseKernel", kernel);
  }

  @Override
  public void releaseProgram(long program) {
    release(releaseProgram, "clReleaseProgram", program);
  }

  @Override
  public void releaseMemObject(long mem) {
    release(releaseMemObject, "clReleaseMemObject", mem);
  }

  @Override
  public void releaseCommandQueue(long queue) {
    release(releaseCommandQueue, "clReleaseCommandQueue", queue);
  }

  @Override
  public void releaseContext(long context) {
    release(releaseContext, "clReleaseContext", context);
  }

  private static void release(MethodHandle h, String name, long handle) {
    if (handle == 0) {
      return;
    }
    try {
      check(name, (int) h.invokeExact(ptr(handle)));
    } catch (Throwable t) {
      throw rethrow(t);
    }
  }

  private static long[] addresses(MemorySegment ids, int n) {
    long[] out = new long[n];
    for (int i = 0; i < n; i++) {
      out[i] = ids.getAtIndex(ADDRESS, i).address();
    }
    return out;
  }

  // --- Host memory. ---

  @Override
  public HostMemory allocateHost(long bytes) {
    Arena arena = Arena.ofShared();
    return new NativeHostMemory(arena, arena.allocate(Math.max(bytes, 1), PAGE));
  }

  private static final class NativeHostMemory implements HostMemory {
    private final Arena arena;
    final MemorySegment segment;

    NativeHostMemory(Arena arena, MemorySegment segment) {
      this.arena = arena;
      this.segment = segment;
    }

    @Override
    public long bytes() {
      return segment.byteSize();
    }

    @Override
    public void putFloats(long byteOffset, float[] src, int srcIndex, int count) {
      MemorySegment.copy(src, srcIndex, segment, JAVA_FLOAT, byteOffset, count);
    }

    @Override
    public void getFloats(long byteOffset, float[] dst, int dstIndex, int count) {
      MemorySegment.copy(segment, JAVA_FLOAT, byteOffset, dst, dstIndex, count);
    }

    @Override
    public void close() {
      arena.close();
    }
  }
}
