package dev.kiln.compiler.memory;

import dev.kiln.compiler.ir.Node;
import java.util.function.ToLongFunction;

/**
 * What the memory planner needs besides the graph.
 *
 * @param workspaceBytes scratch bytes each node's kernel needs during its step (0 for none)
 * @param ioLiveWholeRun keep graph inputs and outputs live for the whole run (they sit in the arena,
 *     copied in before the first step and out after the last); false when the caller's buffers are
 *     used directly, which frees inputs after their last use
 */
public record PlanOptions(ToLongFunction<Node> workspaceBytes, boolean ioLiveWholeRun) {
  public static final PlanOptions DEFAULTS = new PlanOptions(node -> 0L, true);

  public PlanOptions withWorkspace(ToLongFunction<Node> bytes) {
    return new PlanOptions(bytes, ioLiveWholeRun);
  }
}
