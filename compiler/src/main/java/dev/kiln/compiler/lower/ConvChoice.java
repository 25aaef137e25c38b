package dev.kiln.compiler.lower;

import dev.kiln.runtime.kernels.conv.ConvKernel;
import dev.kiln.runtime.kernels.conv.ConvKernels;
import java.util.Objects;

/**
 * The algorithm a convolution layer runs with, and why.
 *
 * @param kernelField the public static final field holding the kernel singleton, as generated code
 *     refers to it (e.g. {@code DirectConv.INSTANCE})
 */
public record ConvChoice(ConvKernel kernel, Class<?> kernelOwner, String kernelField, String reason) {
  public ConvChoice {
    Objects.requireNonNull(kernel);
    Objects.requireNonNull(kernelOwner);
    Objects.requireNonNull(kernelField);
    Objects.requireNonNull(reason);
  }

  /** A registered kernel, referred to by its constant in {@link ConvKernels}. */
  public static ConvChoice of(ConvKernel kernel, String reason) {
    return new ConvChoice(kernel, ConvKernels.class, ConvKernels.constantName(kernel), reason);
  }
}
