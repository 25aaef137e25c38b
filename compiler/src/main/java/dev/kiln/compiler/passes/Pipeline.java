package dev.kiln.compiler.passes;

import dev.kiln.compiler.ir.Graph;
import dev.kiln.compiler.ir.GraphVerifier;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * An ordered list of passes, each run once or repeated until it changes nothing (no rewrite fired).
 * The graph is verified after the last pass always, and after every pass (every iteration) when the
 * context asks for it; a pass that leaves an invalid graph is a bug in Kiln.
 */
public final class Pipeline {
  /** Stops a repeated pass that keeps firing: it would otherwise loop forever. */
  static final int MAX_ITERATIONS = 100;

  /** A pass and whether it repeats until nothing changes. */
  public record Entry(Pass pass, boolean untilFixedPoint) {}

  private final List<Entry> entries;

  private Pipeline(List<Entry> entries) {
    this.entries = List.copyOf(entries);
  }

  /**
   * Kiln's optimization pipeline. The order is the argument: each pass makes the patterns of the
   * ones after it visible, and none undoes what an earlier one did.
   */
  public static Pipeline standard() {
    return builder()
        // First, so the copies exporters insert (Identity on shared weights, inference Dropout,
        // no-op Reshape) neither become duplicate constants in FoldConstants nor hide Conv → BN.
        .add(new EliminateIdentity())
        // Before every pattern pass: weights, BN statistics and Clip bounds must be constants,
        // and exporters compute some of them (Constant → Cast, Shape arithmetic).
        .add(new FoldConstants())
        // Drops what folding left unread (Constant nodes' sources, shape subgraphs' inputs), so
        // the passes below see the real readers of each value.
        .add(new EliminateDeadNodes())
        // Before conv fusion so a FusedConv is only ever made from a conv with its final pads;
        // needs constant pads, hence after FoldConstants.
        .add(new FoldPadIntoConv())
        // MatMul + Add must be a Gemm before FoldConvBatchNorm looks for Gemm → BN.
        .add(new FuseMatMulAdd())
        // The linear folds come before any activation is fused: once a conv has an activation
        // in its epilogue, a BN or scale after it no longer commutes into the weights.
        .add(new FoldConvBatchNorm())
        // After BN folding (a Mul after Conv → BN is then a Mul after Conv); repeats because a
        // chain Conv → Mul → Add folds one node per run.
        .repeat(new FoldConvScale())
        // Activations directly after a conv; the linear folds above are done by now.
        .add(new FuseConvActivation())
        // After FuseConvActivation, so Conv → Relu → Add gets ADD_RESIDUAL after RELU; fuses the
        // activation after the Add itself (Conv → Add → Relu, the ResNet block).
        .add(new FuseConvAdd())
        // Last of the rewrites: a BN that could not fold joins the epilogue of the fused conv it
        // follows (after its activation), which exists only once the fusions above have run.
        .add(new LowerBatchNorm())
        // After every fusion: the convs left without an activation get their bias as their
        // epilogue, so later stages see one convolution operator.
        .add(new FuseConvBias())
        // Drops constants the folds replaced and anything the rewrites left unread.
        .add(new EliminateDeadNodes())
        .build();
  }

  public static Builder builder() {
    return new Builder();
  }

  public List<Entry> entries() {
    return entries;
  }

  /** The distinct pass names, in pipeline order. */
  public List<String> passNames() {
    Set<String> names = new LinkedHashSet<>();
    for (Entry e : entries) {
      names.add(e.pass().name());
    }
    return List.copyOf(names);
  }

  /** Runs every pass in order and returns the optimized graph; rewrites go to {@code ctx}'s log. */
  public Graph run(Graph graph, PassContext ctx) {
    Graph g = graph;
    for (Entry e : entries) {
      g = e.untilFixedPoint() ? runToFixedPoint(e.pass(), g, ctx) : runOnce(e.pass(), g, ctx);
      ctx.afterPass(e.pass(), g);
    }
    verify(g, "the pipeline");
    return g;
  }

  private static Graph runOnce(Pass pass, Graph graph, PassContext ctx) {
    Graph result = pass.run(graph, ctx);
    if (ctx.verifyEachPass()) {
      verify(result, pass.name());
    }
    return result;
  }

  /**
   * Repeats the pass until a run fires nothing. Every run's rewrites are logged, but only the last
   * run's refusals: earlier ones may have been waiting for a rewrite a later run made.
   */
  private static Graph runToFixedPoint(Pass pass, Graph graph, PassContext ctx) {
    Graph g = graph;
    for (int iteration = 1; iteration <= MAX_ITERATIONS; iteration++) {
      PassContext run = ctx.scratch();
      Graph next = pass.run(g, run);
      if (ctx.verifyEachPass()) {
        verify(next, pass.name() + " (run " + iteration + ")");
      }
      List<Rewrite> fired = run.log().fired();
      fired.forEach(ctx::record);
      if (fired.isEmpty()) {
        run.log().refused().forEach(ctx::record);
        return next;
      }
      g = next;
    }
    throw new IllegalStateException(pass.name() + " still rewrote the graph after " + MAX_ITERATIONS
        + " runs");
  }

  private static void verify(Graph graph, String after) {
    List<String> problems = GraphVerifier.check(graph);
    if (!problems.isEmpty()) {
      throw new IllegalStateException("graph '" + graph.name() + "' is invalid after " + after + ": "
          + String.join("; ", problems));
    }
  }

  /** Assembles a pipeline in order. */
  public static final class Builder {
    private final List<Entry> entries = new ArrayList<>();

    private Builder() {}

    /** Runs the pass once. */
    public Builder add(Pass pass) {
      entries.add(new Entry(pass, false));
      return this;
    }

    /** Runs the pass until it fires nothing. */
    public Builder repeat(Pass pass) {
      entries.add(new Entry(pass, true));
      return this;
    }

    public Pipeline build() {
      return new Pipeline(entries);
    }
  }
}
