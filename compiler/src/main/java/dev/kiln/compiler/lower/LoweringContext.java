package dev.kiln.compiler.lower;

import dev.kiln.compiler.KilnException;
import dev.kiln.compiler.ir.Graph;
import dev.kiln.compiler.ir.Node;
import dev.kiln.compiler.ir.Tensor;
import dev.kiln.compiler.ir.TensorType;
import dev.kiln.compiler.ir.TypeInference;
import dev.kiln.compiler.memory.MemoryPlan;

/** What an operator's lowering can ask: value types, arena and weight offsets, scratch, algorithm choices. */
public final class LoweringContext {
  private final Graph graph;
  private final MemoryPlan plan;
  private final WeightsBlob weights;
  private final ConvChooser chooser;
  private final boolean referenceKernels;

  LoweringContext(Graph graph, MemoryPlan plan, WeightsBlob weights, ConvChooser chooser,
      boolean referenceKernels) {
    this.graph = graph;
    this.plan = plan;
    this.weights = weights;
    this.chooser = chooser;
    this.referenceKernels = referenceKernels;
  }

  /** Whether every operator must use its reference kernel (bit-identical to the interpreter). */
  public boolean referenceKernels() {
    return referenceKernels;
  }

  public Graph graph() {
    return graph;
  }

  public TensorType type(String value) {
    return graph.type(value);
  }

  public boolean isConstant(String value) {
    return graph.isConstant(value);
  }

  public Tensor constant(String value) {
    return graph.constant(value);
  }

  /**
   * The value of the node's input {@code i}, which the lowering needs at compile time (a kernel
   * parameter or a table is computed from it), or {@code null} when the input is absent.
   *
   * @param role what the input is, for the error message ("scales", "pads")
   */
  public Tensor constantInput(Node node, int i, String role) {
    if (!node.hasInput(i)) {
      return null;
    }
    if (!isConstant(node.input(i))) {
      throw error(node, "input " + i + " (" + role + ") is computed at run time, but code generation"
          + " needs its value: it must be constant");
    }
    return constant(node.input(i));
  }

  /** The array a value lives in: the arena, or the weights for a constant. */
  public Arg array(String value) {
    return isConstant(value) ? new Arg.Weights() : new Arg.Arena();
  }

  /** The value's offset in floats, in the arena or (for a constant) the weights. */
  public Arg.IntArg offset(String value, String role) {
    return new Arg.IntArg(floatOffset(value), role);
  }

  /** The value's offset in floats, in the array {@link #array} names. */
  public int floatOffset(String value) {
    return isConstant(value) ? constantOffset(value) : arenaOffset(value);
  }

  public int arenaOffset(String value) {
    long bytes = plan.valueOffset(value);
    return Math.toIntExact(bytes / Float.BYTES);
  }

  /** Adds a constant's float data to the weights (once) and returns its offset. */
  public int constantOffset(String value) {
    return weights.add("const:" + value, constant(value).toFloatArray());
  }

  /** Adds derived weights (packed, transformed) under a key and returns their offset. */
  public int addWeights(String key, float[] values) {
    return weights.add(key, values);
  }

  /** The node's scratch offset in floats, and 0 when it has none. */
  public int scratchOffset(Node node) {
    MemoryPlan.Buffer b = plan.scratch(node.name());
    return b == null ? 0 : Math.toIntExact(b.offset() / Float.BYTES);
  }

  public ConvChoice convChoice(Node node, dev.kiln.runtime.kernels.ConvShape shape) {
    return chooser.choose(node, shape);
  }

  /** A lowering failure, located like every other node error. */
  public KilnException error(Node node, String message) {
    return new KilnException(TypeInference.where(graph.source(), node, graph.opset()) + ": " + message);
  }
}
