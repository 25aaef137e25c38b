package dev.kiln.runtime.kernels;

import java.lang.System.Logger.Level;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;

/**
 * Loads the Vector API implementation of a kernel's hot loops from the java21 layer of the
 * multi-release jar, or returns the scalar twin when the Vector API cannot be used. Each hot-loop
 * interface calls this once from a holder class, so the check runs on first use and never again.
 * (A stand-in for the runtime's shared Vector API façade, with which it is to be merged.)
 *
 * <p>The Vector API is used only when {@code jdk.incubator.vector} is in the boot layer (the JVM ran
 * with {@code --add-modules jdk.incubator.vector}) and {@code -Dkiln.vector=false} was not given; the
 * java21 classes reference that module and would fail to link without it.
 */
public final class VectorSupport {
  private VectorSupport() {}

  /** Whether the Vector API may be used at all in this JVM. */
  public static boolean vectorApiEnabled() {
    return !"false".equals(System.getProperty("kiln.vector"))
        && ModuleLayer.boot().findModule("jdk.incubator.vector").isPresent();
  }

  /**
   * Instantiates {@code vectorClassName} (a class with a no-argument constructor implementing {@code
   * api}, in the package of {@code lookup}, which may keep both package-private) when the Vector
   * API is enabled and the class accepts this machine's vector shape, else returns {@code scalar}.
   */
  public static <T> T load(MethodHandles.Lookup lookup, Class<T> api, String vectorClassName,
      T scalar) {
    if (!vectorApiEnabled()) {
      if (!"false".equals(System.getProperty("kiln.vector"))) {
        System.getLogger(VectorSupport.class.getName()).log(Level.INFO,
            "{0}: scalar kernels; run with --add-modules jdk.incubator.vector for the Vector API ones",
            api.getSimpleName());
      }
      return scalar;
    }
    try {
      Class<?> c = lookup.findClass(vectorClassName);
      return api.cast(lookup.findConstructor(c, MethodType.methodType(void.class)).invoke());
    } catch (Throwable e) {
      // The java21 layer is missing (a jar built without it) or rejected this machine's vector size.
      System.getLogger(VectorSupport.class.getName()).log(Level.INFO,
          "{0}: scalar kernels; the Vector API ones are unavailable: {1}", api.getSimpleName(), e);
      return scalar;
    }
  }
}
