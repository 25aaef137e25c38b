package dev.kiln.compiler.select;

import dev.kiln.compiler.KilnException;
import dev.kiln.compiler.api.MemoryMode;
import dev.kiln.compiler.api.MemorySize;
import dev.kiln.compiler.bench.Timing;
import dev.kiln.compiler.ir.Graph;
import dev.kiln.compiler.ir.Node;
import dev.kiln.compiler.lower.ConvChoice;
import dev.kiln.compiler.lower.Lowering;
import dev.kiln.compiler.lower.Program;
import dev.kiln.compiler.lower.WeightsBlob;
import dev.kiln.compiler.memory.MemoryPlan;
import dev.kiln.compiler.memory.MemoryPlanner;
import dev.kiln.compiler.memory.PlanOptions;
import dev.kiln.compiler.ops.Conv;
import dev.kiln.compiler.ops.FusedConv;
import dev.kiln.compiler.report.LayerCost;
import dev.kiln.runtime.kernels.ConvShape;
import dev.kiln.runtime.kernels.conv.ConvKernel;
import dev.kiln.runtime.kernels.conv.ConvKernels;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;

/**
 * Chooses every convolution's algorithm so the model runs as fast as the cost model can tell while
 * a model instance holds no more than the budget: a multiple-choice knapsack over weight bytes, with
 * the arena (activations, scratch, I/O) in the constraint. The target ({@link SelectionTarget})
 * supplies the algorithms and their estimates: the CPU's, or a device's, whose memory the budget
 * then bounds. docs/conv-algorithms.md, "Selection", has the method and its proofs; in short:
 *
 * <pre>
 *   peak(x) = fixed weights + Σ_i weights_i(x_i) + arena(x)
 *   arena(x) ≥ LB(x) = max_t ( activations live at step t + scratch of the layer at t )
 * </pre>
 *
 * <ol>
 *   <li><b>Candidates</b>: every algorithm of the target that {@link ConvKernel#supports} the layer
 *       (the hard gates), each with its stored weights, workspace and time (the target's estimate,
 *       or measured with {@code --autotune} on the CPU). An option no faster, no lighter and
 *       needing no less scratch than another is dropped. {@code tiled} is not a candidate where
 *       {@code gemm-1x1} is: there it is the same GEMM with the same weights and workspace and a
 *       dearer B (an im2col gather where gemm-1x1 copies rows or reads them in place), so it can only
 *       win by an estimate's error; a calibration on a busy machine once put gemm-1x1's factor at
 *       0.56 against tiled's 0.85 and moved every 1×1 layer of MobileNet-V2 to tiled.
 *   <li><b>Frontier</b>: scratch only matters at its own step, so for a cap A on LB(x) each layer
 *       keeps the options whose scratch fits beside that step's activations, and the rest is a
 *       multiple-choice knapsack over weight bytes, solved exactly by a Pareto dynamic program (all
 *       (weights, time) pairs no other pair beats on both). Over every cap A that some option's need
 *       defines, the union, pruned again on (model peak, time), is the exact frontier of the model
 *       peak {@code fixed + W + A}.
 *   <li><b>Proof</b>: the frontier's points are tried from the fastest down; each is planned by the
 *       real {@link MemoryPlanner} and its exact peak computed (weights to the float, the planned
 *       arena); the first whose peak fits the budget wins. The planner's arena is never below LB, so
 *       no point beyond the budget by the model can fit; a point that fits by the model but not once
 *       planned is passed over. Since the list a larger budget walks contains every point a smaller
 *       budget's walk accepts, a larger budget never gives a slower estimate.
 * </ol>
 *
 * The low mode's budget is the smallest planned peak on the frontier and 1% more ({@link
 * #lowBudget}); the balanced mode's is the peak of the frontier's knee (the point farthest below
 * the chord from the low mode's point to the fastest: past it, a byte buys less time than the
 * average byte between the two).
 */
public final class AlgorithmSelector {
  /** Above this many points a layer's frontier keeps the fastest point per weight bucket (see {@code thin}). */
  static final int MAX_FRONTIER = 20_000;

  private AlgorithmSelector() {}

  /**
   * The low mode's budget: the minimum feasible peak and 1% more. Exactly the minimum let a few
   * hundred bytes of the fast kernels' tables (tiled's flat-row masks) decide for the direct
   * convolution: ResNet-18 compiled low took it on 17 of its 20 layers, estimated 2.8 s against
   * 24 ms for tiled everywhere, to hold 0.2 MiB less of 49.
   */
  public static long lowBudget(long minimumPeakBytes) {
    return minimumPeakBytes + minimumPeakBytes / 100;
  }

  /**
   * What the selection needs besides the graph.
   *
   * @param budgetBytes the most bytes a model instance may hold (for a device: of its memory), or
   *     {@code null}
   * @param mode with no budget: low, balanced, or fast (the default, also for {@code null})
   * @param forcedAlgorithm run this algorithm (by name, one of the target's) on every layer it
   *     supports, or {@code null}
   * @param target the algorithms to choose from, their estimates and the other layers' lowering
   * @param autotuneTiming time the candidates on this machine with this protocol, or {@code null}
   *     to estimate; only for a target whose kernels run here (the CPU)
   */
  public record Request(int threads, Long budgetBytes, MemoryMode mode, String forcedAlgorithm,
      SelectionTarget target, Timing autotuneTiming) {
    public Request {
      Objects.requireNonNull(target, "target");
      if (autotuneTiming != null && !(target instanceof CpuTarget)) {
        throw new IllegalArgumentException("autotuning times the candidates on this machine's CPU;"
            + " the target's algorithms do not run here");
      }
    }

    /** For the CPU ({@link SelectionTarget#cpu}), estimated over {@code machine}. */
    public Request(int threads, Long budgetBytes, MemoryMode mode, String forcedAlgorithm,
        MachineProfile machine, Timing autotuneTiming) {
      this(threads, budgetBytes, mode, forcedAlgorithm, SelectionTarget.cpu(machine, threads),
          autotuneTiming);
    }
  }

  /** A layer's option in the knapsack: a candidate and what it needs. */
  private record Option(int candidate, long weightBytes, long scratchBytes, long needBytes,
      double nanos) {}

  /** One convolution layer as the selection sees it. */
  private static final class Layer {
    final Node node;
    final ConvShape shape;
    final String weightValue;
    final boolean forced;
    List<Candidate> candidates;
    List<Option> options;
    /** Bytes of activations live at this layer's step in the plan without scratch. */
    long activeBytes;

    Layer(Node node, ConvShape shape, boolean forced) {
      this.node = node;
      this.shape = shape;
      this.weightValue = node.input(1);
      this.forced = forced;
    }
  }

  /** A path through the dynamic program: the option chosen at each layer, most recent first. */
  private record Trail(Trail previous, int layer, int option) {}

  /** A frontier point: the model's peak (or the knapsack's weights inside one level) and time. */
  private record Point(long bytes, double nanos, Trail trail) {}

  /** An assignment planned for real. */
  private record Planned(int[] options, MemoryPlan plan, long weightBytes, long peakBytes) {}

  public static AlgorithmSelection select(Graph graph, Request request) {
    return select(graph, request, MAX_FRONTIER);
  }

  /** With a smaller frontier cap, so tests reach the thinning. */
  static AlgorithmSelection select(Graph graph, Request request, int maxFrontier) {
    return new Run(graph, request, maxFrontier).select();
  }

  /** One selection's state. */
  private static final class Run {
    final Graph graph;
    final Request request;
    final SelectionTarget target;
    final List<Layer> layers = new ArrayList<>();
    MemoryPlan basePlan;
    long baseArenaBytes;
    long fixedWeightBytes;
    final Map<String, Long> fixedBytesByNode = new LinkedHashMap<>();
    final Map<String, CostModel.Estimate> otherLayers = new LinkedHashMap<>();
    /** The scratch of layers that are not convolutions (packed fully connected inputs...): fixed. */
    final Map<String, Long> otherScratch = new HashMap<>();
    final Map<List<Integer>, Planned> planned = new HashMap<>();
    final int maxFrontier;

    Run(Graph graph, Request request, int maxFrontier) {
      this.graph = graph;
      this.request = request;
      this.maxFrontier = maxFrontier;
      this.target = request.target();
    }

    AlgorithmSelection select() {
      collectLayers();
      planWithoutScratch();
      countFixedWeights();
      List<Point> frontier = frontier();
      MemoryMode mode = request.budgetBytes() != null ? null
          : request.mode() == null ? MemoryMode.FAST : request.mode();
      Planned lowest = lowestPeak(frontier);
      long low = lowBudget(lowest.peakBytes());
      Long budget;
      if (mode == null) {
        budget = request.budgetBytes();
      } else if (mode == MemoryMode.LOW) {
        budget = low;
      } else if (mode == MemoryMode.BALANCED) {
        // The knee from the low mode's point on, so that balanced never holds less than low.
        int from = 0;
        while (from + 1 < frontier.size() && frontier.get(from + 1).bytes <= low) {
          from++;
        }
        budget = plan(knee(frontier.subList(from, frontier.size()))).peakBytes();
      } else {
        budget = null;
      }
      Planned chosen = budget == null ? plan(frontier.get(frontier.size() - 1))
          : fastestWithin(frontier, budget);
      if (chosen == null) {
        throw infeasible(budget, lowest);
      }
      return result(chosen, mode, budget, lowest.peakBytes());
    }

    // ---- candidates ----

    void collectLayers() {
      ConvKernel forced = request.forcedAlgorithm() == null ? null
          : byName(request.forcedAlgorithm());
      for (Node n : graph.nodes()) {
        if (n.op() instanceof Conv || n.op() instanceof FusedConv) {
          ConvShape shape = Lowering.convShape(n, graph);
          boolean useForced = forced != null && forced.supports(shape);
          Layer layer = new Layer(n, shape, useForced);
          List<Candidate> candidates = new ArrayList<>();
          List<ConvKernel> kernels = useForced ? List.of(forced) : target.kernels();
          for (ConvKernel k : kernels) {
            if (k.supports(shape) && !(k == ConvKernels.TILED && kernels.contains(ConvKernels.GEMM_1X1)
                && ConvKernels.GEMM_1X1.supports(shape))) {
              candidates.add(candidate(k, shape));
            }
          }
          if (candidates.isEmpty()) {
            throw new IllegalStateException("no convolution algorithm supports " + shape);
          }
          layer.candidates = candidates;
          layers.add(layer);
        }
      }
      if (request.autotuneTiming() != null) {
        autotune();
      }
    }

    /** The target's algorithm called {@code name}. */
    ConvKernel byName(String name) {
      for (ConvKernel k : target.kernels()) {
        if (k.name().equals(name)) {
          return k;
        }
      }
      throw new KilnException("no convolution algorithm '" + name + "' (known: "
          + String.join(", ", target.kernels().stream().map(ConvKernel::name).toList()) + ")");
    }

    Candidate candidate(ConvKernel k, ConvShape shape) {
      CostModel.Estimate e = target.estimate(k, shape);
      return new Candidate(k, e.flops(), e.bytes(),
          WeightsBlob.storedFloats(k.packedWeightFloats(shape)) * Float.BYTES,
          (long) k.workspaceFloats(shape, request.threads()) * Float.BYTES, e.nanos());
    }

    void autotune() {
      try (Autotuner tuner = new Autotuner(request.autotuneTiming(), request.threads())) {
        for (Layer layer : layers) {
          double best = layer.candidates.stream().mapToDouble(Candidate::estimatedNanos).min()
              .orElseThrow();
          List<Candidate> timed = new ArrayList<>();
          double scale = 1;
          for (Candidate c : layer.candidates) {
            if (c.estimatedNanos() <= Autotuner.SKIP_FACTOR * best) {
              Candidate measured = c.withMeasured(tuner.measure(c.kernel(), layer.shape));
              if (c.estimatedNanos() == best) {
                scale = measured.measuredNanos() / best;
              }
              timed.add(measured);
            } else {
              timed.add(c);
            }
          }
          // What was not timed is compared by its estimate in the measured scale.
          double measuredScale = scale;
          layer.candidates = timed.stream()
              .map(c -> c.measured() ? c : c.withEstimateScale(measuredScale)).toList();
        }
      }
    }

    // ---- memory without scratch: activations per step, fixed weights ----

    void planWithoutScratch() {
      for (Node n : graph.nodes()) {
        long bytes = Lowering.workspaceBytes(n, graph, Map.of(), request.threads(),
            target.referenceKernels());
        if (bytes > 0) {
          otherScratch.put(n.name(), bytes);
        }
      }
      basePlan = MemoryPlanner.plan(graph, PlanOptions.DEFAULTS.withWorkspace(
          node -> otherScratch.getOrDefault(node.name(), 0L)));
      baseArenaBytes = basePlan.lowerBoundBytes();
      Map<String, Integer> stepOf = new HashMap<>();
      for (int s = 0; s < basePlan.schedule().size(); s++) {
        stepOf.put(basePlan.schedule().get(s), s);
      }
      for (Layer layer : layers) {
        int step = stepOf.get(layer.node.name());
        long live = 0;
        for (MemoryPlan.Buffer b : basePlan.buffers()) {
          if (b.liveAt(step)) {
            live += b.bytes();
          }
        }
        layer.activeBytes = live;
        layer.options = options(layer);
      }
    }

    /** The candidates worth choosing: none of them has another at least as good on all three counts. */
    List<Option> options(Layer layer) {
      List<Option> all = new ArrayList<>();
      for (int i = 0; i < layer.candidates.size(); i++) {
        Candidate c = layer.candidates.get(i);
        long scratch = align(c.workspaceBytes());
        all.add(new Option(i, c.weightBytes(), scratch, layer.activeBytes + scratch, c.nanos()));
      }
      List<Option> kept = new ArrayList<>();
      for (Option o : all) {
        boolean dominated = false;
        for (Option p : all) {
          boolean noWorse = p.weightBytes <= o.weightBytes && p.scratchBytes <= o.scratchBytes
              && p.nanos <= o.nanos;
          boolean better = p.weightBytes < o.weightBytes || p.scratchBytes < o.scratchBytes
              || p.nanos < o.nanos || p.candidate < o.candidate;
          dominated |= p != o && noWorse && better;
        }
        if (!dominated) {
          kept.add(o);
        }
      }
      return kept;
    }

    /**
     * Lowers the graph once with the target's generic algorithm everywhere (the CPU's direct
     * convolution): the weights that do not depend on the choice (biases, epilogue vectors, fully
     * connected layers, tables) are what remains after taking out the generic convolutions' own
     * blocks. The same lowering lays out every program, so {@code fixed + Σ stored(packed)} is any
     * choice's weights to the float. The layers this lowering runs are the ones the program will run.
     */
    void countFixedWeights() {
      ConvKernel generic = target.generic();
      Map<String, ConvChoice> everywhere = new LinkedHashMap<>();
      for (Layer layer : layers) {
        everywhere.put(layer.node.name(), ConvChoice.of(generic, "counting the fixed weights"));
      }
      Program dryRun = Lowering.lower(graph, basePlan, everywhere, request.threads(),
          target.referenceKernels());
      long fixed = (long) dryRun.weightFloats() * Float.BYTES;
      Set<String> counted = new HashSet<>();
      Map<String, Layer> byName = new HashMap<>();
      layers.forEach(l -> byName.put(l.node.name(), l));
      for (Map.Entry<String, Integer> e : dryRun.weightFloatsByLayer().entrySet()) {
        long bytes = (long) e.getValue() * Float.BYTES;
        Layer layer = byName.get(e.getKey());
        if (layer != null && counted.add(layer.weightValue)) {
          long own = WeightsBlob.storedFloats(generic.packedWeightFloats(layer.shape)) * Float.BYTES;
          bytes -= own;
          fixed -= own;
        }
        fixedBytesByNode.put(e.getKey(), bytes);
      }
      fixedWeightBytes = fixed;
      estimateOtherLayers(dryRun.weightFloatsByLayer().keySet(), byName.keySet());
    }

    /** The layers that run code and are not convolutions: one estimate each, whatever the choice. */
    void estimateOtherLayers(Set<String> running, Set<String> convolutions) {
      for (LayerCost cost : LayerCost.of(graph)) {
        if (running.contains(cost.name()) && !convolutions.contains(cost.name())) {
          otherLayers.put(cost.name(), target.estimate(cost.cost()));
        }
      }
    }

    // ---- the frontier ----

    /** Every arena cap worth trying: the activations' own peak, and each option's need above it. */
    TreeSet<Long> arenaLevels() {
      long floor = baseArenaBytes;
      for (Layer layer : layers) {
        long least = Long.MAX_VALUE;
        for (Option o : layer.options) {
          least = Math.min(least, o.needBytes);
        }
        floor = Math.max(floor, least);
      }
      TreeSet<Long> levels = new TreeSet<>();
      levels.add(floor);
      for (Layer layer : layers) {
        for (Option o : layer.options) {
          if (o.needBytes > floor) {
            levels.add(o.needBytes);
          }
        }
      }
      return levels;
    }

    /** The exact (model peak, time) frontier, sorted by peak (ascending) and so by time (descending). */
    List<Point> frontier() {
      List<Point> all = new ArrayList<>();
      for (long arena : arenaLevels()) {
        List<Point> level = new ArrayList<>();
        level.add(new Point(0, 0, null));
        for (int i = 0; i < layers.size(); i++) {
          List<Point> next = new ArrayList<>();
          List<Option> options = layers.get(i).options;
          for (Point p : level) {
            for (int o = 0; o < options.size(); o++) {
              Option opt = options.get(o);
              if (opt.needBytes <= arena) {
                next.add(new Point(p.bytes + opt.weightBytes, p.nanos + opt.nanos,
                    new Trail(p.trail, i, o)));
              }
            }
          }
          level = thin(pareto(next));
        }
        for (Point p : level) {
          all.add(new Point(fixedWeightBytes + p.bytes + arena, p.nanos, p.trail));
        }
      }
      return pareto(all);
    }

    /** Points no other point beats on both bytes and time, by bytes ascending. */
    static List<Point> pareto(List<Point> points) {
      List<Point> sorted = new ArrayList<>(points);
      sorted.sort(Comparator.comparingLong(Point::bytes).thenComparingDouble(Point::nanos));
      List<Point> kept = new ArrayList<>();
      double best = Double.POSITIVE_INFINITY;
      for (Point p : sorted) {
        if (p.nanos < best) {
          kept.add(p);
          best = p.nanos;
        }
      }
      return kept;
    }

    /**
     * Keeps a layer's frontier small when it grows huge: the fastest point in each of {@link
     * #maxFrontier} equal byte buckets, and the lightest point. Every point kept is still exact,
     * so every budget the walk accepts is still kept and a larger one never slower; what weakens is
     * optimality (to that of a budget at most layers × bucket bytes smaller) and, where the planner
     * needs more than the lower bound for the lightest points, the minimum found.
     * Never needed on the test models (docs/conv-algorithms.md).
     */
    List<Point> thin(List<Point> frontier) {
      if (frontier.size() <= maxFrontier) {
        return frontier;
      }
      long lo = frontier.get(0).bytes;
      long span = frontier.get(frontier.size() - 1).bytes - lo;
      long bucket = Math.max(1, span / maxFrontier + 1);
      // The lightest point stays whatever its bucket: the low mode and the minimum peak need it.
      List<Point> kept = new ArrayList<>(List.of(frontier.get(0)));
      for (Point p : frontier.subList(1, frontier.size())) {
        Point last = kept.get(kept.size() - 1);
        if (kept.size() > 1 && (last.bytes - lo) / bucket == (p.bytes - lo) / bucket) {
          kept.set(kept.size() - 1, p);
        } else {
          kept.add(p);
        }
      }
      return kept;
    }

    // ---- planning points for real ----

    int[] assignment(Point p) {
      int[] options = new int[layers.size()];
      for (Trail t = p.trail; t != null; t = t.previous) {
        options[t.layer] = t.option;
      }
      return options;
    }

    Planned plan(Point p) {
      return plan(assignment(p));
    }

    Planned plan(int[] options) {
      List<Integer> key = Arrays.stream(options).boxed().toList();
      Planned cached = planned.get(key);
      if (cached != null) {
        return cached;
      }
      Map<String, Long> workspace = new HashMap<>(otherScratch);
      long weights = fixedWeightBytes;
      Set<String> stored = new HashSet<>();
      for (int i = 0; i < layers.size(); i++) {
        Layer layer = layers.get(i);
        Candidate c = layer.candidates.get(layer.options.get(options[i]).candidate);
        workspace.put(layer.node.name(), c.workspaceBytes());
        if (stored.add(Lowering.packedWeightsKey(c.algorithm(), layer.weightValue))) {
          weights += c.weightBytes();
        }
      }
      MemoryPlan plan = MemoryPlanner.plan(graph, PlanOptions.DEFAULTS.withWorkspace(
          node -> workspace.getOrDefault(node.name(), 0L)));
      Planned result = new Planned(options, plan, weights, weights + plan.arenaBytes());
      planned.put(key, result);
      return result;
    }

    /** The smallest planned peak on the frontier: the model's peak is a lower bound, so the scan stops early. */
    Planned lowestPeak(List<Point> frontier) {
      Planned best = null;
      for (Point p : frontier) {
        if (best != null && p.bytes >= best.peakBytes()) {
          break;
        }
        Planned candidate = plan(p);
        if (best == null || candidate.peakBytes() < best.peakBytes()) {
          best = candidate;
        }
      }
      return best;
    }

    /** The fastest frontier point whose planned peak fits, or null. */
    Planned fastestWithin(List<Point> frontier, long budget) {
      for (int i = frontier.size() - 1; i >= 0; i--) {
        Point p = frontier.get(i);
        if (p.bytes <= budget) {
          Planned candidate = plan(p);
          if (candidate.peakBytes() <= budget) {
            return candidate;
          }
        }
      }
      return null;
    }

    /** The frontier point farthest below the chord from its first (lightest) to its last (fastest) point. */
    static Point knee(List<Point> frontier) {
      Point low = frontier.get(0);
      Point fast = frontier.get(frontier.size() - 1);
      if (fast.bytes == low.bytes) {
        return fast;
      }
      double slope = (fast.nanos - low.nanos) / (fast.bytes - low.bytes);
      Point knee = low;
      double deepest = 0;
      for (Point p : frontier) {
        double below = low.nanos + slope * (p.bytes - low.bytes) - p.nanos;
        if (below > deepest) {
          deepest = below;
          knee = p;
        }
      }
      return knee;
    }

    // ---- errors and explanations ----

    KilnException infeasible(long budget, Planned lowest) {
      record Consumer(String what, long bytes) {}
      List<Consumer> consumers = new ArrayList<>();
      consumers.add(new Consumer("the arena of activations, scratch and I/O",
          lowest.plan().arenaBytes()));
      Map<String, Long> perNode = new LinkedHashMap<>(fixedBytesByNode);
      Set<String> stored = new HashSet<>();
      for (int i = 0; i < layers.size(); i++) {
        Layer layer = layers.get(i);
        Candidate c = layer.candidates.get(layer.options.get(lowest.options()[i]).candidate);
        if (stored.add(Lowering.packedWeightsKey(c.algorithm(), layer.weightValue))) {
          perNode.merge(layer.node.name(), c.weightBytes(), Long::sum);
        }
      }
      perNode.forEach((node, bytes) -> consumers.add(new Consumer("the weights of '" + node + "'",
          bytes)));
      consumers.sort(Comparator.comparingLong(Consumer::bytes).reversed());
      List<String> top = new ArrayList<>();
      for (Consumer c : consumers.subList(0, Math.min(3, consumers.size()))) {
        top.add(c.what + " (" + MemorySize.format(c.bytes) + ")");
      }
      String list = top.size() < 3 ? String.join(" and ", top)
          : top.get(0) + ", " + top.get(1) + " and " + top.get(2);
      return new KilnException(graph.source() + ": the " + target.budgetName() + " of "
          + describe(budget)
          + " is below this model's minimum feasible peak of " + describe(lowest.peakBytes())
          + "; the largest consumers are " + list);
    }

    AlgorithmSelection result(Planned chosen, MemoryMode mode, Long budget, long minimumPeak) {
      long arena = lowerBound(chosen.options());
      Map<String, KernelChoice> choices = new LinkedHashMap<>();
      double total = 0;
      for (int i = 0; i < layers.size(); i++) {
        Layer layer = layers.get(i);
        Candidate c = layer.candidates.get(layer.options.get(chosen.options()[i]).candidate);
        choices.put(layer.node.name(), new KernelChoice(layer.node.name(), layer.node.opType(),
            layer.shape, layer.candidates, c, reason(i, chosen, arena, budget)));
        total += c.nanos();
      }
      for (CostModel.Estimate e : otherLayers.values()) {
        total += e.nanos();
      }
      return new AlgorithmSelection(choices, otherLayers, chosen.plan(), mode, budget,
          chosen.weightBytes(), chosen.peakBytes(), minimumPeak, total, target,
          request.threads(), request.autotuneTiming() != null);
    }

    /** LB(x): the largest of the activations' own peak and every layer's activations + scratch. */
    long lowerBound(int[] options) {
      long lb = baseArenaBytes;
      for (int i = 0; i < layers.size(); i++) {
        lb = Math.max(lb, layers.get(i).options.get(options[i]).needBytes);
      }
      return lb;
    }

    /** Why layer i runs what it runs; see {@link KernelChoice#reason}. */
    String reason(int i, Planned chosen, long arena, Long budget) {
      Layer layer = layers.get(i);
      Candidate c = layer.candidates.get(layer.options.get(chosen.options()[i]).candidate);
      String name = Candidate.displayName(c.algorithm());
      if (layer.forced) {
        return name + ": forced by the options";
      }
      if (layer.candidates.size() == 1) {
        return name + ": the only algorithm that supports this layer";
      }
      // The baseline: the fastest algorithm storing fewer weight bytes than the winner, the one a
      // tighter budget would fall back to. (Not simply the fewest bytes: direct, 100× slower, keeps
      // the ONNX bytes, while tiled may add a few KiB of masks to them.)
      Candidate baseline = null;
      long fewestBytes = c.weightBytes();
      for (Candidate k : layer.candidates) {
        fewestBytes = Math.min(fewestBytes, k.weightBytes());
        if (k.weightBytes() < c.weightBytes()
            && (baseline == null || k.nanos() < baseline.nanos())) {
          baseline = k;
        }
      }
      String gain = null;
      if (baseline != null && c.nanos() < baseline.nanos()) {
        gain = name + ": " + ratio(baseline.nanos(), c.nanos()) + " faster than "
            + Candidate.displayName(baseline.algorithm()) + ", +"
            + MemorySize.format(c.weightBytes() - baseline.weightBytes()) + " weights";
      }
      // Faster candidates the budget kept out, each with how far it would take the peak over.
      String blocked = null;
      long smallestExcess = Long.MAX_VALUE;
      for (int o = 0; o < layer.options.size() && budget != null; o++) {
        Candidate f = layer.candidates.get(layer.options.get(o).candidate);
        if (f.nanos() >= c.nanos()) {
          continue;
        }
        int[] swapped = chosen.options().clone();
        swapped[i] = o;
        long moreWeights = f.weightBytes() - c.weightBytes();
        long moreArena = lowerBound(swapped) - arena;
        long excess = chosen.peakBytes() + moreWeights + moreArena - budget;
        String what = Candidate.displayName(f.algorithm()) + (excess <= 0
            ? " would not fit the planned arena"
            : " would exceed the budget by " + MemorySize.format(excess)
                + (moreWeights <= 0 ? " with its workspace" : ""));
        if (blocked == null || excess > 0 && excess < smallestExcess) {
          blocked = what;
          smallestExcess = excess > 0 ? excess : smallestExcess;
        }
      }
      if (blocked != null) {
        return (gain != null ? gain + "; " : name + ": ") + blocked;
      }
      if (gain != null) {
        return gain + ", " + (budget == null ? "no budget"
            : MemorySize.format(budget - chosen.peakBytes()) + " of budget left");
      }
      Candidate next = null;
      for (Candidate k : layer.candidates) {
        if (k != c && (next == null || k.nanos() < next.nanos())) {
          next = k;
        }
      }
      return name + ": the fastest, " + ratio(next.nanos(), c.nanos()) + " faster than "
          + Candidate.displayName(next.algorithm())
          + (c.weightBytes() > fewestBytes ? ", +"
              + MemorySize.format(c.weightBytes() - fewestBytes) + " weights"
              : ", no extra weights");
    }

    static String ratio(double slower, double faster) {
      return String.format(Locale.ROOT, "%.1fx", slower / faster);
    }

    static String describe(long bytes) {
      return MemorySize.format(bytes) + " (" + bytes + " bytes)";
    }

    static long align(long bytes) {
      return (bytes + MemoryPlan.ALIGNMENT - 1) / MemoryPlan.ALIGNMENT * MemoryPlan.ALIGNMENT;
    }
  }
}
