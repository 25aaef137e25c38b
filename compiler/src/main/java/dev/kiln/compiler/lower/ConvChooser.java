package dev.kiln.compiler.lower;

import dev.kiln.compiler.ir.Node;
import dev.kiln.runtime.kernels.ConvShape;
import dev.kiln.runtime.kernels.conv.DirectConv;

/**
 * Gives the lowering each convolution's algorithm. The algorithm selection ({@code
 * dev.kiln.compiler.select}) decides them for the CPU, a backend's own selection for its device.
 */
@FunctionalInterface
public interface ConvChooser {
  ConvChoice choose(Node node, ConvShape shape);

  /** Direct convolution everywhere: no weight growth, no workspace, the interpreter's arithmetic. */
  ConvChooser DIRECT = (node, shape) ->
      new ConvChoice(DirectConv.INSTANCE, DirectConv.class, "INSTANCE", "direct: the only algorithm requested");
}
