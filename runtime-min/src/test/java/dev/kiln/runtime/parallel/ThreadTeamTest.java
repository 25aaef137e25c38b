package dev.kiln.runtime.parallel;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class ThreadTeamTest {
  @Test
  void splitsTasksStaticallyAndRunsEachOnce() {
    for (int threads : new int[] {1, 2, 3, 8}) {
      try (ThreadTeam team = new ThreadTeam(threads)) {
        for (int tasks : new int[] {1, 2, 7, 8, 100}) {
          int[] ranBy = new int[tasks];
          int[] count = new int[tasks];
          Arrays.fill(ranBy, -1);
          team.run(tasks, (from, to, worker) -> {
            for (int t = from; t < to; t++) {
              ranBy[t] = worker;
              count[t]++;
            }
          });
          int n = Math.min(threads, tasks);
          int[] expectedWorker = new int[tasks];
          for (int w = 0; w < n; w++) {
            for (int t = ThreadTeam.shareStart(tasks, n, w); t < ThreadTeam.shareStart(tasks, n, w + 1); t++) {
              expectedWorker[t] = w;
            }
          }
          int[] ones = new int[tasks];
          Arrays.fill(ones, 1);
          assertArrayEquals(ones, count, threads + " threads, " + tasks + " tasks: run counts");
          assertArrayEquals(expectedWorker, ranBy, threads + " threads, " + tasks + " tasks: owners");
        }
      }
    }
  }

  @Test
  void keepsSmallWorkOnTheCaller() {
    try (ThreadTeam team = new ThreadTeam(4)) {
      assertEquals(1, team.workersFor(100, ThreadTeam.MIN_WORK_PER_THREAD));
      assertEquals(2, team.workersFor(100, 2 * ThreadTeam.MIN_WORK_PER_THREAD));
      assertEquals(4, team.workersFor(100, 1_000 * ThreadTeam.MIN_WORK_PER_THREAD));
      assertEquals(3, team.workersFor(3, 1_000 * ThreadTeam.MIN_WORK_PER_THREAD));
      Thread caller = Thread.currentThread();
      AtomicInteger elsewhere = new AtomicInteger();
      team.run(100, 1000, (from, to, worker) -> {
        if (Thread.currentThread() != caller) {
          elsewhere.incrementAndGet();
        }
      });
      assertEquals(0, elsewhere.get());
    }
  }

  @Test
  void wakesParkedWorkers() throws InterruptedException {
    try (ThreadTeam team = new ThreadTeam(2)) {
      AtomicInteger done = new AtomicInteger();
      team.run(2, (from, to, worker) -> done.addAndGet(to - from));
      // Long enough for the worker to stop spinning and park.
      Thread.sleep(ThreadTeam.SPIN_NANOS / 1_000_000 + 50);
      team.run(2, (from, to, worker) -> done.addAndGet(to - from));
      assertEquals(4, done.get());
    }
  }

  @Test
  void rethrowsAWorkersFailureInTheCaller() {
    try (ThreadTeam team = new ThreadTeam(3)) {
      IllegalStateException boom = new IllegalStateException("boom");
      IllegalStateException e = assertThrows(IllegalStateException.class,
          () -> team.run(3, (from, to, worker) -> {
            if (worker == 2) {
              throw boom;
            }
          }));
      assertSame(boom, e);
      // The team survives a failed run.
      AtomicInteger ran = new AtomicInteger();
      team.run(3, (from, to, worker) -> ran.addAndGet(to - from));
      assertEquals(3, ran.get());
    }
  }

  @Test
  void refusesNestedRuns() {
    try (ThreadTeam team = new ThreadTeam(2)) {
      IllegalStateException e = assertThrows(IllegalStateException.class,
          () -> team.run(2, (from, to, worker) -> {
            if (worker == 0) {
              team.run(2, (f, t, w) -> { });
            }
          }));
      assertTrue(e.getMessage().contains("while a run is in progress"), e.getMessage());
    }
  }

  @Test
  void closeStopsTheWorkers() throws InterruptedException {
    ThreadTeam team = new ThreadTeam(3);
    team.run(3, (from, to, worker) -> { });
    Thread[] workers = {team.workerThread(1), team.workerThread(2)};
    for (Thread t : workers) {
      assertTrue(t.isAlive(), t.getName() + " should run before close()");
    }
    team.close();
    for (Thread t : workers) {
      t.join(1000);
      assertFalse(t.isAlive(), t.getName() + " still runs after close()");
    }
    assertThrows(IllegalStateException.class, () -> team.run(2, (f, t, w) -> { }));
    team.close();
  }

  /** A share the worker has not started is run by the caller, with the share's workspace slice. */
  @Test
  void callerRunsSharesOfWorkersThatHaveNotStarted() {
    try (ThreadTeam team = new ThreadTeam(3)) {
      for (int round = 0; round < 200; round++) {
        int[] slices = new int[3];
        java.util.Arrays.fill(slices, -1);
        team.run(3, (from, to, worker) -> slices[from] = worker);
        assertArrayEquals(new int[] {0, 1, 2}, slices, "round " + round);
      }
    }
  }

  @Test
  void rejectsZeroThreads() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new ThreadTeam(0));
    assertEquals("threads must be at least 1, got 0", e.getMessage());
  }
}
