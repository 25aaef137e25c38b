package dev.kiln.runtime.opencl;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.nio.file.Path;
import java.util.jar.JarFile;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;
import org.junit.jupiter.api.Test;

/**
 * The jar's two layers of {@code ClNative}: on Java 22+ the JVM picks the FFM one; the base one,
 * which Java 17 to 21 get, says that OpenCL needs Java 22. The tests run on the packaged jar, so the
 * base layer is read straight from it and loaded in isolation.
 */
class MultiReleaseTest {
  @Test
  void java22LayerIsTheOneInUse() throws Exception {
    // The FFM layer answers with the platform state (null here when a platform exists), never with
    // the base layer's Java version message.
    String reason = ClNative.unavailableReason();
    assertTrue(reason == null || !reason.startsWith("OpenCL needs Java 22"), String.valueOf(reason));
    assertEquals("FfmClApi", Class.forName("dev.kiln.runtime.opencl.FfmClApi").getSimpleName());
  }

  @Test
  void baseLayerExplainsThatOpenClNeedsJava22() throws Exception {
    Path jar = Path.of(OpenClContext.class.getProtectionDomain().getCodeSource().getLocation().toURI());
    try (JarFile base = new JarFile(jar.toFile(), true, ZipFile.OPEN_READ, JarFile.baseVersion())) {
      ClassLoader loader = new BaseLayerLoader(base);
      Class<?> nativeClass = loader.loadClass("dev.kiln.runtime.opencl.ClNative");
      Method reason = nativeClass.getDeclaredMethod("unavailableReason");
      reason.setAccessible(true);
      assertEquals("OpenCL needs Java 22 or newer (Kiln calls libOpenCL through the FFM API); this is Java "
          + Runtime.version().feature(), reason.invoke(null));
      Class<?> contextClass = loader.loadClass("dev.kiln.runtime.opencl.OpenClContext");
      InvocationTargetException e = org.junit.jupiter.api.Assertions.assertThrows(
          InvocationTargetException.class, () -> contextClass.getMethod("create").invoke(null));
      assertEquals("dev.kiln.runtime.opencl.OpenClException", e.getCause().getClass().getName());
      assertTrue(e.getCause().getMessage().startsWith("OpenCL needs Java 22 or newer"), e.getCause().getMessage());
    }
  }

  /** Defines the jar's base-layer classes of the OpenCL package itself; everything else from the parent. */
  private static final class BaseLayerLoader extends ClassLoader {
    private final JarFile jar;

    BaseLayerLoader(JarFile jar) {
      super(MultiReleaseTest.class.getClassLoader());
      this.jar = jar;
    }

    @Override
    protected Class<?> loadClass(String name, boolean resolve) throws ClassNotFoundException {
      if (!name.startsWith("dev.kiln.runtime.opencl.")) {
        return super.loadClass(name, resolve);
      }
      synchronized (getClassLoadingLock(name)) {
        Class<?> c = findLoadedClass(name);
        if (c == null) {
          ZipEntry entry = jar.getEntry(name.replace('.', '/') + ".class");
          if (entry == null) {
            throw new ClassNotFoundException(name);
          }
          try (InputStream in = jar.getInputStream(entry)) {
            byte[] bytes = in.readAllBytes();
            c = defineClass(name, bytes, 0, bytes.length);
          } catch (IOException e) {
            throw new ClassNotFoundException(name, e);
          }
        }
        return c;
      }
    }
  }
}
