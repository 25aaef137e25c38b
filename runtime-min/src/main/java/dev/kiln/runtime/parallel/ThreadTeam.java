package dev.kiln.runtime.parallel;

import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;

/**
 * A fixed team of worker threads owned by one model session: the calling thread is worker 0, and
 * {@code threads − 1} persistent daemon threads are workers 1 .. threads−1. Handing a layer to an
 * executor costs tens of microseconds (task objects, queues, wake-ups); here a dispatch is a few
 * field writes and one volatile increment that workers, still spinning from the previous layer, see
 * within a microsecond or so. A worker that has been idle for {@link #SPIN_NANOS} parks, and is
 * unparked by the next dispatch.
 *
 * <p><b>Determinism.</b> {@link #run} splits {@code tasks} statically: worker w of n runs tasks
 * {@code [w·tasks/n, (w+1)·tasks/n)}. Kernels compute each output inside one task and never split a
 * reduction across tasks, so which thread computed an output cannot change its value: results are
 * bit-identical for every thread count.
 *
 * <p><b>Small layers.</b> A layer below {@link #MIN_WORK_PER_THREAD} FLOPs per extra thread runs on
 * the caller alone: waking a worker would cost more than it saves.
 *
 * <p>One thread at a time may call {@link #run} (a session runs one inference at a time); tasks must
 * not call {@link #run} themselves. {@link #close} stops the workers.
 */
public final class ThreadTeam implements AutoCloseable {
  /** A body run for a contiguous range of tasks by one worker. Must not allocate in hot paths. */
  @FunctionalInterface
  public interface Task {
    /** Runs tasks {@code [taskFrom, taskTo)} as worker {@code worker} (selects its workspace slice). */
    void run(int taskFrom, int taskTo, int worker);
  }

  /**
   * FLOPs one extra thread must get before it is worth waking: a dispatch and join measured about
   * 1–3 µs on the development machine with spinning workers, and 200 kFLOP take about 2 µs at
   * 100 GFLOP/s, so smaller shares would cost more than they save.
   */
  public static final long MIN_WORK_PER_THREAD = 200_000;
  /** How long an idle worker spins before it parks: longer than the gap between two layers. */
  public static final long SPIN_NANOS = 200_000;

  private final int threads;
  private final Worker[] workers;
  private final AtomicInteger pending = new AtomicInteger();

  private volatile boolean closed;
  private volatile Thread waitingCaller;
  private volatile Throwable failure;
  private volatile boolean dispatching;

  /** A team of {@code threads} workers (the caller plus {@code threads − 1} new daemon threads). */
  public ThreadTeam(int threads) {
    if (threads < 1) {
      throw new IllegalArgumentException("threads must be at least 1, got " + threads);
    }
    this.threads = threads;
    this.workers = new Worker[threads];
    for (int w = 1; w < threads; w++) {
      workers[w] = new Worker(w);
      workers[w].thread.start();
    }
  }

  /** A team with one worker per available processor. */
  public static ThreadTeam withAvailableProcessors() {
    return new ThreadTeam(Runtime.getRuntime().availableProcessors());
  }

  public int threads() {
    return threads;
  }

  /**
   * How many workers a layer of {@code tasks} tasks and {@code flops} total work should use: no more
   * than there are tasks, and only as many as get {@link #MIN_WORK_PER_THREAD} each (at least one).
   */
  public int workersFor(int tasks, long flops) {
    long byWork = Math.max(1, flops / MIN_WORK_PER_THREAD);
    return (int) Math.max(1, Math.min(Math.min(threads, tasks), byWork));
  }

  /** Runs {@code tasks} tasks on as many workers as {@link #workersFor} allows, and waits for them. */
  public void run(int tasks, long flops, Task body) {
    runOn(workersFor(tasks, flops), tasks, body);
  }

  /** Runs {@code tasks} tasks split statically over all {@link #threads()} workers (or fewer tasks). */
  public void run(int tasks, Task body) {
    runOn(Math.min(threads, tasks), tasks, body);
  }

  /** First task of worker {@code w}'s share when {@code tasks} are split over {@code n} workers. */
  public static int shareStart(int tasks, int n, int w) {
    return (int) ((long) tasks * w / n);
  }

  private void runOn(int n, int tasks, Task body) {
    if (tasks <= 0) {
      return;
    }
    if (closed) {
      throw new IllegalStateException("the thread team is closed");
    }
    if (n <= 1) {
      body.run(0, tasks, 0);
      return;
    }
    if (dispatching) {
      throw new IllegalStateException("ThreadTeam.run called while a run is in progress"
          + " (from a task, or from two threads at once)");
    }
    dispatching = true;
    try {
      failure = null;
      pending.set(n - 1);
      for (int w = 1; w < n; w++) {
        workers[w].hand(body, shareStart(tasks, n, w), shareStart(tasks, n, w + 1));
      }
      try {
        body.run(0, shareStart(tasks, n, 1), 0);
      } finally {
        awaitWorkers();
      }
      Throwable t = failure;
      if (t != null) {
        failure = null;
        if (t instanceof RuntimeException) {
          throw (RuntimeException) t;
        }
        if (t instanceof Error) {
          throw (Error) t;
        }
        throw new IllegalStateException("a worker failed", t);
      }
    } finally {
      dispatching = false;
    }
  }

  private void awaitWorkers() {
    long spinUntil = 0;
    int spins = 0;
    while (pending.get() != 0) {
      if (++spins < 64) {
        Thread.onSpinWait();
        continue;
      }
      spins = 0;
      long now = System.nanoTime();
      if (spinUntil == 0) {
        spinUntil = now + SPIN_NANOS;
      } else if (now > spinUntil) {
        waitingCaller = Thread.currentThread();
        if (pending.get() != 0) {
          LockSupport.parkNanos(this, 1_000_000);
        }
        waitingCaller = null;
      }
    }
  }

  /** Stops the workers (they finish the current run first) and waits for them to exit. */
  @Override
  public void close() {
    if (closed) {
      return;
    }
    closed = true;
    for (int w = 1; w < threads; w++) {
      workers[w].ticket++;
      LockSupport.unpark(workers[w].thread);
    }
    boolean interrupted = false;
    for (int w = 1; w < threads; w++) {
      while (true) {
        try {
          workers[w].thread.join();
          break;
        } catch (InterruptedException e) {
          interrupted = true;
        }
      }
    }
    if (interrupted) {
      Thread.currentThread().interrupt();
    }
  }

  /**
   * One background worker with its own mailbox: the dispatcher fills {@code task/from/to} only while
   * the worker is idle, then publishes them with the volatile {@code ticket} increment; the worker
   * reads them after seeing the new ticket, so it never sees a half-written assignment.
   */
  private final class Worker implements Runnable {
    final Thread thread;
    private Task task;
    private int from;
    private int to;
    private final int index;
    volatile int ticket;
    volatile boolean parked;

    Worker(int index) {
      this.index = index;
      this.thread = new Thread(this, "kiln-worker-" + index);
      this.thread.setDaemon(true);
    }

    void hand(Task body, int taskFrom, int taskTo) {
      task = body;
      from = taskFrom;
      to = taskTo;
      ticket++;
      if (parked) {
        LockSupport.unpark(thread);
      }
    }

    @Override
    public void run() {
      int seen = 0;
      while (true) {
        seen = awaitTicket(seen);
        if (closed) {
          return;
        }
        Task body = task;
        task = null;
        try {
          body.run(from, to, index);
        } catch (Throwable t) {
          failure = t;
        }
        if (pending.decrementAndGet() == 0) {
          Thread caller = waitingCaller;
          if (caller != null) {
            LockSupport.unpark(caller);
          }
        }
      }
    }

    /** Spins, then parks, until the ticket moves past {@code seen}; returns the new one. */
    private int awaitTicket(int seen) {
      long spinUntil = 0;
      int spins = 0;
      while (true) {
        int t = ticket;
        if (t != seen) {
          return t;
        }
        if (++spins < 64) {
          Thread.onSpinWait();
          continue;
        }
        spins = 0;
        long now = System.nanoTime();
        if (spinUntil == 0) {
          spinUntil = now + SPIN_NANOS;
        } else if (now > spinUntil) {
          // Publish "parked" before re-reading the ticket: a dispatcher that bumps the ticket after
          // this re-read then sees parked == true and unparks (Dekker over two volatiles).
          parked = true;
          if (ticket == seen) {
            LockSupport.park(this);
          }
          parked = false;
        }
      }
    }
  }
}
