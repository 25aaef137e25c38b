package dev.kiln.runtime.kernels.simd;

import java.util.function.IntSupplier;
import jdk.incubator.vector.FloatVector;

/**
 * Reports the preferred float vector size in bits. Loaded by {@link Vectorization} only after it
 * found {@code jdk.incubator.vector} in the boot layer, so touching the Vector API here is safe.
 */
final class VectorProbe implements IntSupplier {
  VectorProbe() {}

  @Override
  public int getAsInt() {
    return FloatVector.SPECIES_PREFERRED.vectorBitSize();
  }
}
