package dev.kiln.runtime.kernels.simd;

import java.lang.invoke.MethodHandles;

/**
 * A loop of independent fused multiply-adds, the machine's practical FP32 peak on one core for the
 * active kernel path: what benchmarks report kernel speed against. Twelve accumulator chains cover
 * the FMA latency (4 cycles) times the number of FMA pipes (2) with room to spare.
 */
public abstract class PeakFlops {
  PeakFlops() {}

  private static final class Holder {
    static final PeakFlops INSTANCE = Vectorization.load(MethodHandles.lookup(), PeakFlops.class,
        "dev.kiln.runtime.kernels.simd.VectorPeakFlops", ScalarPeakFlops::new);
  }

  public static PeakFlops get() {
    return Holder.INSTANCE;
  }

  /** Floating-point operations (an FMA counts 2) in one iteration of {@link #run}. */
  public abstract long flopsPerIteration();

  /** Runs {@code iterations} iterations; the result only keeps the JIT from removing the loop. */
  public abstract float run(long iterations);

  /** What the loop runs on, e.g. "512-bit vector FMA". */
  public abstract String description();

  /** The scalar twin: 12 chains of {@code Math.fma}. */
  static final class ScalarPeakFlops extends PeakFlops {
    @Override
    public long flopsPerIteration() {
      return 24;
    }

    @Override
    public float run(long iterations) {
      float a0 = 1f, a1 = 1f, a2 = 1f, a3 = 1f, a4 = 1f, a5 = 1f;
      float a6 = 1f, a7 = 1f, a8 = 1f, a9 = 1f, a10 = 1f, a11 = 1f;
      float x = 0.999999f;
      float y = 1e-7f;
      for (long i = 0; i < iterations; i++) {
        a0 = Math.fma(a0, x, y);
        a1 = Math.fma(a1, x, y);
        a2 = Math.fma(a2, x, y);
        a3 = Math.fma(a3, x, y);
        a4 = Math.fma(a4, x, y);
        a5 = Math.fma(a5, x, y);
        a6 = Math.fma(a6, x, y);
        a7 = Math.fma(a7, x, y);
        a8 = Math.fma(a8, x, y);
        a9 = Math.fma(a9, x, y);
        a10 = Math.fma(a10, x, y);
        a11 = Math.fma(a11, x, y);
      }
      return a0 + a1 + a2 + a3 + a4 + a5 + a6 + a7 + a8 + a9 + a10 + a11;
    }

    @Override
    public String description() {
      return "scalar FMA";
    }
  }
}
