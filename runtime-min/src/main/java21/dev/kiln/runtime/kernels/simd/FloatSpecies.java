package dev.kiln.runtime.kernels.simd;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * The float species every Vector API kernel uses: the preferred one, capped at {@link
 * Vectorization#MAX_VECTOR_BITS}. A {@code static final} so C2 folds it into the kernels as a constant.
 * Only java21-layer classes may touch this class, and only after {@link Vectorization} said yes.
 */
public final class FloatSpecies {
  public static final VectorSpecies<Float> PREFERRED = FloatVector.SPECIES_PREFERRED.vectorBitSize()
      <= Vectorization.MAX_VECTOR_BITS ? FloatVector.SPECIES_PREFERRED
      : FloatVector.SPECIES_512;

  private FloatSpecies() {}
}
