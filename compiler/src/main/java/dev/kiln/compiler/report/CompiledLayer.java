package dev.kiln.compiler.report;

import dev.kiln.compiler.api.CompileResult;
import dev.kiln.compiler.ir.Cost;
import dev.kiln.compiler.lower.ConvChoice;
import dev.kiln.compiler.lower.KernelCall;
import dev.kiln.compiler.lower.Program;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * One layer of a compiled program as reports show it: the node, the algorithm that runs it and why,
 * and its cost. Layers are the program's ({@link Program#layers()}), in execution order, so index i
 * is slot i of a profile ({@code KilnModel.executeProfiled}).
 *
 * @param algorithm the convolution algorithm, or the kernel method ({@code ReferencePool.maxPool2d})
 *     for operators with a single implementation
 * @param cost the node's FLOPs and bytes ({@link LayerCost})
 */
public record CompiledLayer(int index, String name, String op, String algorithm, String reason,
    Cost cost) {

  public long flops() {
    return cost.flops();
  }

  /** Bytes read and written, each input and output once. */
  public long bytes() {
    return cost.bytesMoved();
  }

  public double arithmeticIntensity() {
    return cost.arithmeticIntensity();
  }

  /** The program's layers with their algorithms and the optimized graph's costs. */
  public static List<CompiledLayer> of(CompileResult result) {
    Map<String, Cost> costs = new HashMap<>();
    for (LayerCost c : LayerCost.of(result.optimized())) {
      costs.put(c.name(), c.cost());
    }
    Program program = result.program();
    List<CompiledLayer> layers = new ArrayList<>();
    for (Program.Layer l : program.layers()) {
      List<KernelCall> calls = program.calls().subList(l.firstCall(), l.endCall());
      ConvChoice choice = result.choices().get(l.name());
      String algorithm;
      String reason;
      if (choice != null) {
        algorithm = choice.kernel().name();
        reason = choice.reason();
      } else {
        KernelCall first = calls.get(0);
        algorithm = first.owner().getSimpleName() + "." + first.method();
        Set<String> comments = new LinkedHashSet<>();
        calls.forEach(c -> {
          if (!c.comment().isEmpty()) {
            comments.add(c.comment());
          }
        });
        reason = comments.isEmpty() ? "the only kernel for " + l.opType() : String.join("; ", comments);
      }
      layers.add(new CompiledLayer(layers.size(), l.name(), l.opType(), algorithm, reason,
          costs.getOrDefault(l.name(), Cost.ZERO)));
    }
    return List.copyOf(layers);
  }
}
