package dev.kiln.runtime.parallel;

import java.util.concurrent.atomic.AtomicBoolean;
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
 * <p><b>Determinism.</b> {@link #run} splits {@code tasks} statically into shares: share w of n is
 * tasks {@code [w·tasks/n, (w+1)·tasks/n)} and always runs with workspace slice w. Kernels compute
 * each output inside one task and never split a reduction across tasks, so which thread computed an
 * output cannot change its value: results are bit-identical for every thread count.
 *
 * <p><b>Oversubscription.</b> On a busy machine a worker may not get a core for milliseconds; a caller
 * that spun waiting for it would burn the very core the worker needs. So each share is claimed
 * atomically, and the caller, once done with share 0, claims and runs any share no worker has
 * started (with that share's workspace slice), then waits — spinning briefly, then yielding, then
 * parking. Spinning workers likewise yield after a while and park after {@link #SPIN_NANOS}.
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
    /** Runs tasks {@code [taskFrom, taskTo)} with workspace slice {@code worker} (0 .. threads−1). */
    void run(int taskFrom, int taskTo, int worker);
  }

  /**
   * FLOPs one extra thread must get before it is worth waking: a dispatch and join measured about
   * 1–3 µs on the development machine with spinning workers, and 200 kFLOP take about 2 µs at
   * 100 GFLOP/s, so smaller shares would cost more than they save.
   */
  public static final long MIN_WORK_PER_THREAD = 200_000;
  /** How long an idle worker waits for the next layer before it parks: longer than a layer gap. */
  public static final long SPIN_NANOS = 100_000;
  /** Within {@link #SPIN_NANOS}, how long to spin on the core before yielding it between checks. */
  static final long BUSY_SPIN_NANOS = 20_000;

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

  /** The thread behind worker {@code w} (1 .. threads−1), for tests. */
  Thread workerThread(int w) {
    return workers[w].thread;
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

  /** First task of share {@code w} when {@code tasks} are split into {@code n} shares. */
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
        for (int w = 1; w < n; w++) {
          workers[w].runIfUnclaimed();
        }
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
    long start = 0;
    int spins = 0;
    while (pending.get() != 0) {
      if (++spins < 64) {
        Thread.onSpinWait();
        continue;
      }
      spins = 0;
      long now = System.nanoTime();
      if (start == 0) {
        start = now;
      } else if (now - start > SPIN_NANOS) {
        waitingCaller = Thread.currentThread();
        if (pending.get() != 0) {
          LockSupport.parkNanos(this, 1_000_000);
        }
        waitingCaller = null;
      } else if (now - start > BUSY_SPIN_NANOS) {
        Thread.yield();
      }
    }
  }

  private void shareDone() {
    if (pending.decrementAndGet() == 0) {
      Thread caller = waitingCaller;
      if (caller != null) {
        LockSupport.unpark(caller);
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
   * no one runs the previous share, then publishes them with the volatile {@code ticket} increment;
   * the worker reads them after seeing the new ticket. Whoever wins {@code claimed} runs the share.
   */
  private final class Worker implements Runnable {
    final Thread thread;
    private final int index;
    private final AtomicBoolean claimed = new AtomicBoolean(true);
    private Task task;
    private int from;
    private int to;
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
      claimed.set(false);
      ticket++;
      if (parked) {
        LockSupport.unpark(thread);
      }
    }

    /** Runs this worker's share on the calling thread if the worker has not started it. */
    void runIfUnclaimed() {
      if (!claimed.get() && claimed.compareAndSet(false, true)) {
        runShare();
      }
    }

    private void runShare() {
      try {
        task.run(from, to, index);
      } catch (Throwable t) {
        failure = t;
      }
      shareDone();
    }

    @Override
    public void run() {
      int seen = 0;
      while (true) {
        seen = awaitTicket(seen);
        if (closed) {
          return;
        }
        if (claimed.compareAndSet(false, true)) {
          runShare();
        }
      }
    }

    /** Spins, then yields, then parks, until the ticket moves past {@code seen}; returns the new one. */
    private int awaitTicket(int seen) {
      long start = 0;
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
        if (start == 0) {
          start = now;
        } else if (now - start > SPIN_NANOS) {
          // Publish "parked" before re-reading the ticket: a dispatcher that bumps the ticket after
          // this re-read then sees parked == true and unparks (Dekker over two volatiles).
          parked = true;
          if (ticket == seen) {
            LockSupport.park(this);
          }
          parked = false;
          start = 0;
        } else if (now - start > BUSY_SPIN_NANOS) {
          Thread.yield();
        }
      }
    }
  }
}
