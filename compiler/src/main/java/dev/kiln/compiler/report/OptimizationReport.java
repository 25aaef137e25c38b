package dev.kiln.compiler.report;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.kiln.compiler.ir.Graph;
import dev.kiln.compiler.ir.Node;
import dev.kiln.compiler.ops.EpilogueStep;
import dev.kiln.compiler.ops.FusedConv;
import dev.kiln.compiler.passes.Rewrite;
import dev.kiln.compiler.passes.RewriteLog;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * What the optimizer did to a graph: node counts by op type before and after, what the fused
 * convolutions' epilogues hold, and the rewrites that fired and the candidates refused (with why).
 * {@code kiln inspect --optimized --json} prints it under {@code graph}; the compile report will too.
 *
 * @param epilogueSteps over all fused convolutions, how many carry each step (BIAS, RELU,
 *     ADD_RESIDUAL, CLIP(0.0, 6.0)...)
 */
public record OptimizationReport(Map<String, Integer> nodesBefore, Map<String, Integer> nodesAfter,
    Map<String, Integer> epilogueSteps, List<Rewrite> rewrites, List<Rewrite> refused) {

  public OptimizationReport {
    nodesBefore = Collections.unmodifiableMap(new TreeMap<>(nodesBefore));
    nodesAfter = Collections.unmodifiableMap(new TreeMap<>(nodesAfter));
    epilogueSteps = Collections.unmodifiableMap(new TreeMap<>(epilogueSteps));
    rewrites = List.copyOf(rewrites);
    refused = List.copyOf(refused);
  }

  public static OptimizationReport of(Graph before, Graph after, RewriteLog log) {
    Map<String, Integer> steps = new TreeMap<>();
    for (Node n : after.nodes()) {
      if (n.op() instanceof FusedConv f) {
        if (f.hasBias()) {
          steps.merge("BIAS", 1, Integer::sum);
        }
        for (EpilogueStep s : f.steps()) {
          steps.merge(s.toString(), 1, Integer::sum);
        }
      }
    }
    return new OptimizationReport(before.opCounts(), after.opCounts(), steps, log.fired(),
        log.refused());
  }

  /** Writes {@code nodesBefore}, {@code nodesAfter}, {@code epilogueSteps}, {@code rewrites} and {@code refused}. */
  public void writeTo(ObjectNode o) {
    ObjectNode beforeNode = o.putObject("nodesBefore");
    nodesBefore.forEach(beforeNode::put);
    ObjectNode afterNode = o.putObject("nodesAfter");
    nodesAfter.forEach(afterNode::put);
    ObjectNode stepsNode = o.putObject("epilogueSteps");
    epilogueSteps.forEach(stepsNode::put);
    writeRewrites(o.putArray("rewrites"), rewrites);
    writeRewrites(o.putArray("refused"), refused);
  }

  private static void writeRewrites(ArrayNode array, List<Rewrite> list) {
    for (Rewrite r : list) {
      array.addObject().put("pass", r.pass()).put("node", r.node()).put("message", r.message());
    }
  }
}
