package dev.kiln.compiler.lower;

import dev.kiln.compiler.KilnException;
import dev.kiln.compiler.ir.DType;
import dev.kiln.compiler.ir.Graph;
import dev.kiln.compiler.ir.Node;
import dev.kiln.compiler.ir.TypeInference;
import dev.kiln.compiler.ir.Value;
import dev.kiln.compiler.memory.MemoryPlan;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Turns an optimized graph, its memory plan and the chosen convolution algorithms into a
 * {@link Program}: the nodes in the plan's order, each as kernel calls with fixed offsets; nodes the
 * plan eliminated (views, Concats written in place) produce nothing.
 */
public final class Lowering {
  private static final Map<String, OpLowering> LOWERINGS = new HashMap<>();

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
    LOWERINGS.put("Conv", new ConvLowering());
    LOWERINGS.put("Gemm", new GemmLowering());
  }

  private Lowering() {}

  /**
   * @param choices the algorithm of every Conv node, by node name
   */
  public static Program lower(Graph graph, MemoryPlan plan, Map<String, ConvChoice> choices) {
    WeightsBlob weights = new WeightsBlob();
    LoweringContext ctx = new LoweringContext(graph, plan, weights, (node, shape) -> {
      ConvChoice c = choices.get(node.name());
      if (c == null) {
        throw new IllegalStateException("no algorithm chosen for " + node.describe());
      }
      return c;
    });
    Map<String, Node> nodes = new HashMap<>();
    graph.nodes().forEach(n -> nodes.put(n.name(), n));
    List<KernelCall> calls = new ArrayList<>();
    for (String name : plan.schedule()) {
      if (plan.isEliminated(name)) {
        continue;
      }
      Node node = nodes.get(name);
      OpLowering lowering = LOWERINGS.get(node.opType());
      if (lowering == null) {
        throw new KilnException(TypeInference.where(graph.source(), node, graph.opset())
            + ": code generation does not support this operator on run-time data yet");
      }
      calls.addAll(lowering.lower(node, ctx));
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
        weights.toArray(), inputs, outputs, plan);
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
