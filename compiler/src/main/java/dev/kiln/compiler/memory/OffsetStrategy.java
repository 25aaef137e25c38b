package dev.kiln.compiler.memory;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * Assigns arena offsets to buffers with known sizes and lifetimes so that buffers live at the same
 * step never overlap. Minimizing the arena is NP-hard (it is dynamic storage allocation), so the
 * planner runs several heuristics and keeps the smallest result.
 */
public enum OffsetStrategy {
  /**
   * Largest buffer first, each into the smallest gap that fits among the already placed buffers it
   * lives with (TensorFlow Lite's "greedy by size"). Good when a few large buffers dominate.
   */
  GREEDY_BY_SIZE(Comparator.comparingLong((Request r) -> -r.bytes())
      .thenComparingInt(Request::firstStep)
      .thenComparingInt(Request::index)),

  /**
   * Buffers in execution order (by first step, larger first on ties), each into the smallest fitting
   * gap (MNN's best fit). Good for long chains where lifetimes follow the schedule.
   */
  BEST_FIT_IN_ORDER(Comparator.comparingInt(Request::firstStep)
      .thenComparingLong((Request r) -> -r.bytes())
      .thenComparingInt(Request::index)),

  /**
   * Longest-lived buffers first, then by size: pins graph inputs/outputs and long skip connections
   * at low offsets before the short-lived traffic fills around them.
   */
  LONGEST_LIFETIME_FIRST(Comparator.comparingInt((Request r) -> -(r.lastStep() - r.firstStep()))
      .thenComparingLong((Request r) -> -r.bytes())
      .thenComparingInt(Request::index));

  /** A buffer to place: aligned size and closed lifetime. */
  record Request(int index, long bytes, int firstStep, int lastStep) {
    boolean livesWith(Request o) {
      return firstStep <= o.lastStep && o.firstStep <= lastStep;
    }
  }

  private final Comparator<Request> order;

  OffsetStrategy(Comparator<Request> order) {
    this.order = order;
  }

  /** Offsets, indexed like {@code requests}; every offset is a multiple of {@code alignment}. */
  long[] assign(List<Request> requests, long alignment) {
    List<Request> sorted = new ArrayList<>(requests);
    sorted.sort(order);
    long[] offsets = new long[requests.size()];
    List<Request> placed = new ArrayList<>();
    for (Request r : sorted) {
      // The placed buffers this one lives with, by offset: the gaps between them are candidates.
      List<long[]> busy = new ArrayList<>();
      for (Request p : placed) {
        if (p.livesWith(r) && p.bytes() > 0) {
          busy.add(new long[] {offsets[p.index()], offsets[p.index()] + p.bytes()});
        }
      }
      busy.sort(Comparator.comparingLong((long[] a) -> a[0]));
      long bestOffset = -1;
      long bestGap = Long.MAX_VALUE;
      long cursor = 0;
      for (long[] b : busy) {
        if (b[0] > cursor) {
          long gap = b[0] - cursor;
          if (gap >= r.bytes() && gap < bestGap) {
            bestGap = gap;
            bestOffset = cursor;
          }
        }
        cursor = Math.max(cursor, b[1]);
      }
      offsets[r.index()] = bestOffset >= 0 ? bestOffset : align(cursor, alignment);
      placed.add(r);
    }
    return offsets;
  }

  static long align(long value, long alignment) {
    return (value + alignment - 1) / alignment * alignment;
  }
}
