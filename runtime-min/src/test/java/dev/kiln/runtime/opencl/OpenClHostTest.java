package dev.kiln.runtime.opencl;

import static dev.kiln.runtime.opencl.OpenClTestSupport.VADD;
import static dev.kiln.runtime.opencl.OpenClTestSupport.assumeOpenCl;
import static dev.kiln.runtime.opencl.OpenClTestSupport.ramp;
import static dev.kiln.runtime.opencl.OpenClTestSupport.vaddPlan;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kiln.runtime.TensorInfo;
import dev.kiln.runtime.Weights;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The host side on a real OpenCL device (PoCL on CI): buffers, runs, events, errors, the cache. */
class OpenClHostTest {
  private static OpenClContext context;

  @BeforeAll
  static void open() {
    assumeOpenCl();
    context = OpenClContext.create(OpenClContext.Options.DEFAULTS.withProfiling(true));
  }

  @AfterAll
  static void close() {
    if (context != null) {
      context.close();
    }
  }

  private static float[] expectedSum(float[] x, float[] w) {
    float[] y = new float[x.length];
    for (int i = 0; i < y.length; i++) {
      y[i] = x[i] + w[i];
    }
    return y;
  }

  @Test
  void vectorAddRunsSynchronouslyAndAsynchronously() throws Exception {
    float[] w = ramp(1000, 0.5f);
    float[] x = ramp(1000, -2f);
    try (OpenClModel model = OpenClModel.load(context, vaddPlan(VADD, w), VADD, w)) {
      assertArrayEquals(expectedSum(x, w), model.run(x));
      assertArrayEquals(expectedSum(x, w), model.runAsync(x).get());
      assertArrayEquals(expectedSum(x, w), model.run(Map.of("x", x)).get("y"));
      assertEquals(2L * 1000 * Float.BYTES + 1000L * Float.BYTES, model.deviceBytes());
    }
  }

  @Test
  void manyRunsInFlightEachGetTheirOwnOutputs() throws Exception {
    // More async runs than staging buffers, from several threads at once: each future must see
    // exactly its own input's result, so no run may read another's staging or arena.
    float[] w = ramp(4099, 1f);
    try (OpenClModel model = OpenClModel.load(context, vaddPlan(VADD, w), VADD, w)) {
      ExecutorService pool = Executors.newFixedThreadPool(4);
      try {
        List<Future<CompletableFuture<float[]>>> submitted = new ArrayList<>();
        for (int r = 0; r < 24; r++) {
          float[] x = ramp(4099, r);
          submitted.add(pool.submit(() -> model.runAsync(x)));
        }
        for (int r = 0; r < 24; r++) {
          assertArrayEquals(expectedSum(ramp(4099, r), w), submitted.get(r).get().get(), "run " + r);
        }
      } finally {
        pool.shutdown();
      }
    }
  }

  @Test
  void profiledRunTimesEachKernelWithinTheWallTime() {
    float[] w = ramp(1 << 16, 1f);
    try (OpenClModel model = OpenClModel.load(context, vaddPlan(VADD, w), VADD, w)) {
      RunProfile p = model.runProfiled(ramp(1 << 16, 2f));
      assertEquals(1, p.kernels().size());
      assertEquals("add", p.kernels().get(0).layer());
      assertTrue(p.kernelNanos() > 0, "kernel time " + p.kernelNanos());
      assertTrue(p.kernelNanos() <= p.wallNanos(), p.kernelNanos() + " ns of kernels in " + p.wallNanos() + " ns");
      assertEquals(3f * 7, p.outputs().get("y")[7]);
    }
  }

  @Test
  void profilingNeedsAProfilingContext() {
    float[] w = ramp(64, 1f);
    try (OpenClContext plain = OpenClContext.create();
         OpenClModel model = OpenClModel.load(plain, vaddPlan(VADD, w), VADD, w)) {
      assertEquals("vadd: profiling needs an OpenClContext created with Options.withProfiling(true)",
          assertThrows(IllegalStateException.class, () -> model.runProfiled(w)).getMessage());
    }
  }

  @Test
  void buildErrorCarriesTheBuildLog() {
    String broken = VADD.replace("arena[i] + weights[i]", "arena[i] + undeclared_thing");
    float[] w = ramp(64, 1f);
    OpenClException e = assertThrows(OpenClException.class,
        () -> OpenClModel.load(context, vaddPlan(broken, w), broken, w));
    assertEquals(-11, e.errorCode());
    assertNotNull(e.buildLog());
    assertTrue(e.buildLog().contains("undeclared_thing"), e.buildLog());
    assertTrue(e.getMessage().startsWith("vadd: the OpenCL program did not build on "), e.getMessage());
    assertTrue(e.getMessage().contains("CL_BUILD_PROGRAM_FAILURE (-11)\n"), e.getMessage());
    assertTrue(e.getMessage().endsWith(e.buildLog()), e.getMessage());
  }

  @Test
  void unknownKernelNamesTheLayer() {
    float[] w = ramp(64, 1f);
    String renamed = VADD.replace("void vadd(", "void other(");
    OpenClException e = assertThrows(OpenClException.class,
        () -> OpenClModel.load(context, vaddPlan(renamed, w), renamed, w));
    assertEquals("vadd: layer 'add': clCreateKernel(vadd) failed: CL_INVALID_KERNEL_NAME (-46)", e.getMessage());
  }

  @Test
  void refusesSourceAndWeightsFromAnotherBuild() {
    float[] w = ramp(64, 1f);
    OpenClPlan plan = vaddPlan(VADD, w);
    assertEquals("vadd: the OpenCL source does not belong to this plan (its SHA-256 differs from the plan's"
            + " sourceSha256): load both from one compile",
        assertThrows(IllegalArgumentException.class, () -> OpenClModel.load(context, plan, VADD + " ", w)).getMessage());
    float[] other = ramp(64, 2f);
    assertEquals("vadd: the weights' CRC-32 differs from the plan's: they belong to another model or build",
        assertThrows(IllegalArgumentException.class, () -> OpenClModel.load(context, plan, VADD, other)).getMessage());
  }

  @Test
  void checksInputs() {
    float[] w = ramp(64, 1f);
    try (OpenClModel model = OpenClModel.load(context, vaddPlan(VADD, w), VADD, w)) {
      assertEquals("input 'x' of vadd needs 64 floats, got 3",
          assertThrows(IllegalArgumentException.class, () -> model.run(new float[3])).getMessage());
      assertEquals("vadd has no input named 'q' (inputs: [x])",
          assertThrows(IllegalArgumentException.class, () -> model.run(Map.of("q", w))).getMessage());
    }
  }

  @Test
  void closedModelRefusesRuns() {
    float[] w = ramp(64, 1f);
    OpenClModel model = OpenClModel.load(context, vaddPlan(VADD, w), VADD, w);
    model.close();
    model.close();
    assertEquals("vadd is closed", assertThrows(IllegalStateException.class, () -> model.run(w)).getMessage());
  }

  @Test
  void secondLoadComesFromTheBinaryCache(@TempDir Path cacheDir) throws Exception {
    float[] w = ramp(64, 1f);
    String source = VADD + "// cache test\n";
    try (OpenClContext cached = OpenClContext.create(OpenClContext.Options.DEFAULTS.withCacheDir(cacheDir))) {
      try (OpenClModel first = OpenClModel.load(cached, vaddPlan(source, w), source, w)) {
        assertFalse(first.builtFromCache());
      }
      try (var files = Files.list(cacheDir)) {
        assertEquals(1, files.filter(f -> f.toString().endsWith(".bin")).count());
      }
      try (OpenClModel second = OpenClModel.load(cached, vaddPlan(source, w), source, w)) {
        assertTrue(second.builtFromCache());
        assertArrayEquals(expectedSum(w, w), second.run(w));
      }
    }
  }

  @Test
  void corruptCacheEntryFallsBackToTheSource(@TempDir Path cacheDir) throws Exception {
    float[] w = ramp(64, 1f);
    String source = VADD + "// corrupt cache test\n";
    try (OpenClContext cached = OpenClContext.create(OpenClContext.Options.DEFAULTS.withCacheDir(cacheDir))) {
      OpenClModel.load(cached, vaddPlan(source, w), source, w).close();
      try (var files = Files.list(cacheDir)) {
        for (Path f : files.toList()) {
          Files.write(f, new byte[] {1, 2, 3});
        }
      }
      try (OpenClModel model = OpenClModel.load(cached, vaddPlan(source, w), source, w)) {
        assertFalse(model.builtFromCache());
        assertArrayEquals(expectedSum(w, w), model.run(w));
      }
    }
  }

  @Test
  void pipelineHandsOffOnTheDevice() {
    float[] w1 = ramp(256, 1f);
    float[] w2 = ramp(256, 10f);
    try (OpenClModel a = OpenClModel.load(context, vaddPlan(VADD, w1), VADD, w1);
         OpenClModel b = OpenClModel.load(context, vaddPlan(VADD, w2), VADD, w2);
         OpenClPipeline ab = OpenClPipeline.of(a, b)) {
      float[] x = ramp(256, 3f);
      assertArrayEquals(expectedSum(expectedSum(x, w1), w2), ab.run(x));
      assertArrayEquals(b.run(a.run(x)), ab.run(x));
    }
  }

  @Test
  void pipelineChecksItsStages() {
    float[] w = ramp(64, 1f);
    float[] longer = ramp(128, 1f);
    try (OpenClContext other = OpenClContext.create();
         OpenClModel a = OpenClModel.load(context, vaddPlan(VADD, w), VADD, w);
         OpenClModel b = OpenClModel.load(context, vaddPlan(VADD, longer), VADD, longer);
         OpenClModel elsewhere = OpenClModel.load(other, vaddPlan(VADD, w), VADD, w)) {
      assertEquals("vadd's output y[64] cannot feed vadd's input x[128]: they differ in size",
          assertThrows(IllegalArgumentException.class, () -> OpenClPipeline.of(a, b)).getMessage());
      assertEquals("vadd -> vadd: every stage must be loaded on the same OpenClContext (device-side"
              + " hand-off needs one context and queue)",
          assertThrows(IllegalArgumentException.class, () -> OpenClPipeline.of(a, elsewhere)).getMessage());
    }
  }

  @Test
  void closingTheContextClosesItsModels() {
    float[] w = ramp(64, 1f);
    OpenClContext ctx = OpenClContext.create();
    OpenClModel model = OpenClModel.load(ctx, vaddPlan(VADD, w), VADD, w);
    ctx.close();
    assertEquals("vadd is closed", assertThrows(IllegalStateException.class, () -> model.run(w)).getMessage());
    assertEquals("OpenCL context is closed",
        assertThrows(IllegalStateException.class, () -> OpenClModel.load(ctx, vaddPlan(VADD, w), VADD, w)).getMessage());
  }

  @Test
  void devicesAreListedAndSelectable() {
    List<OpenClContext.DeviceInfo> devices = OpenClContext.devices();
    assertFalse(devices.isEmpty());
    try (OpenClContext byIndex = OpenClContext.create(OpenClContext.Options.DEFAULTS.withDevice("0"))) {
      assertEquals(devices.get(0), byIndex.device());
    }
    OpenClException e = assertThrows(OpenClException.class,
        () -> OpenClContext.create(OpenClContext.Options.DEFAULTS.withDevice("no such device")));
    assertEquals("no OpenCL device matches 'no such device'; devices: " + devices, e.getMessage());
  }

  @Test
  void twoInputsAndTwoOutputs() {
    // x at 0, y at 8; out1 = x + y at 16; out2 = x + w at 24 (two launches of two kernels).
    String source = """
        __kernel void add2(__global float* arena, __global const float* weights, const int a, const int b, const int o) {
          const int i = get_global_id(0);
          arena[o + i] = arena[a + i] + arena[b + i];
        }
        __kernel void addw(__global float* arena, __global const float* weights, const int a, const int o) {
          const int i = get_global_id(0);
          arena[o + i] = arena[a + i] + weights[i];
        }
        """;
    float[] w = ramp(8, 100f);
    OpenClPlan plan = new OpenClPlan("two", ProgramCache.sha256(source), "-cl-std=CL1.2", 32 * Float.BYTES, 8,
        Weights.crc32(w), List.of(new TensorInfo("x", new int[] {8}, 0), new TensorInfo("y", new int[] {2, 4}, 8)),
        List.of(new TensorInfo("sum", new int[] {8}, 16), new TensorInfo("biased", new int[] {8}, 24)),
        List.of(new OpenClPlan.Launch("s", "Add", "add2", new long[] {8}, null, new int[] {0, 8, 16}),
            new OpenClPlan.Launch("b", "Add", "addw", new long[] {8}, null, new int[] {0, 24})));
    try (OpenClModel model = OpenClModel.load(context, plan, source, w)) {
      float[] x = ramp(8, 1f);
      float[] y = ramp(8, -3f);
      Map<String, float[]> out = model.run(Map.of("x", x, "y", y));
      assertEquals(List.of("sum", "biased"), new ArrayList<>(out.keySet()));
      assertArrayEquals(expectedSum(x, y), out.get("sum"));
      assertArrayEquals(expectedSum(x, w), out.get("biased"));
      assertEquals("two has 2 inputs and 2 outputs: use run(Map)",
          assertThrows(IllegalStateException.class, () -> model.run(x)).getMessage());
      assertEquals("no data for input 'y' of two",
          assertThrows(IllegalArgumentException.class, () -> model.run(Map.of("x", x))).getMessage());
      assertEquals(List.of("x", "y"), model.inputs().stream().map(TensorInfo::name).toList());
    }
  }
}
