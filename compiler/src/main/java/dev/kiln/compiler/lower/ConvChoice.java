package dev.kiln.compiler.lower;

import dev.kiln.runtime.kernels.conv.ConvKernel;
import dev.kiln.runtime.kernels.conv.ConvKernels;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
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

  /**
   * A registered kernel, referred to by its constant in {@link ConvKernels}; a backend's own kernel
   * (the OpenCL device's), by the public static constant of its class that holds it.
   */
  public static ConvChoice of(ConvKernel kernel, String reason) {
    if (ConvKernels.all().contains(kernel)) {
      return new ConvChoice(kernel, ConvKernels.class, ConvKernels.constantName(kernel), reason);
    }
    for (Field f : kernel.getClass().getFields()) {
      try {
        if (Modifier.isStatic(f.getModifiers()) && Modifier.isFinal(f.getModifiers())
            && f.get(null) == kernel) {
          return new ConvChoice(kernel, kernel.getClass(), f.getName(), reason);
        }
      } catch (IllegalAccessException e) {
        // Not readable here, so generated code could not read it either: try the next one.
      }
    }
    throw new IllegalArgumentException("the convolution algorithm '" + kernel.name() + "' ("
        + kernel.getClass().getName() + ") is neither in ConvKernels nor held by a public static"
        + " final field of its class");
  }
}
