package dev.kiln.compiler.passes;

import static dev.kiln.compiler.passes.Patterns.label;

import dev.kiln.compiler.ir.Attributes;
import dev.kiln.compiler.ir.Graph;
import dev.kiln.compiler.ir.Node;
import dev.kiln.compiler.ir.Op;
import dev.kiln.compiler.ir.Shape;
import dev.kiln.compiler.ir.Tensor;
import dev.kiln.compiler.ops.AveragePool;
import dev.kiln.compiler.ops.Conv;
import dev.kiln.compiler.ops.FusedConv;
import dev.kiln.compiler.ops.MaxPool;
import dev.kiln.compiler.ops.Window;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Merges an explicit constant Pad of the spatial axes into the padding of the Conv or pool that
 * reads it: {@code Conv(Pad(x, p)) = Conv'(x)} with the conv's pads grown by p on each side, which
 * saves materializing the padded tensor.
 *
 * <p>Legal when the Pad's output feeds that one node (as its data input) and is no graph output, the
 * mode is {@code constant}, the pads are constants, non-negative and leave batch and channels alone,
 * and the pad value is the one the consumer's own padding stands for: 0 for a Conv and for an
 * AveragePool that counts padding in its average ({@code count_include_pad=1}, or no padding of its
 * own, in which case it is switched on), −∞ for a MaxPool. Pools with {@code ceil_mode} are left
 * alone (their last window may reach past the padding, where explicit and implicit pads differ). A
 * consumer with automatic padding gets the explicit pads it resolved to, plus the Pad's.
 */
public final class FoldPadIntoConv implements Pass {
  @Override
  public String summary() {
    return "Merges a constant-zero Pad before a Conv or pool into the consumer's pads.";
  }

  @Override
  public Graph run(Graph graph, PassContext ctx) {
    GraphEdit edit = new GraphEdit(graph);
    for (Node pad : graph.nodes()) {
      if (!pad.opType().equals("Pad")) {
        continue;
      }
      String refusal = fold(graph, edit, pad, ctx);
      if (refusal != null) {
        ctx.refused(this, pad, "not folded: " + label(pad) + " " + refusal);
      }
    }
    return edit.build();
  }

  private String fold(Graph graph, GraphEdit edit, Node pad, PassContext ctx) {
    Attributes a = pad.op().attributes();
    String mode = a.getString("mode", "constant");
    if (!mode.equals("constant")) {
      return "uses mode " + mode + ", not constant";
    }
    int rank = graph.type(pad.input(0)).rank();
    long[] pads;
    float value = 0f;
    if (a.has("pads")) {
      pads = a.getLongs("pads");
      value = a.getFloat("value", 0f);
    } else {
      Tensor given = Patterns.constantValue(graph, pad.input(1));
      if (given == null) {
        return "has its pads computed at run time";
      }
      if (pad.hasInput(2)) {
        Tensor v = Patterns.constantValue(graph, pad.input(2));
        if (v == null) {
          return "has its pad value computed at run time";
        }
        value = v.floatAt(0);
      }
      pads = given.toLongArray();
      if (pad.hasInput(3)) {
        Tensor axes = Patterns.constantValue(graph, pad.input(3));
        if (axes == null) {
          return "has its axes computed at run time";
        }
        pads = onAllAxes(pads, axes.toLongArray(), rank);
      }
    }
    for (long p : pads) {
      if (p < 0) {
        return "crops (negative pads " + Arrays.toString(pads) + ")";
      }
    }
    if (pads[0] != 0 || pads[1] != 0 || pads[rank] != 0 || pads[rank + 1] != 0) {
      return "pads the batch or channel axis " + Arrays.toString(pads);
    }
    Node consumer = Activations.soleReader(graph, pad.output(0));
    if (consumer == null) {
      return graph.isGraphOutput(pad.output(0)) ? "is a graph output"
          : "is read by " + graph.consumers(pad.output(0)).size() + " nodes";
    }
    Op op = consumer.op();
    boolean isConv = op instanceof Conv || op instanceof FusedConv;
    if (!isConv && !(op instanceof AveragePool) && !(op instanceof MaxPool)) {
      return "is followed by " + label(consumer) + ", not a Conv or pool";
    }
    if (!consumer.input(0).equals(pad.output(0))) {
      return "feeds the weights of " + label(consumer);
    }
    float expected = op instanceof MaxPool ? Float.NEGATIVE_INFINITY : 0f;
    if (value != expected) {
      return "pads with " + value + " but " + label(consumer) + " pads with " + expected;
    }

    Window window;
    Window.Resolved resolved;
    Shape padded = graph.type(pad.output(0)).shape();
    if (isConv) {
      Conv conv = Patterns.convOf(consumer);
      window = conv.window();
      resolved = conv.resolve(graph.type(pad.output(0)), graph.type(consumer.input(1)),
          consumer.hasInput(2) ? graph.type(consumer.input(2)) : null);
    } else {
      window = op instanceof MaxPool m ? m.window() : ((AveragePool) op).window();
      if (window.ceilMode()) {
        return "is followed by " + label(consumer) + " with ceil_mode";
      }
      int[] spatial = Arrays.copyOfRange(padded.dims(), 2, rank);
      resolved = window.resolve(spatial, null);
    }
    int spatialRank = rank - 2;
    int[] merged = new int[2 * spatialRank];
    boolean ownPads = false;
    for (int i = 0; i < spatialRank; i++) {
      merged[i] = resolved.padsBegin()[i] + (int) pads[2 + i];
      merged[spatialRank + i] = resolved.padsEnd()[i] + (int) pads[rank + 2 + i];
      ownPads |= resolved.padsBegin()[i] != 0 || resolved.padsEnd()[i] != 0;
    }
    Window grown = window.withPads(merged);
    Op folded;
    if (op instanceof Conv c) {
      folded = new Conv(grown, c.group());
    } else if (op instanceof FusedConv f) {
      folded = new FusedConv(new Conv(grown, f.conv().group()), f.hasBias(), f.steps());
    } else if (op instanceof MaxPool) {
      folded = new MaxPool(grown);
    } else {
      AveragePool pool = (AveragePool) op;
      if (!pool.countIncludePad() && ownPads) {
        return "is followed by " + label(consumer)
            + ", which leaves its own padding out of the average (count_include_pad=0)";
      }
      folded = new AveragePool(grown, true);
    }
    List<String> inputs = new ArrayList<>(consumer.inputs());
    inputs.set(0, pad.input(0));
    edit.fuse(List.of(pad, consumer), new Node(consumer.name(), folded, inputs, consumer.outputs()));
    int[] before = new int[2 * spatialRank];
    for (int i = 0; i < spatialRank; i++) {
      before[i] = resolved.padsBegin()[i];
      before[spatialRank + i] = resolved.padsEnd()[i];
    }
    ctx.fired(this, pad, "folded " + label(pad) + " into " + label(consumer) + ": pads "
        + Arrays.toString(before) + " -> " + Arrays.toString(merged));
    return null;
  }

  /** Pads given for some axes (opset 18's {@code axes} input), spread over all {@code rank} axes. */
  private static long[] onAllAxes(long[] pads, long[] axes, int rank) {
    long[] all = new long[2 * rank];
    for (int i = 0; i < axes.length; i++) {
      int axis = (int) (axes[i] < 0 ? axes[i] + rank : axes[i]);
      all[axis] = pads[i];
      all[rank + axis] = pads[axes.length + i];
    }
    return all;
  }
}
