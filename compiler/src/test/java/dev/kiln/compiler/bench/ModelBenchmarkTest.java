package dev.kiln.compiler.bench;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kiln.runtime.KilnModel;
import dev.kiln.runtime.TensorInfo;
import dev.kiln.runtime.parallel.ThreadTeam;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.LongSupplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The benchmark protocol on a model whose time is a fake clock: each of its three layers takes
 * exactly 1, 2 and 3 ms, and its very first run takes 10 s longer (a deliberately slow first run).
 * If any warm-up run leaked into the statistics or the profile, the numbers would show those 10 s;
 * the fake clock makes every expected figure exact, so nothing here depends on the machine.
 */
class ModelBenchmarkTest {
  static final long MS = 1_000_000;
  static final long FIRST_RUN_DELAY = 10_000 * MS;
  static final long[] LAYER_NANOS = {1 * MS, 2 * MS, 3 * MS};

  /** Nanoseconds that pass only when the model (or a fake ONNX Runtime) says so. */
  static final class FakeClock implements LongSupplier {
    private long now = 1_000_000_000L;

    void advance(long nanos) {
      now += nanos;
    }

    @Override
    public long getAsLong() {
      return now;
    }
  }

  /** Which kind of run the slow first run hits: whichever of them comes first. */
  enum SlowFirst { PLAIN, PROFILED }

  /** y = 2x over 4 floats in three "layers" of 1, 2 and 3 ms; events log each run's kind. */
  static final class SlowFirstRun extends KilnModel {
    private final FakeClock clock;
    private final SlowFirst slowFirst;
    private final List<String> events;
    private boolean delayed;

    SlowFirstRun(FakeClock clock, SlowFirst slowFirst, List<String> events) {
      super("slow-first-run", FORMAT, new TensorInfo[] {new TensorInfo("x", new int[] {4}, 0)},
          new TensorInfo[] {new TensorInfo("y", new int[] {4}, 4)}, 8, 1, new float[0]);
      this.clock = clock;
      this.slowFirst = slowFirst;
      this.events = events;
    }

    @Override
    protected void execute(float[] arena, float[] weights, ThreadTeam team) {
      events.add("kiln");
      delayFirst(SlowFirst.PLAIN);
      for (long nanos : LAYER_NANOS) {
        clock.advance(nanos);
      }
      compute(arena);
    }

    @Override
    protected void executeProfiled(float[] arena, float[] weights, ThreadTeam team,
        long[] layerNanos) {
      events.add("profiled");
      delayFirst(SlowFirst.PROFILED);
      for (int l = 0; l < LAYER_NANOS.length; l++) {
        clock.advance(LAYER_NANOS[l]);
        layerNanos[l] += LAYER_NANOS[l];
      }
      compute(arena);
    }

    private void delayFirst(SlowFirst kind) {
      if (!delayed && slowFirst == kind) {
        delayed = true;
        events.add("delay");
        clock.advance(FIRST_RUN_DELAY);
      }
    }

    private static void compute(float[] arena) {
      for (int i = 0; i < 4; i++) {
        arena[4 + i] = 2 * arena[i];
      }
    }

    @Override
    public int layerCount() {
      return LAYER_NANOS.length;
    }
  }

  /** ONNX Runtime stand-in: 5 ms per run on the fake clock. */
  static final class FakeOrt implements OrtRunner {
    private final FakeClock clock;
    private final List<String> events;

    FakeOrt(FakeClock clock, List<String> events) {
      this.clock = clock;
      this.events = events;
    }

    @Override
    public void run() {
      events.add("ort");
      clock.advance(5 * MS);
    }

    @Override
    public Map<String, float[]> outputs() {
      return Map.of("y", new float[] {2, 4, 6, 8});
    }

    @Override
    public String version() {
      return "fake";
    }

    @Override
    public void close() {}
  }

  @ParameterizedTest
  @EnumSource(SlowFirst.class)
  void aSlowFirstRunLeaksNeitherIntoTheStatisticsNorIntoTheProfile(SlowFirst slowFirst) {
    FakeClock clock = new FakeClock();
    List<String> events = new ArrayList<>();
    SlowFirstRun model = new SlowFirstRun(clock, slowFirst, events);
    ModelBenchmark.Measurement m = ModelBenchmark.measure(model, Map.of("x", new float[] {1, 2, 3, 4}),
        1, null, new ModelBenchmark.Protocol(5, 0, 7, true), clock);

    assertTrue(events.contains("delay"), "the first run must have been slow");
    RunStats kiln = m.kiln();
    assertEquals(7, kiln.runs());
    assertEquals(6.0, kiln.meanMs(), 1e-12);
    assertEquals(6.0, kiln.maxMs(), 1e-12);
    assertEquals(6.0, kiln.minMs(), 1e-12);
    assertEquals(6.0, m.opSumMs(), 1e-12);
    assertEquals(6.0, RunStats.ofNanos(m.profiledNanos()).maxMs(), 1e-12);
    assertArrayEquals(new double[] {1, 2, 3}, new double[] {m.layerMs(0), m.layerMs(1), m.layerMs(2)},
        1e-12);
    assertArrayEquals(new long[] {7 * MS, 14 * MS, 21 * MS}, m.layerNanos(),
        "only the 7 timed profiled runs add to the profile");
    assertArrayEquals(new float[] {2, 4, 6, 8}, m.kilnOutputs().get("y"));
    // The delay fell into the warm-up of its kind, which then ran at least the 5 runs asked for.
    int delay = events.indexOf("delay");
    int firstTimed = events.size() - 2 * 7;
    assertTrue(delay < firstTimed, "delay at event " + delay + ", timed runs from " + firstTimed);
    assertTrue(m.warmups().kiln() >= 5 && m.warmups().profiled() >= 5, m.warmups().toString());
  }

  @Test
  void timedRunsAlternateKilnProfiledAndOnnxRuntimeAfterEveryWarmUp() {
    FakeClock clock = new FakeClock();
    List<String> events = new ArrayList<>();
    SlowFirstRun model = new SlowFirstRun(clock, SlowFirst.PLAIN, events);
    ModelBenchmark.Measurement m = ModelBenchmark.measure(model, Map.of("x", new float[] {1, 2, 3, 4}),
        1, new FakeOrt(clock, events), new ModelBenchmark.Protocol(3, 0, 4, true), clock);

    events.remove("delay");
    int warmups = m.warmups().kiln() + m.warmups().profiled() + m.warmups().ort();
    assertEquals(warmups + 3 * 4, events.size());
    List<String> warmupKinds = events.subList(0, warmups);
    assertEquals(m.warmups().kiln(), warmupKinds.stream().filter("kiln"::equals).count());
    assertEquals(m.warmups().ort(), warmupKinds.stream().filter("ort"::equals).count());
    List<String> timed = events.subList(warmups, events.size());
    for (int r = 0; r < 4; r++) {
      assertEquals(List.of("kiln", "profiled", "ort"), timed.subList(3 * r, 3 * r + 3), "round " + r);
    }
    assertEquals(5.0, RunStats.ofNanos(m.ortNanos()).meanMs(), 1e-12);
    assertEquals(6.0, m.kiln().maxMs(), 1e-12);
  }

  @Test
  void withoutProfilingNoProfiledRunHappens() {
    FakeClock clock = new FakeClock();
    List<String> events = new ArrayList<>();
    ModelBenchmark.Measurement m = ModelBenchmark.measure(
        new SlowFirstRun(clock, SlowFirst.PROFILED, events), Map.of("x", new float[4]), 1, null,
        new ModelBenchmark.Protocol(2, 0, 3, false), clock);
    assertFalse(events.contains("profiled"));
    assertTrue(Double.isNaN(m.opSumMs()));
    assertEquals(0, m.profiledNanos().length);
    assertEquals(0, m.warmups().profiled());
  }

  @Test
  void runStatsUseNearestRankP90AndTheMiddlePairsMean() {
    RunStats s = RunStats.ofNanos(new double[] {4 * MS, 1 * MS, 3 * MS, 2 * MS, 10 * MS, 5 * MS,
        6 * MS, 7 * MS, 8 * MS, 9 * MS});
    assertEquals(5.5, s.medianMs(), 1e-12);
    assertEquals(5.5, s.meanMs(), 1e-12);
    assertEquals(9.0, s.p90Ms(), 1e-12);
    assertEquals(1.0, s.minMs(), 1e-12);
    assertEquals(10.0, s.maxMs(), 1e-12);
    assertEquals(3.0, RunStats.ofNanos(new double[] {3 * MS}).p90Ms(), 1e-12);
  }

  @Test
  void profileInvariantBounds() {
    assertTrue(new BenchReport.Profile(10.2, 10.3, 10, true).holds());
    assertFalse(new BenchReport.Profile(10.21, 10.3, 10, true).holds());
    assertTrue(new BenchReport.Profile(9.0, 9.2, 10, true).holds());
    assertFalse(new BenchReport.Profile(8.99, 9.2, 10, true).holds());
    // On an OpenCL device kernels leave out transfers: only the upper bound applies.
    assertTrue(new BenchReport.Profile(2.0, 10.1, 10, false).holds());
    assertFalse(new BenchReport.Profile(10.3, 10.4, 10, false).holds());
    assertEquals("0.90 × avgMs ≤ opSumMs ≤ 1.02 × avgMs",
        new BenchReport.Profile(1, 1, 1, true).invariant());
  }
}
