package dev.kiln.runtime.opencl;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * One OpenCL device with its context and its one in-order command queue, shared by every
 * {@link OpenClModel} loaded on it: models on one context run one after another on the device, and
 * one model's output can feed another's input without leaving the device ({@link OpenClPipeline}).
 *
 * <pre>
 * try (OpenClContext cl = OpenClContext.create();
 *      OpenClModel model = OpenClModel.fromResources(cl, ResNet18.class, "ResNet18")) {
 *   float[] logits = model.run(image);
 * }
 * </pre>
 *
 * <p>Thread-safe. Closing the context closes the models still open on it.
 */
public final class OpenClContext implements AutoCloseable {
  /**
   * How to open a context.
   *
   * @param device which device: null for the {@code KILN_OPENCL_DEVICE} environment variable or the
   *     {@code kiln.opencl.device} system property, else the first GPU, else the first device; an
   *     index into {@link #devices()}, {@code gpu}, {@code cpu}, or text the "platform / device"
   *     name contains (case-insensitive)
   * @param profiling create the queue with {@code CL_QUEUE_PROFILING_ENABLE}, as
   *     {@link OpenClModel#runProfiled} needs
   * @param cacheDir where built program binaries are kept between runs; null for the default
   *     ({@code kiln.opencl.cache} property, {@code KILN_OPENCL_CACHE}, else {@code ~/.kiln/cl-cache};
   *     the value {@code off} disables the cache)
   */
  public record Options(String device, boolean profiling, Path cacheDir) {
    public static final Options DEFAULTS = new Options(null, false, null);

    public Options withDevice(String value) {
      return new Options(value, profiling, cacheDir);
    }

    public Options withProfiling(boolean value) {
      return new Options(device, value, cacheDir);
    }

    public Options withCacheDir(Path value) {
      return new Options(device, profiling, value);
    }
  }

  /** A device as {@link #devices()} lists it. */
  public record DeviceInfo(int index, String platform, String name, String type, String version) {
    @Override
    public String toString() {
      return index + ": " + platform + " / " + name + " (" + type + ", " + version + ")";
    }
  }

  private static final AtomicInteger THREADS = new AtomicInteger();

  final ClApi api;
  final long device;
  final long context;
  final long queue;
  private final DeviceInfo info;
  private final boolean profiling;
  private final ProgramCache cache;
  private final long globalMemBytes;
  private final long maxAllocBytes;
  private final long maxWorkGroupSize;
  private final String driverVersion;
  /** Completes futures off the driver's callback threads, which must never block. */
  final ExecutorService completions;
  private final Set<OpenClModel> models = ConcurrentHashMap.newKeySet();
  private volatile boolean closed;

  private OpenClContext(ClApi api, long platform, long device, DeviceInfo info, Options options) {
    this.api = api;
    this.device = device;
    this.info = info;
    this.profiling = options.profiling();
    this.globalMemBytes = api.deviceInfoLong(device, ClApi.DEVICE_GLOBAL_MEM_SIZE);
    this.maxAllocBytes = api.deviceInfoLong(device, ClApi.DEVICE_MAX_MEM_ALLOC_SIZE);
    this.maxWorkGroupSize = api.deviceInfoLong(device, ClApi.DEVICE_MAX_WORK_GROUP_SIZE);
    this.driverVersion = api.deviceInfoString(device, ClApi.DRIVER_VERSION);
    this.context = api.createContext(platform, device);
    long q;
    try {
      q = api.createCommandQueue(context, device, profiling ? ClApi.QUEUE_PROFILING_ENABLE : 0);
    } catch (RuntimeException e) {
      api.releaseContext(context);
      throw e;
    }
    this.queue = q;
    this.cache = ProgramCache.open(options.cacheDir());
    this.completions = Executors.newCachedThreadPool(r -> {
      Thread t = new Thread(r, "kiln-opencl-completion-" + THREADS.incrementAndGet());
      t.setDaemon(true);
      return t;
    });
  }

  /** The default device, no profiling. */
  public static OpenClContext create() {
    return create(Options.DEFAULTS);
  }

  public static OpenClContext create(Options options) {
    ClApi api = ClNative.api();
    List<DeviceInfo> all = new ArrayList<>();
    List<long[]> handles = new ArrayList<>();
    enumerate(api, all, handles);
    if (all.isEmpty()) {
      throw new OpenClException("no OpenCL device: the ICD loader found no platform with a device"
          + " (install one, e.g. pocl-opencl-icd for a CPU device)");
    }
    int chosen = choose(all, selector(options.device()));
    long[] h = handles.get(chosen);
    return new OpenClContext(api, h[0], h[1], all.get(chosen), options);
  }

  /**
   * Why no context can be created here (no Java 22, no OpenCL library, no platform or device), or
   * null when {@link #create()} can work. Tests skip with this message.
   */
  public static String unavailableReason() {
    String reason = ClNative.unavailableReason();
    if (reason != null) {
      return reason;
    }
    try {
      if (devices().isEmpty()) {
        return "no OpenCL platform with a device is installed (the ICD loader found none;"
            + " e.g. apt-get install pocl-opencl-icd)";
      }
      return null;
    } catch (OpenClException e) {
      return e.getMessage();
    }
  }

  /** Every device of every platform, numbered as {@link Options#device()} counts them. */
  public static List<DeviceInfo> devices() {
    List<DeviceInfo> all = new ArrayList<>();
    enumerate(ClNative.api(), all, new ArrayList<>());
    return all;
  }

  private static void enumerate(ClApi api, List<DeviceInfo> infos, List<long[]> handles) {
    for (long platform : api.platformIds()) {
      String platformName = api.platformInfo(platform, ClApi.PLATFORM_NAME);
      for (long device : api.deviceIds(platform, ClApi.DEVICE_TYPE_ALL)) {
        long type = api.deviceInfoLong(device, ClApi.DEVICE_TYPE);
        String typeName = (type & ClApi.DEVICE_TYPE_GPU) != 0 ? "GPU"
            : (type & ClApi.DEVICE_TYPE_CPU) != 0 ? "CPU" : "accelerator";
        infos.add(new DeviceInfo(infos.size(), platformName,
            api.deviceInfoString(device, ClApi.DEVICE_NAME), typeName,
            api.deviceInfoString(device, ClApi.DEVICE_VERSION)));
        handles.add(new long[] {platform, device});
      }
    }
  }

  private static String selector(String configured) {
    if (configured != null) {
      return configured;
    }
    String env = System.getenv("KILN_OPENCL_DEVICE");
    return System.getProperty("kiln.opencl.device", env);
  }

  private static int choose(List<DeviceInfo> all, String selector) {
    if (selector == null || selector.isBlank()) {
      for (DeviceInfo d : all) {
        if (d.type().equals("GPU")) {
          return d.index();
        }
      }
      return 0;
    }
    String s = selector.trim().toLowerCase(Locale.ROOT);
    if (s.matches("\\d+")) {
      int i = Integer.parseInt(s);
      if (i < all.size()) {
        return i;
      }
    } else {
      for (DeviceInfo d : all) {
        if (s.equals(d.type().toLowerCase(Locale.ROOT))
            || (d.platform() + " / " + d.name()).toLowerCase(Locale.ROOT).contains(s)) {
          return d.index();
        }
      }
    }
    throw new OpenClException("no OpenCL device matches '" + selector + "'; devices: " + all);
  }

  public DeviceInfo device() {
    return info;
  }

  /** "Portable Computing Language / pthread-skylake-avx512-... (CPU, OpenCL 3.0 PoCL ...)". */
  public String describe() {
    return info.platform() + " / " + info.name() + " (" + info.type() + ", " + info.version()
        + ", driver " + driverVersion + ")";
  }

  public boolean isProfiling() {
    return profiling;
  }

  public long globalMemBytes() {
    return globalMemBytes;
  }

  /** The largest single buffer the device allows ({@code CL_DEVICE_MAX_MEM_ALLOC_SIZE}). */
  public long maxAllocBytes() {
    return maxAllocBytes;
  }

  public long maxWorkGroupSize() {
    return maxWorkGroupSize;
  }

  String driverVersion() {
    return driverVersion;
  }

  ProgramCache cache() {
    return cache;
  }

  void checkOpen() {
    if (closed) {
      throw new IllegalStateException("OpenCL context is closed");
    }
  }

  void register(OpenClModel model) {
    checkOpen();
    models.add(model);
  }

  void unregister(OpenClModel model) {
    models.remove(model);
  }

  /** Waits for everything enqueued on the device to finish. */
  public void finish() {
    checkOpen();
    api.finish(queue);
  }

  /** Closes the models still open here, then the queue and the context; idempotent. */
  @Override
  public synchronized void close() {
    if (closed) {
      return;
    }
    for (OpenClModel m : new ArrayList<>(models)) {
      m.close();
    }
    closed = true;
    try {
      api.finish(queue);
    } finally {
      api.releaseCommandQueue(queue);
      api.releaseContext(context);
      completions.shutdown();
    }
  }

  @Override
  public String toString() {
    return "OpenClContext[" + describe() + (profiling ? ", profiling" : "") + "]";
  }
}
