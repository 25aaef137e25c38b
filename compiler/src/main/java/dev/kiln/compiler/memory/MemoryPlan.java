package dev.kiln.compiler.memory;

import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Where every activation and every kernel's scratch lives at run time: one arena, fixed byte offsets,
 * decided at compile time. Immutable.
 *
 * <p>A {@link Buffer} is a region the planner placed: its lifetime is the closed range of execution
 * steps {@code [firstStep, lastStep]} during which it must keep its content. Values map onto buffers:
 * a view (Reshape, Flatten, ...) or an in-place result shares its input's buffer, and a Concat input
 * is written straight into its slice of the Concat's buffer, so {@link #valueOffset} may point inside a
 * buffer.
 */
public final class MemoryPlan {
  /** Every buffer's offset and size are multiples of this many bytes. */
  public static final int ALIGNMENT = 64;

  /** What a buffer holds. */
  public enum Kind {
    /** A graph input, copied in before the first step. */
    INPUT,
    /** Holds a graph output (and possibly values computed on the way). */
    OUTPUT,
    /** An intermediate activation. */
    ACTIVATION,
    /** A kernel's workspace, live during its own step only. */
    SCRATCH
  }

  /**
   * One placed region.
   *
   * @param name the value it was created for (the root of its alias group), or {@code node#scratch}
   * @param bytes size, a multiple of {@link #ALIGNMENT}
   */
  public record Buffer(String name, Kind kind, long offset, long bytes, int firstStep, int lastStep) {
    public Buffer {
      Objects.requireNonNull(name);
      Objects.requireNonNull(kind);
      if (offset < 0 || bytes < 0 || firstStep > lastStep) {
        throw new IllegalArgumentException("invalid buffer " + name + " offset=" + offset + " bytes="
            + bytes + " steps=[" + firstStep + "," + lastStep + "]");
      }
    }

    public long end() {
      return offset + bytes;
    }

    public boolean liveAt(int step) {
      return firstStep <= step && step <= lastStep;
    }

    boolean livesWith(Buffer o) {
      return firstStep <= o.lastStep && o.firstStep <= lastStep;
    }

    boolean overlaps(Buffer o) {
      return offset < o.end() && o.offset < end();
    }

    @Override
    public String toString() {
      return "'" + name + "' [" + offset + ", " + end() + ") steps " + firstStep + ".." + lastStep;
    }
  }

  /** Where a value's data starts: a buffer, and the byte offset inside it. */
  public record Placement(String buffer, long offsetInBuffer, long bytes) {}

  private final List<String> schedule;
  private final List<Buffer> buffers;
  private final Map<String, Buffer> buffersByName;
  private final Map<String, Placement> values;
  private final Map<String, String> scratchByNode;
  private final List<String> eliminatedNodes;
  private final long arenaBytes;
  private final long lowerBoundBytes;
  private final long noReuseBytes;
  private final String strategy;

  /**
   * @param schedule node names in execution order (step i runs schedule[i])
   * @param values every activation value's placement
   * @param scratchByNode the scratch buffer of each node that has one
   * @param eliminatedNodes nodes the plan makes unnecessary (Concats whose inputs were written in place)
   * @param noReuseBytes the arena if every value (views and in-place results included) and every
   *     scratch had its own region
   * @param strategy the offset-assignment strategy that produced the plan
   */
  public MemoryPlan(List<String> schedule, List<Buffer> buffers, Map<String, Placement> values,
      Map<String, String> scratchByNode, List<String> eliminatedNodes, long noReuseBytes,
      String strategy) {
    this.schedule = List.copyOf(schedule);
    this.buffers = List.copyOf(buffers);
    Map<String, Buffer> byName = new LinkedHashMap<>();
    for (Buffer b : this.buffers) {
      if (byName.put(b.name(), b) != null) {
        throw new IllegalArgumentException("two buffers named '" + b.name() + "'");
      }
    }
    this.buffersByName = Collections.unmodifiableMap(byName);
    this.values = Collections.unmodifiableMap(new LinkedHashMap<>(values));
    this.scratchByNode = Collections.unmodifiableMap(new LinkedHashMap<>(scratchByNode));
    this.eliminatedNodes = List.copyOf(eliminatedNodes);
    long arena = 0;
    for (Buffer b : this.buffers) {
      arena = Math.max(arena, b.end());
    }
    this.arenaBytes = arena;
    this.lowerBoundBytes = computeLowerBound(this.buffers, this.schedule.size());
    this.noReuseBytes = noReuseBytes;
    this.strategy = strategy;
  }

  /**
   * The liveness lower bound: max over steps of the bytes of buffers live at that step. No placement
   * of these buffers with these lifetimes can use a smaller arena.
   */
  static long computeLowerBound(List<Buffer> buffers, int steps) {
    long[] live = new long[Math.max(steps, 1) + 1];
    for (Buffer b : buffers) {
      int first = Math.max(0, b.firstStep());
      int last = Math.min(live.length - 2, b.lastStep());
      live[first] += b.bytes();
      live[last + 1] -= b.bytes();
    }
    long max = 0;
    long running = 0;
    for (int i = 0; i < live.length - 1; i++) {
      running += live[i];
      max = Math.max(max, running);
    }
    return max;
  }

  public List<String> schedule() {
    return schedule;
  }

  public List<Buffer> buffers() {
    return buffers;
  }

  public Buffer buffer(String name) {
    Buffer b = buffersByName.get(name);
    if (b == null) {
      throw new IllegalArgumentException("no buffer named '" + name + "'");
    }
    return b;
  }

  public Map<String, Placement> values() {
    return values;
  }

  public boolean hasValue(String value) {
    return values.containsKey(value);
  }

  /** The arena byte offset where the value's data starts. */
  public long valueOffset(String value) {
    Placement p = values.get(value);
    if (p == null) {
      throw new IllegalArgumentException("value '" + value + "' is not in the arena");
    }
    return buffer(p.buffer()).offset() + p.offsetInBuffer();
  }

  /** The node's scratch buffer, or {@code null} when it has none. */
  public Buffer scratch(String node) {
    String name = scratchByNode.get(node);
    return name == null ? null : buffer(name);
  }

  public List<String> eliminatedNodes() {
    return eliminatedNodes;
  }

  public boolean isEliminated(String node) {
    return eliminatedNodes.contains(node);
  }

  public long arenaBytes() {
    return arenaBytes;
  }

  public long lowerBoundBytes() {
    return lowerBoundBytes;
  }

  public long noReuseBytes() {
    return noReuseBytes;
  }

  /** {@code lowerBound / arena}: 1.0 is optimal for this schedule. */
  public double efficiency() {
    return arenaBytes == 0 ? 1.0 : (double) lowerBoundBytes / arenaBytes;
  }

  /** Bytes of scratch buffers (they share the arena with activations). */
  public long workspaceBytes() {
    long max = 0;
    for (Buffer b : buffers) {
      if (b.kind() == Kind.SCRATCH) {
        max = Math.max(max, b.bytes());
      }
    }
    return max;
  }

  public String strategy() {
    return strategy;
  }

  /**
   * Proves the plan safe: every buffer is aligned and inside the arena, every value lies inside its
   * buffer, and no two buffers that are live at the same step overlap. A failure is a bug in Kiln.
   *
   * @throws IllegalStateException naming both buffers and the step
   */
  public void verify() {
    for (Buffer b : buffers) {
      if (b.offset() % ALIGNMENT != 0 || b.bytes() % ALIGNMENT != 0) {
        throw new IllegalStateException("memory plan: buffer " + b + " is not aligned to " + ALIGNMENT
            + " bytes");
      }
    }
    for (Map.Entry<String, Placement> e : values.entrySet()) {
      Placement p = e.getValue();
      Buffer b = buffersByName.get(p.buffer());
      if (b == null) {
        throw new IllegalStateException("memory plan: value '" + e.getKey() + "' is placed in unknown buffer '"
            + p.buffer() + "'");
      }
      if (p.offsetInBuffer() < 0 || p.offsetInBuffer() + p.bytes() > b.bytes()) {
        throw new IllegalStateException("memory plan: value '" + e.getKey() + "' (" + p.bytes()
            + " bytes at +" + p.offsetInBuffer() + ") does not fit in buffer " + b);
      }
    }
    // Sweep by offset: only buffers whose address ranges intersect need their lifetimes compared.
    List<Buffer> byOffset = new ArrayList<>(buffers);
    byOffset.sort(Comparator.comparingLong(Buffer::offset).thenComparingLong(Buffer::end));
    for (int i = 0; i < byOffset.size(); i++) {
      Buffer a = byOffset.get(i);
      if (a.bytes() == 0) {
        continue;
      }
      for (int j = i + 1; j < byOffset.size() && byOffset.get(j).offset() < a.end(); j++) {
        Buffer b = byOffset.get(j);
        if (b.bytes() > 0 && a.livesWith(b) && a.overlaps(b)) {
          int step = Math.max(a.firstStep(), b.firstStep());
          throw new IllegalStateException("memory plan: buffers " + a + " and " + b
              + " overlap while both are live at step " + step
              + (step < schedule.size() ? " (" + schedule.get(step) + ")" : ""));
        }
      }
    }
  }

  @Override
  public String toString() {
    return String.format(java.util.Locale.ROOT,
        "MemoryPlan[%d buffers, arena %d B, lower bound %d B, efficiency %.3f, no reuse %d B, %s]",
        buffers.size(), arenaBytes, lowerBoundBytes, efficiency(), noReuseBytes, strategy);
  }
}
