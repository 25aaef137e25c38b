package dev.kiln.compiler.lower;

import dev.kiln.compiler.ir.Graph;
import dev.kiln.compiler.ir.Node;
import java.util.List;

/** Turns one node into the kernel calls that compute it, with every offset fixed. */
@FunctionalInterface
public interface OpLowering {
  List<KernelCall> lower(Node node, LoweringContext ctx);

  /**
   * Scratch floats the node's calls need during its step, planned in the arena before lowering:
   * must agree with what {@link #lower} then uses. Convolutions ask their chosen algorithm.
   */
  default long workspaceFloats(Node node, Graph graph, int threads, boolean referenceKernels) {
    return 0;
  }
}
