package dev.kiln.compiler.memory;

import dev.kiln.compiler.ir.Graph;
import dev.kiln.compiler.ir.Node;
import dev.kiln.compiler.ir.Value;
import dev.kiln.compiler.memory.MemoryPlan.Buffer;
import dev.kiln.compiler.memory.MemoryPlan.Kind;
import dev.kiln.compiler.memory.MemoryPlan.Placement;
import dev.kiln.compiler.memory.OffsetStrategy.Request;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Plans all activation memory of a graph into one arena:
 *
 * <ol>
 *   <li>Schedule: the graph's order, or a memory-aware order where that lowers the peak.
 *   <li>Aliases: a view shares its input's buffer; each input of a contiguous Concat is written
 *       straight into its slice of the Concat's buffer (the Concat disappears); an elementwise node
 *       writes over an input that dies there.
 *   <li>Liveness: a buffer lives from the first step that defines any value in it to the last step
 *       that reads one (graph inputs and outputs to the end of the run).
 *   <li>Offsets: several strategies ({@link OffsetStrategy}); the smallest arena wins.
 * </ol>
 *
 * <p>The result is verified before it is returned.
 */
public final class MemoryPlanner {
  private MemoryPlanner() {}

  public static MemoryPlan plan(Graph graph, PlanOptions options) {
    Candidate inOrder = analyze(graph, Schedule.graphOrder(graph), options);
    Candidate aware = analyze(graph, Schedule.memoryAware(graph), options);
    // The memory-aware order is kept only where it lowers the peak.
    Candidate chosen = aware.lowerBound < inOrder.lowerBound ? aware : inOrder;

    MemoryPlan best = null;
    for (OffsetStrategy strategy : OffsetStrategy.values()) {
      MemoryPlan plan = chosen.place(strategy);
      if (best == null || plan.arenaBytes() < best.arenaBytes()) {
        best = plan;
      }
    }
    best.verify();
    return best;
  }

  /** The alias groups, lifetimes and buffer requests for one schedule. */
  private static final class Candidate {
    final List<Node> schedule;
    final List<String> bufferNames = new ArrayList<>();
    final List<Kind> bufferKinds = new ArrayList<>();
    final List<Request> requests = new ArrayList<>();
    final Map<String, Placement> placements = new LinkedHashMap<>();
    final Map<String, String> scratchByNode = new LinkedHashMap<>();
    final List<String> eliminated = new ArrayList<>();
    long lowerBound;
    /** Every value and every scratch in its own region: the arena without any reuse. */
    long noReuse;

    Candidate(List<Node> schedule) {
      this.schedule = schedule;
    }

    MemoryPlan place(OffsetStrategy strategy) {
      long[] offsets = strategy.assign(requests, MemoryPlan.ALIGNMENT);
      List<Buffer> buffers = new ArrayList<>();
      for (Request r : requests) {
        buffers.add(new Buffer(bufferNames.get(r.index()), bufferKinds.get(r.index()),
            offsets[r.index()], r.bytes(), r.firstStep(), r.lastStep()));
      }
      List<String> names = schedule.stream().map(Node::name).toList();
      return new MemoryPlan(names, buffers, placements, scratchByNode, eliminated, noReuse,
          strategy.name());
    }
  }

  private static Candidate analyze(Graph graph, List<Node> schedule, PlanOptions options) {
    Candidate c = new Candidate(schedule);
    int steps = schedule.size();
    int lastStep = Math.max(steps - 1, 0);

    // Definition and last-use steps of every run-time value.
    Map<String, Integer> def = new HashMap<>();
    Map<String, Integer> lastUse = new HashMap<>();
    List<String> values = new ArrayList<>();
    for (Value in : graph.inputs()) {
      def.put(in.name(), 0);
      lastUse.put(in.name(), options.ioLiveWholeRun() ? lastStep : 0);
      values.add(in.name());
    }
    for (int s = 0; s < steps; s++) {
      Node n = schedule.get(s);
      for (String in : n.inputs()) {
        if (!in.isEmpty() && !graph.isConstant(in)) {
          lastUse.merge(in, s, Math::max);
        }
      }
      for (String out : n.outputs()) {
        if (!out.isEmpty()) {
          def.put(out, s);
          lastUse.merge(out, s, Math::max);
          values.add(out);
        }
      }
    }
    for (String out : graph.outputs()) {
      if (def.containsKey(out)) {
        lastUse.put(out, lastStep);
      }
    }

    // Alias groups: parent links with byte offsets; a root owns a buffer.
    Map<String, String> parent = new HashMap<>();
    Map<String, Long> offsetInParent = new HashMap<>();
    Set<String> graphInputs = new HashSet<>();
    graph.inputs().forEach(v -> graphInputs.add(v.name()));

    for (Node n : schedule) {
      if (AliasRules.isView(n) && n.hasInput(0) && !graph.isConstant(n.input(0))) {
        parent.put(n.output(0), n.input(0));
        offsetInParent.put(n.output(0), 0L);
        c.eliminated.add(n.name());
      }
    }
    Map<String, Node> producers = new HashMap<>();
    for (Node n : schedule) {
      for (String out : n.outputs()) {
        producers.put(out, n);
      }
    }
    Set<String> claimed = new HashSet<>();
    for (Node n : schedule) {
      if (!AliasRules.concatIsContiguous(n, graph)) {
        continue;
      }
      boolean eligible = !parent.containsKey(n.output(0));
      Set<String> seen = new HashSet<>();
      for (String in : n.inputs()) {
        Node producer = producers.get(in);
        eligible &= !in.isEmpty() && producer != null && !parent.containsKey(in)
            && !claimed.contains(in) && seen.add(in) && !graphInputs.contains(in);
      }
      if (!eligible) {
        continue;
      }
      long offset = 0;
      for (String in : n.inputs()) {
        parent.put(in, n.output(0));
        offsetInParent.put(in, offset);
        claimed.add(in);
        offset += graph.type(in).byteSize();
      }
      c.eliminated.add(n.name());
    }

    // In-place, in schedule order: a node may write over an input whose whole alias group dies here
    // and holds no graph input or output.
    Map<String, Integer> groupLast = new HashMap<>();
    Map<String, Boolean> groupPinned = new HashMap<>();
    for (String v : values) {
      String root = root(v, parent);
      groupLast.merge(root, lastUse.getOrDefault(v, def.get(v)), Math::max);
      // Graph inputs and outputs are never written over: the caller owns or reads them.
      groupPinned.merge(root, graphInputs.contains(v) || graph.isGraphOutput(v), Boolean::logicalOr);
    }
    for (int s = 0; s < steps; s++) {
      Node n = schedule.get(s);
      if (n.outputs().size() != 1 || parent.containsKey(n.output(0)) || c.eliminated.contains(n.name())) {
        continue;
      }
      for (int i = 0; i < n.inputs().size(); i++) {
        String in = n.input(i);
        if (in.isEmpty() || graph.isConstant(in) || !AliasRules.canWriteOver(n, i, graph)) {
          continue;
        }
        String root = root(in, parent);
        if (groupLast.get(root) <= s && !groupPinned.get(root)) {
          String out = n.output(0);
          parent.put(out, in);
          offsetInParent.put(out, 0L);
          // The output's own group (itself and any views of it) joins the input's.
          groupLast.merge(root, groupLast.remove(out), Math::max);
          groupPinned.merge(root, groupPinned.remove(out), Boolean::logicalOr);
          break;
        }
      }
    }

    // Buffers: one per alias root, living over its whole group; scratch per node.
    Map<String, int[]> lifetime = new LinkedHashMap<>();
    Map<String, Kind> kind = new HashMap<>();
    for (String v : values) {
      String root = root(v, parent);
      int[] life = lifetime.computeIfAbsent(root, k -> new int[] {Integer.MAX_VALUE, Integer.MIN_VALUE});
      life[0] = Math.min(life[0], def.get(v));
      life[1] = Math.max(life[1], lastUse.getOrDefault(v, def.get(v)));
      Kind k = graphInputs.contains(v) ? Kind.INPUT : graph.isGraphOutput(v) ? Kind.OUTPUT : Kind.ACTIVATION;
      kind.merge(root, k, (a, b) -> a == Kind.ACTIVATION ? b : a);
    }
    for (Map.Entry<String, int[]> e : lifetime.entrySet()) {
      String root = e.getKey();
      long bytes = OffsetStrategy.align(graph.type(root).byteSize(), MemoryPlan.ALIGNMENT);
      c.requests.add(new Request(c.requests.size(), bytes, e.getValue()[0], e.getValue()[1]));
      c.bufferNames.add(root);
      c.bufferKinds.add(kind.get(root));
    }
    for (String v : values) {
      c.placements.put(v, new Placement(root(v, parent), absoluteOffset(v, parent, offsetInParent),
          graph.type(v).byteSize()));
      c.noReuse += OffsetStrategy.align(graph.type(v).byteSize(), MemoryPlan.ALIGNMENT);
    }
    for (int s = 0; s < steps; s++) {
      Node n = schedule.get(s);
      long scratch = options.workspaceBytes().applyAsLong(n);
      if (scratch > 0) {
        String name = n.name() + "#scratch";
        c.requests.add(new Request(c.requests.size(), OffsetStrategy.align(scratch, MemoryPlan.ALIGNMENT), s, s));
        c.bufferNames.add(name);
        c.bufferKinds.add(Kind.SCRATCH);
        c.scratchByNode.put(n.name(), name);
        c.noReuse += OffsetStrategy.align(scratch, MemoryPlan.ALIGNMENT);
      }
    }
    List<Buffer> unplaced = new ArrayList<>();
    for (Request r : c.requests) {
      unplaced.add(new Buffer(c.bufferNames.get(r.index()), c.bufferKinds.get(r.index()), 0, r.bytes(),
          r.firstStep(), r.lastStep()));
    }
    c.lowerBound = MemoryPlan.computeLowerBound(unplaced, steps);
    return c;
  }

  private static String root(String v, Map<String, String> parent) {
    String r = v;
    while (parent.containsKey(r)) {
      r = parent.get(r);
    }
    return r;
  }

  private static long absoluteOffset(String v, Map<String, String> parent, Map<String, Long> offsets) {
    long off = 0;
    String r = v;
    while (parent.containsKey(r)) {
      off += offsets.get(r);
      r = parent.get(r);
    }
    return off;
  }
}
