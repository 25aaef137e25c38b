package dev.kiln.runtime.kernels.conv;

import static org.junit.jupiter.api.Assertions.assertSame;

import org.junit.jupiter.api.Test;

class ConvKernelsTest {
  /** Generated code refers to each algorithm by its constant; every registered one must have it. */
  @Test
  void everyAlgorithmHasItsPublicConstant() throws ReflectiveOperationException {
    for (ConvKernel k : ConvKernels.all()) {
      assertSame(k, ConvKernels.class.getField(ConvKernels.constantName(k)).get(null), k.name());
      assertSame(k, ConvKernels.byName(k.name()));
    }
  }
}
