package dev.kiln.runtime.kernels.simd;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.util.Locale;
import java.util.function.IntSupplier;
import java.util.function.Supplier;

/**
 * Decides once per JVM whether the kernels run on the Vector API (the classes in this jar's
 * {@code META-INF/versions/21} layer) or on the plain-Java fallback, and with which register shape.
 * Internal to the runtime: users see {@link dev.kiln.runtime.kernels.KernelInfo}.
 *
 * <p>Lucene's {@code VectorizationProvider} is the model: the fast path is used only when the module
 * {@code jdk.incubator.vector} is in the boot layer (the JVM was started with {@code --add-modules
 * jdk.incubator.vector}) and {@code -Dkiln.vector} is not {@code false}; otherwise the scalar kernels
 * run and one log line says how to enable the fast ones. The decision sits in a holder class so it is
 * made, and logged, on first use and never again.
 *
 * <p>Each kernel family keeps its own abstract base class with a scalar implementation in the base
 * layer and a vector implementation in {@code src/main/java21} in the same package, and obtains its
 * singleton through {@link #load}.
 */
public final class Vectorization {
  /** {@code -Dkiln.vector=false} forces the scalar kernels (tests use it to cover the fallback). */
  public static final String PROPERTY = "kiln.vector";
  static final String MODULE = "jdk.incubator.vector";
  /** The java21 class that reports the vector size; absent on Java 17, where the versioned layer is ignored. */
  static final String PROBE_CLASS = "dev.kiln.runtime.kernels.simd.VectorProbe";
  /** Wider vectors are capped here: the packed panel formats hold two 512-bit vectors per row. */
  public static final int MAX_VECTOR_BITS = 512;

  private final boolean vectorized;
  private final int vectorBits;
  private final int registers;
  private final String reason;

  private Vectorization(boolean vectorized, int vectorBits, int registers, String reason) {
    this.vectorized = vectorized;
    this.vectorBits = vectorBits;
    this.registers = registers;
    this.reason = reason;
  }

  private static final class Holder {
    static final Vectorization INSTANCE = detect();
  }

  /** The decision for this JVM, made (and logged if scalar) on the first call. */
  public static Vectorization get() {
    return Holder.INSTANCE;
  }

  /** Whether the Vector API kernels are in use. */
  public boolean vectorized() {
    return vectorized;
  }

  /** Width of one float vector in bits (at most {@link #MAX_VECTOR_BITS}); 0 on the scalar path. */
  public int vectorBits() {
    return vectorBits;
  }

  /** Floats per vector; 1 on the scalar path. */
  public int vectorFloats() {
    return vectorized ? vectorBits / Float.SIZE : 1;
  }

  /**
   * Vector registers the JIT can allocate: 32 with AVX-512 (EVEX encodings reach zmm0-31) and on
   * AArch64, 16 with AVX2 or SSE (also on an AVX-512 machine run with {@code -XX:UseAVX=2}, where the
   * preferred species shrinks to 256 bits). Register blocking is sized from it.
   */
  public int registers() {
    return registers;
  }

  /** Why the scalar path is used; empty when vectorized. */
  public String reason() {
    return reason;
  }

  /**
   * The vector implementation {@code className} of {@code type} when vectorized, else the fallback.
   * The class lives in the java21 layer, in the package of {@code lookup} (the caller's {@code
   * MethodHandles.lookup()}, which lets it stay package-private), with a no-argument constructor.
   * A vector class that fails to load falls back too: a broken fast path must not break inference.
   */
  public static <T> T load(MethodHandles.Lookup lookup, Class<T> type, String className,
      Supplier<? extends T> fallback) {
    if (get().vectorized()) {
      try {
        Class<?> c = lookup.findClass(className);
        Object instance = lookup.findConstructor(c, MethodType.methodType(void.class)).invoke();
        return type.cast(instance);
      } catch (Throwable e) {
        if (e instanceof VirtualMachineError) {
          throw (VirtualMachineError) e;
        }
        System.getLogger(Vectorization.class.getName()).log(System.Logger.Level.WARNING,
            "Kiln: cannot load " + className + " (" + e + "); using the scalar kernels for it");
      }
    }
    return fallback.get();
  }

  private static Vectorization detect() {
    Vectorization v = decide(System.getProperty(PROPERTY), Runtime.version().feature(),
        ModuleLayer.boot().findModule(MODULE).isPresent(), System.getProperty("java.vm.info", ""),
        System.getProperty("os.arch", ""), Vectorization::probeVectorBits);
    if (!v.vectorized) {
      System.Logger.Level level = v.reason.startsWith("disabled") ? System.Logger.Level.INFO
          : System.Logger.Level.WARNING;
      System.getLogger(Vectorization.class.getName()).log(level, "Kiln kernels: " + v.reason);
    }
    return v;
  }

  /** Reads the preferred vector size from the java21 layer; throws when that layer is missing. */
  private static int probeVectorBits() {
    try {
      Class<?> c = Class.forName(PROBE_CLASS, true, Vectorization.class.getClassLoader());
      return ((IntSupplier) c.getDeclaredConstructor().newInstance()).getAsInt();
    } catch (ReflectiveOperationException e) {
      throw new IllegalStateException("the Vector API classes of kiln-runtime-min are missing ("
          + e + "): is the jar's Multi-Release manifest entry intact?", e);
    }
  }

  /**
   * The decision as a pure function of its inputs, so tests can cover every branch.
   *
   * @param property the value of {@code -Dkiln.vector}, or null
   * @param javaFeature the running Java's feature release (17, 21, 25, ...)
   * @param modulePresent whether {@code jdk.incubator.vector} is in the boot layer
   * @param vmInfo {@code java.vm.info} ("interpreted mode" means no JIT: vectors would be boxed)
   * @param arch {@code os.arch}
   * @param probe the preferred vector size in bits, consulted only when everything else allows it
   */
  static Vectorization decide(String property, int javaFeature, boolean modulePresent,
      String vmInfo, String arch, IntSupplier probe) {
    String enable = "; start java with --add-modules " + MODULE + " for the Vector API kernels";
    if (property != null && property.trim().toLowerCase(Locale.ROOT).equals("false")) {
      return scalar("disabled by -D" + PROPERTY + "=false; using the plain-Java kernels");
    }
    if (javaFeature < 21) {
      return scalar("Java " + javaFeature + " has no usable Vector API for Kiln (needs Java 21+);"
          + " using the plain-Java kernels");
    }
    if (!modulePresent) {
      return scalar("the " + MODULE + " module is not enabled; using the plain-Java kernels (several"
          + " times slower)" + enable);
    }
    if (vmInfo.contains("interpreted mode")) {
      return scalar("the JVM runs without a JIT (" + vmInfo + "); using the plain-Java kernels");
    }
    int bits;
    try {
      bits = probe.getAsInt();
    } catch (RuntimeException | LinkageError e) {
      return scalar("cannot use the Vector API: " + e.getMessage() + "; using the plain-Java kernels");
    }
    if (bits < 128) {
      return scalar("the preferred vector size is " + bits + " bits (needs 128 or more); using the"
          + " plain-Java kernels");
    }
    bits = Math.min(bits, MAX_VECTOR_BITS);
    boolean aarch64 = arch.equals("aarch64") || arch.equals("arm64");
    int registers = bits == 512 || aarch64 ? 32 : 16;
    return new Vectorization(true, bits, registers, "");
  }

  private static Vectorization scalar(String reason) {
    return new Vectorization(false, 0, 16, reason);
  }

  @Override
  public String toString() {
    return vectorized ? "Vector API, " + vectorBits + "-bit (" + vectorFloats() + " floats), "
        + registers + " registers" : "plain Java (" + reason + ")";
  }
}
