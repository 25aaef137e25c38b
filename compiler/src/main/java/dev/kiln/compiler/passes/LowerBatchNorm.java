package dev.kiln.compiler.passes;

import static dev.kiln.compiler.passes.Patterns.label;

import dev.kiln.compiler.ir.Graph;
import dev.kiln.compiler.ir.Node;
import dev.kiln.compiler.ir.Shape;
import dev.kiln.compiler.ir.Tensor;
import dev.kiln.compiler.ops.BatchNormalization;
import dev.kiln.compiler.ops.Conv;
import dev.kiln.compiler.ops.EpilogueStep.ScaleShiftStep;
import dev.kiln.compiler.ops.FusedConv;
import dev.kiln.compiler.ops.ScaleShift;
import dev.kiln.runtime.kernels.reference.ReferenceNormalization;
import java.util.ArrayList;
import java.util.List;

/**
 * Lowers each BatchNormalization that FoldConvBatchNorm could not fold (one after a Relu, say) to
 * the per-channel scale-shift it computes at inference, {@code y = x·m[c] + a[c]} with
 * m = γ/√(σ²+ε) and a = β − μ·m. Where it directly follows a convolution (fused or not) that nothing
 * else reads, the scale-shift becomes the last step of that conv's epilogue, applied after the
 * activation, which is exactly the order the graph computes; otherwise it runs as a standalone
 * {@code kiln.ScaleShift}.
 *
 * <p>m and a are computed as runtime-min's BatchNormalization kernel computes them, so the lowered
 * graph gives the same bits as the reference. Needs constant statistics.
 */
public final class LowerBatchNorm implements Pass {
  @Override
  public String summary() {
    return "Turns each remaining BatchNormalization into a scale-shift: a fused conv's epilogue step"
        + " where it follows one, else a kiln.ScaleShift.";
  }

  @Override
  public Graph run(Graph graph, PassContext ctx) {
    GraphEdit edit = new GraphEdit(graph);
    for (Node bn : graph.nodes()) {
      if (!(bn.op() instanceof BatchNormalization norm)) {
        continue;
      }
      String[] roles = {"scale", "B", "mean", "var"};
      float[][] stats = new float[4][];
      String refusal = null;
      for (int i = 0; i < 4 && refusal == null; i++) {
        Tensor t = graph.constant(bn.input(i + 1));
        if (t == null) {
          refusal = "has its " + roles[i] + " '" + bn.input(i + 1) + "' computed at run time";
        } else {
          stats[i] = t.toFloatArray();
        }
      }
      if (refusal != null) {
        ctx.refused(this, bn, "not lowered: " + label(bn) + " " + refusal);
        continue;
      }
      int channels = stats[0].length;
      float[] multiplier = new float[channels];
      float[] offset = new float[channels];
      for (int c = 0; c < channels; c++) {
        multiplier[c] = ReferenceNormalization.batchNormMultiplier(stats[0][c], stats[3][c],
            norm.epsilon());
        offset[c] = ReferenceNormalization.batchNormOffset(stats[1][c], stats[2][c], multiplier[c]);
      }
      String scale = edit.addConstant(bn.name() + ".scale", Tensor.adopt(Shape.of(channels), multiplier));
      String shift = edit.addConstant(bn.name() + ".shift", Tensor.adopt(Shape.of(channels), offset));

      Node conv = graph.producer(bn.input(0));
      String notFusable = whyNotFusable(graph, conv, bn);
      if (notFusable == null) {
        FusedConv fused = conv.op() instanceof FusedConv f ? f.withStep(new ScaleShiftStep())
            : new FusedConv((Conv) conv.op(), conv.hasInput(2), List.of(new ScaleShiftStep()));
        // Scale-shift inputs come last, in step order, after the bias slot and any residual.
        List<String> inputs = new ArrayList<>(conv.inputs());
        while (inputs.size() < 3) {
          inputs.add("");
        }
        inputs.add(scale);
        inputs.add(shift);
        edit.fuse(List.of(conv, bn), new Node(conv.name(), fused, inputs, List.of(bn.output(0))));
        ctx.fired(this, bn, "fused " + label(bn) + " into " + label(conv)
            + " as a scale-shift: epilogue " + fused.describeEpilogue());
      } else {
        edit.replace(bn, new Node(bn.name(), new ScaleShift(), List.of(bn.input(0), scale, shift),
            bn.outputs()));
        ctx.fired(this, bn, "lowered " + label(bn) + " to a standalone " + ScaleShift.TYPE + ": it "
            + notFusable);
      }
    }
    return edit.build();
  }

  /** Why the scale-shift cannot join the epilogue of {@code conv}, or {@code null}. */
  private static String whyNotFusable(Graph graph, Node conv, Node bn) {
    if (conv == null) {
      return "reads " + Patterns.origin(graph, bn.input(0));
    }
    if (!Patterns.isConv(conv)) {
      return "follows " + label(conv) + ", not a conv";
    }
    String readers = Patterns.otherReaders(graph, bn.input(0), bn);
    if (readers != null) {
      return "follows " + label(conv) + ", " + readers;
    }
    return FuseConvActivation.biasProblem(graph, conv);
  }
}
