package dev.kiln.compiler.lower;

import dev.kiln.compiler.ir.Node;
import java.util.List;

/** Turns one node into the kernel calls that compute it, with every offset fixed. */
@FunctionalInterface
public interface OpLowering {
  List<KernelCall> lower(Node node, LoweringContext ctx);
}
