package dev.kiln.runtime.kernels.simd;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kiln.runtime.kernels.KernelInfo;
import java.util.function.IntSupplier;
import org.junit.jupiter.api.Test;

class VectorizationTest {
  private static final IntSupplier AVX512 = () -> 512;
  private static final IntSupplier NO_PROBE = () -> {
    throw new AssertionError("the probe must not run");
  };

  @Test
  void usesTheVectorApiWhenTheModuleIsThere() {
    Vectorization v = Vectorization.decide(null, 25, true, "mixed mode", "amd64", AVX512);
    assertTrue(v.vectorized());
    assertEquals(512, v.vectorBits());
    assertEquals(16, v.vectorFloats());
    assertEquals(32, v.registers());
  }

  @Test
  void sizesRegistersFromTheVectorWidth() {
    // -XX:UseAVX=2 on an AVX-512 machine: 256-bit preferred species, 16 ymm registers.
    assertEquals(16, Vectorization.decide(null, 21, true, "", "amd64", () -> 256).registers());
    assertEquals(32, Vectorization.decide(null, 21, true, "", "aarch64", () -> 128).registers());
    assertEquals(16, Vectorization.decide(null, 21, true, "", "amd64", () -> 128).registers());
    assertEquals(512, Vectorization.decide(null, 21, true, "", "aarch64", () -> 2048).vectorBits());
  }

  @Test
  void propertyFalseForcesScalar() {
    Vectorization v = Vectorization.decide("false", 25, true, "", "amd64", NO_PROBE);
    assertFalse(v.vectorized());
    assertEquals("disabled by -Dkiln.vector=false; using the plain-Java kernels", v.reason());
    assertTrue(Vectorization.decide("true", 25, true, "", "amd64", AVX512).vectorized());
  }

  @Test
  void missingModuleSaysHowToEnableIt() {
    Vectorization v = Vectorization.decide(null, 25, false, "", "amd64", NO_PROBE);
    assertFalse(v.vectorized());
    assertEquals("the jdk.incubator.vector module is not enabled; using the plain-Java kernels"
        + " (several times slower); start java with --add-modules jdk.incubator.vector for the"
        + " Vector API kernels", v.reason());
  }

  @Test
  void oldJavaAndNoJitAndTinyVectorsFallBack() {
    assertFalse(Vectorization.decide(null, 17, true, "", "amd64", NO_PROBE).vectorized());
    assertFalse(Vectorization.decide(null, 25, true, "interpreted mode", "amd64", NO_PROBE).vectorized());
    assertFalse(Vectorization.decide(null, 25, true, "", "amd64", () -> 64).vectorized());
    Vectorization broken = Vectorization.decide(null, 25, true, "", "amd64", () -> {
      throw new IllegalStateException("classes missing");
    });
    assertFalse(broken.vectorized());
    assertTrue(broken.reason().contains("classes missing"), broken.reason());
  }

  /**
   * The build runs the kernel tests twice and says which path each run must be on: a fallback that
   * silently engaged in the Vector API run would leave the fast kernels untested.
   */
  @Test
  void thisJvmRunsTheExpectedPath() {
    String expected = System.getProperty("kiln.test.expectVector");
    boolean vectorRun = !"false".equals(expected);
    assertEquals(vectorRun, KernelInfo.vectorized(), KernelInfo.description());
    assertEquals(vectorRun, KernelInfo.description().startsWith("Vector API, "), KernelInfo.description());
  }
}
