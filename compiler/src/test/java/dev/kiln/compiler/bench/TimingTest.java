package dev.kiln.compiler.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.function.IntToLongFunction;
import org.junit.jupiter.api.Test;

/**
 * The warm-up rule on a fake clock: each call advances it by a scripted time, and a fake JIT counter
 * says when compilations finish, so every count below is exact.
 */
class TimingTest {
  private static final long MS = 1_000_000L;

  /** An operation whose n-th call takes {@code nanos(n)} on the fake clock. */
  private static final class Scripted implements Runnable {
    long now;
    int calls;
    private final IntToLongFunction nanos;

    Scripted(IntToLongFunction nanos) {
      this.nanos = nanos;
    }

    @Override
    public void run() {
      now += nanos.applyAsLong(calls++);
    }
  }

  @Test
  void aSteadyOperationSettlesOnceItHasNotImprovedForHalfTheWarmUp() {
    Scripted op = new Scripted(n -> MS);
    Timing.WarmUp w = Timing.warmUp(op, 5, 10 * MS, 100 * MS, () -> op.now, () -> 0);
    // The first call is the best; settled once elapsed >= 10 ms and more than half has passed since.
    assertEquals(10, w.calls());
    assertEquals(MS, w.bestNanos());
  }

  @Test
  void theWarmUpGoesOnWhileTheJitStillFinishesCompilations() {
    // Flat call times, as boxed Vector API code has while its compilation waits in the queue; the
    // JIT finishes a compilation at every call up to the 40th, and from the 41st on calls are fast.
    Scripted op = new Scripted(n -> n < 40 ? MS : MS / 10);
    Timing.WarmUp w = Timing.warmUp(op, 5, 10 * MS, 1000 * MS, () -> op.now,
        () -> Math.min(op.calls, 40));
    assertEquals(MS / 10, w.bestNanos());
    // Settled when the last compilation (at 40 ms) and the last improvement (at 40.1 ms) lie more
    // than half the elapsed time back: the first call ending after 80.2 ms, 402 calls after the 41st.
    // On call times alone it would have settled after 10 calls, on the slow code.
    assertEquals(41 + 402, w.calls());
  }

  @Test
  void theWarmUpStopsAtItsLimitEvenIfCompilationsNeverStop() {
    Scripted op = new Scripted(n -> MS);
    Timing.WarmUp w = Timing.warmUp(op, 5, 10 * MS, 100 * MS, () -> op.now, () -> op.calls);
    assertEquals(101, w.calls());
  }
}
