package dev.kiln.compiler.lower;

import dev.kiln.compiler.KilnException;
import dev.kiln.compiler.ir.DType;
import dev.kiln.compiler.ir.Graph;
import dev.kiln.compiler.ir.Node;
import dev.kiln.compiler.ir.TypeInference;
import dev.kiln.compiler.ir.Value;
import dev.kiln.compiler.memory.MemoryPlan;
import dev.kiln.compiler.ops.FusedConv;
import dev.kiln.compiler.ops.ScaleShift;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Turns an optimized graph, its memory plan and the chosen convolution algorithms into a
 * {@link Program}: the nodes in the plan's order, each as kernel calls with fixed offsets; nodes the
 * plan eliminated (views, Concats written in place) produce nothing.
 *
 * <p>Compiled code computes float32 tensors only: a node with an integer or bool output is rejected
 * (shape computations must have been evaluated at compile time), as is every operator in
 * {@link #COMPILE_TIME_ONLY}.
 */
public final class Lowering {
  private static final Map<String, OpLowering> LOWERINGS = new HashMap<>();

  /** Operators that only ever compute compile-time values, with the reason; none lowers. */
  public static final Map<String, String> COMPILE_TIME_ONLY = Map.of(
      "Shape", "its int64 result is the static shape of its input, known at compile time; it must be"
          + " folded away before code generation");

  static {
    OpLowering elementwise = new ElementwiseLowering();
    for (String op : List.of("Relu", "LeakyRelu", "Sigmoid", "HardSigmoid", "HardSwish", "Tanh",
        "Erf", "Exp", "Sqrt", "Reciprocal", "Clip", "Add", "Sub", "Mul", "Div", "Pow", "PRelu")) {
      LOWERINGS.put(op, elementwise);
    }
    OpLowering pool = new PoolLowering();
    for (String op : List.of("MaxPool", "AveragePool", "GlobalAveragePool", "GlobalMaxPool")) {
      LOWERINGS.put(op, pool);
    }
    OpLowering normalization = new NormalizationLowering();
    LOWERINGS.put("BatchNormalization", normalization);
    LOWERINGS.put("Softmax", normalization);
    LOWERINGS.put(ScaleShift.TYPE, normalization);
    OpLowering conv = new ConvLowering();
    LOWERINGS.put("Conv", conv);
    LOWERINGS.put(FusedConv.TYPE, conv);
    LOWERINGS.put("Gemm", new GemmLowering());

    LOWERINGS.put("LayerNormalization", LayerNormLowering::lower);
    LOWERINGS.put("ConvTranspose", ConvTransposeLowering::lower);
    LOWERINGS.put("MatMul", GemmLowering::matmul);
    LOWERINGS.put("ReduceMean", ReduceLowering::mean);
    LOWERINGS.put("Resize", ResizeLowering::lower);
    LOWERINGS.put("Upsample", ResizeLowering::lower);
    LOWERINGS.put("Concat", LayoutLowering::concat);
    LOWERINGS.put("Split", LayoutLowering::split);
    LOWERINGS.put("Slice", LayoutLowering::slice);
    LOWERINGS.put("Transpose", LayoutLowering::transpose);
    LOWERINGS.put("Gather", LayoutLowering::gather);
    LOWERINGS.put("Pad", LayoutLowering::pad);
    // Views are eliminated unless they view a constant, which must then be copied into the arena.
    for (String op : List.of("Reshape", "Flatten", "Squeeze", "Unsqueeze", "Identity")) {
      LOWERINGS.put(op, CopyLowering::view);
    }
    LOWERINGS.put("Dropout", CopyLowering::dropout);
    LOWERINGS.put("Cast", CopyLowering::cast);
    LOWERINGS.put("Constant", CopyLowering::constant);
    LOWERINGS.put("ConstantOfShape", CopyLowering::constantOfShape);
  }

  private Lowering() {}

  /**
   * @param choices the algorithm of every Conv node, by node name
   */
  public static Program lower(Graph graph, MemoryPlan plan, Map<String, ConvChoice> choices) {
    return lower(graph, plan, choices, 1, false);
  }

  /**
   * @param choices the algorithm of every Conv node, by node name
   * @param maxThreads the most threads a session may use; the plan's workspace must hold that many
   * @param referenceKernels use the reference kernel of every operator (bit-identical to the
   *     interpreter) instead of the fast ones
   */
  public static Program lower(Graph graph, MemoryPlan plan, Map<String, ConvChoice> choices,
      int maxThreads, boolean referenceKernels) {
    WeightsBlob weights = new WeightsBlob();
    LoweringContext ctx = new LoweringContext(graph, plan, weights, (node, shape) -> {
      ConvChoice c = choices.get(node.name());
      if (c == null) {
        throw new IllegalStateException("no algorithm chosen for " + node.describe());
      }
      return c;
    }, referenceKernels);
    Map<String, Node> nodes = new HashMap<>();
    graph.nodes().forEach(n -> nodes.put(n.name(), n));
    List<KernelCall> calls = new ArrayList<>();
    Map<String, Integer> weightFloatsByLayer = new LinkedHashMap<>();
    for (String name : plan.schedule()) {
      if (plan.isEliminated(name)) {
        continue;
      }
      Node node = nodes.get(name);
      String compileTimeOnly = COMPILE_TIME_ONLY.get(node.opType());
      if (compileTimeOnly != null) {
        throw ctx.error(node, "not supported in compiled code: " + compileTimeOnly);
      }
      OpLowering lowering = LOWERINGS.get(node.opType());
      if (lowering == null) {
        throw new KilnException(TypeInference.where(graph.source(), node, graph.opset())
            + ": code generation does not support this operator on run-time data yet");
      }
      requireFloatOutputs(node, ctx);
      int weightsBefore = weights.size();
      calls.addAll(lowering.lower(node, ctx));
      weightFloatsByLayer.put(name, weights.size() - weightsBefore);
    }
    List<Program.IoSlot> inputs = new ArrayList<>();
    for (Value in : graph.inputs()) {
      if (in.type().dtype() != DType.FLOAT32) {
        throw new KilnException(graph.source() + ": input '" + in.name() + "' is " + in.type()
            + "; a compiled model takes float32 inputs only");
      }
      inputs.add(new Program.IoSlot(in.name(), in.type().shape().dims(), ctx.arenaOffset(in.name())));
    }
    List<Program.IoSlot> outputs = new ArrayList<>();
    for (String out : graph.outputs()) {
      if (!plan.hasValue(out)) {
        throw new KilnException(graph.source() + ": graph output '" + out
            + "' is a constant; a compiled model computes its outputs from its inputs");
      }
      if (graph.type(out).dtype() != DType.FLOAT32) {
        throw new KilnException(graph.source() + ": output '" + out + "' is " + graph.type(out)
            + "; a compiled model gives float32 outputs only");
      }
      outputs.add(new Program.IoSlot(out, graph.type(out).shape().dims(), ctx.arenaOffset(out)));
    }
    return new Program(graph.name(), calls, Math.toIntExact(plan.arenaBytes() / Float.BYTES),
        maxThreads, weights.toArray(), inputs, outputs, plan, weightFloatsByLayer);
  }

  /**
   * Integer and bool values exist in Kiln only while compiling (shapes, indices); a node that would
   * compute one at run time cannot be compiled. Dropout's bool mask is its lowering's business.
   */
  private static void requireFloatOutputs(Node node, LoweringContext ctx) {
    for (int i = 0; i < node.outputs().size(); i++) {
      String out = node.output(i);
      if (out.isEmpty() || ctx.type(out).dtype().isFloat()
          || (node.opType().equals("Dropout") && i == 1)) {
        continue;
      }
      throw ctx.error(node, "output '" + out + "' is " + ctx.type(out).dtype() + ": compiled code"
          + " only computes float32 tensors (integer and bool values must be computed at compile"
          + " time)");
    }
  }

  /**
   * The scratch bytes a node's kernel calls will need, for the memory planner: the chosen algorithm's
   * workspace for a convolution, the lowering's own need for anything else.
   */
  public static long workspaceBytes(Node node, Graph graph, Map<String, ConvChoice> choices,
      int threads, boolean referenceKernels) {
    ConvChoice choice = choices.get(node.name());
    if (choice != null) {
      return (long) choice.kernel().workspaceFloats(convShape(node, graph), threads) * Float.BYTES;
    }
    OpLowering lowering = LOWERINGS.get(node.opType());
    return lowering == null ? 0
        : lowering.workspaceFloats(node, graph, threads, referenceKernels) * Float.BYTES;
  }

  /**
   * Convolutions that share a weight tensor and an algorithm share its packed copy: this key. The
   * algorithm selection counts the weights the same way.
   */
  public static String packedWeightsKey(String algorithm, String weightValue) {
    return algorithm + ":" + weightValue;
  }

  /** The geometry of a convolution node, as its kernel sees it. */
  public static dev.kiln.runtime.kernels.ConvShape convShape(Node node, Graph graph) {
    return ConvLowering.shapeOf(node, graph);
  }

  /** Whether the lowering knows an operator. */
  public static boolean supports(String opType) {
    return LOWERINGS.containsKey(opType);
  }
}
