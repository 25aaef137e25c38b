package dev.kiln.compiler.passes;

import dev.kiln.compiler.ir.Graph;

/**
 * One graph rewrite, one class: a verb-object name ({@code FoldConvBatchNorm}), a one-line summary,
 * and {@link #run}. A pass makes only legal rewrites (the graph computes the same function
 * afterwards, up to float rounding) and tells the context about every rewrite it made and every
 * candidate it refused, with the reason.
 */
public interface Pass {
  /** The name {@code --dump-after} and the trace use: the class's simple name. */
  default String name() {
    return getClass().getSimpleName();
  }

  /** What the pass does, in one line. */
  String summary();

  /**
   * Returns the rewritten graph (or {@code graph} itself when nothing applied), having reported each
   * rewrite to {@code ctx}. Never modifies its argument: graphs are immutable.
   */
  Graph run(Graph graph, PassContext ctx);
}
