package dev.kiln.compiler.lower;

import dev.kiln.compiler.api.CompileResult;
import dev.kiln.compiler.ir.Graph;
import dev.kiln.compiler.ir.Node;
import dev.kiln.compiler.memory.MemoryPlan;
import dev.kiln.compiler.memory.MemoryPlanner;
import dev.kiln.compiler.memory.PlanOptions;
import dev.kiln.compiler.testing.Attr;
import dev.kiln.compiler.testing.ModelBuilder;
import dev.kiln.compiler.testing.Tensors;
import dev.kiln.runtime.kernels.ConvShape;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Lowered programs with fused convolution epilogues (activations, residual adds, scale-shifts) built
 * directly through the lowering's own {@code ConvLowering.call}, for backends to test against the
 * runtime's {@code Epilogue} semantics before the optimizer that fuses them exists on their branch.
 *
 * <p>The graph: inputs {@code x} and {@code r} ({@code [1, 8, 10, 9]}), and one 3×3 padded conv per
 * variant writing graph output {@code y_<name>} of the same shape, so {@code r} can be every
 * variant's residual.
 */
public final class FusedConvPrograms {
  /**
   * One fused convolution.
   *
   * @param choice its algorithm
   * @param depthwise one group per channel (else a dense 8 → 8 conv)
   * @param steps the epilogue after the bias; a {@code ScaleShift}'s offsets are ignored (this
   *     class adds the vectors to the weights)
   */
  public record Variant(String name, ConvChoice choice, boolean depthwise, boolean bias,
      List<EpilogueSpec.Step> steps) {}

  private FusedConvPrograms() {}

  public static CompileResult build(List<Variant> variants) {
    ModelBuilder b = new ModelBuilder(13).input("x", 1, 8, 10, 9).input("r", 1, 8, 10, 9);
    int seed = 500;
    for (Variant v : variants) {
      b.initializer(v.name() + "_w", Tensors.random(seed++, 8, v.depthwise() ? 1 : 8, 3, 3));
      List<String> inputs = new ArrayList<>(List.of("x", v.name() + "_w"));
      if (v.bias()) {
        b.initializer(v.name() + "_b", Tensors.random(seed++, 8));
        inputs.add(v.name() + "_b");
      }
      b.namedNode(v.name(), "Conv", inputs, List.of("y_" + v.name()), Attr.ints("pads", 1, 1, 1, 1),
          Attr.i("group", v.depthwise() ? 8 : 1)).output("y_" + v.name());
    }
    Graph graph = b.importGraph();
    Map<String, ConvChoice> choices = new LinkedHashMap<>();
    Map<String, Variant> byName = new LinkedHashMap<>();
    for (Variant v : variants) {
      choices.put(v.name(), v.choice());
      byName.put(v.name(), v);
    }
    MemoryPlan plan = MemoryPlanner.plan(graph, PlanOptions.DEFAULTS.withWorkspace(node -> {
      Variant v = byName.get(node.name());
      return v == null ? 0 : (long) v.choice().kernel().workspaceFloats(ConvLowering.shapeOf(node, graph), 1) * Float.BYTES;
    }));
    WeightsBlob weights = new WeightsBlob();
    LoweringContext ctx = new LoweringContext(graph, plan, weights, (node, shape) -> choices.get(node.name()),
        false);
    List<KernelCall> calls = new ArrayList<>();
    int seedForVectors = 900;
    for (Node node : graph.nodes()) {
      Variant v = byName.get(node.name());
      ConvShape shape = ConvLowering.shapeOf(node, graph);
      float[] packed = new float[v.choice().kernel().packedWeightFloats(shape)];
      v.choice().kernel().packWeights(shape, ctx.constant(node.input(1)).toFloatArray(), 0, packed, 0);
      int weightOffset = ctx.addWeights(v.choice().kernel().name() + ":" + node.input(1), packed);
      int biasOffset = v.bias() ? ctx.constantOffset(node.input(2)) : -1;
      List<EpilogueSpec.Step> steps = new ArrayList<>();
      boolean residual = false;
      for (EpilogueSpec.Step s : v.steps()) {
        if (s instanceof EpilogueSpec.ScaleShift) {
          int scale = ctx.addWeights("scale:" + seedForVectors, Tensors.random(seedForVectors++, 8).toFloatArray());
          int shift = ctx.addWeights("shift:" + seedForVectors, Tensors.random(seedForVectors++, 8).toFloatArray());
          steps.add(new EpilogueSpec.ScaleShift(scale, shift));
        } else {
          residual |= s instanceof EpilogueSpec.ResidualAdd;
          steps.add(s);
        }
      }
      calls.add(ConvLowering.call(node, ctx, v.choice(), shape, new EpilogueSpec(8, biasOffset, steps),
          weightOffset, residual ? "r" : null));
    }
    List<Program.IoSlot> ins = new ArrayList<>();
    graph.inputs().forEach(in -> ins.add(new Program.IoSlot(in.name(), in.type().shape().dims(), ctx.arenaOffset(in.name()))));
    List<Program.IoSlot> outs = new ArrayList<>();
    for (String out : graph.outputs()) {
      outs.add(new Program.IoSlot(out, graph.type(out).shape().dims(), ctx.arenaOffset(out)));
    }
    Program program = new Program(graph.name(), calls, Math.toIntExact(plan.arenaBytes() / Float.BYTES),
        1, weights.toArray(), ins, outs, plan);
    return new CompileResult(graph, graph, choices, plan, program);
  }
}
