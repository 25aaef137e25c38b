package dev.kiln.compiler.lower;

import dev.kiln.compiler.ir.Node;
import dev.kiln.runtime.kernels.ConvShape;
import dev.kiln.runtime.kernels.conv.DirectConv;

/** Picks each convolution's algorithm; the selection stage provides the real one. */
@FunctionalInterface
public interface ConvChooser {
  ConvChoice choose(Node node, ConvShape shape);

  /** Direct convolution everywhere: no weight growth, no workspace. */
  ConvChooser DIRECT = (node, shape) ->
      new ConvChoice(DirectConv.INSTANCE, DirectConv.class, "INSTANCE", "direct: the only algorithm requested");
}
