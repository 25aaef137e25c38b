package dev.kiln.compiler.lower;

import dev.kiln.compiler.ir.Node;
import dev.kiln.runtime.kernels.ConvShape;
import dev.kiln.runtime.kernels.conv.ConvKernel;
import dev.kiln.runtime.kernels.conv.ConvKernels;
import dev.kiln.runtime.kernels.conv.DirectConv;

/** Picks each convolution's algorithm; the selection stage provides the real one. */
@FunctionalInterface
public interface ConvChooser {
  ConvChoice choose(Node node, ConvShape shape);

  /**
   * The first algorithm of {@link ConvKernels#all()} that supports the layer: the specialized ones
   * are listed first. Used until the budget-aware selection decides.
   */
  ConvChooser FIRST_SUPPORTING = (node, shape) -> {
    for (ConvKernel k : ConvKernels.all()) {
      if (k.supports(shape)) {
        return ConvChoice.of(k, "first registered algorithm that supports the layer");
      }
    }
    throw new IllegalStateException("no convolution algorithm supports " + shape);
  };

  /** Direct convolution everywhere: no weight growth, no workspace. */
  ConvChooser DIRECT = (node, shape) ->
      new ConvChoice(DirectConv.INSTANCE, DirectConv.class, "INSTANCE", "direct: the only algorithm requested");
}
