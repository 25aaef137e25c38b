package dev.kiln.runtime.kernels.conv;

import dev.kiln.runtime.kernels.VectorSupport;
import java.lang.invoke.MethodHandles;

import dev.kiln.runtime.kernels.Epilogue;

/**
 * {@link Epilogue#apply} for the conv kernels' output rows: the same result bit for bit (NaN
 * payloads aside, which Java leaves unspecified), computed faster. The scalar implementation is
 * {@link ScalarEpilogueOps}, the Vector API one (java21 layer) {@code VectorEpilogueOps}.
 */
interface EpilogueOps {
  /** Same contract as {@link Epilogue#apply}. */
  void apply(Epilogue e, int channel, float[] out, int off, int count, float[] residual,
      int residualOff);

  /** The implementation this JVM uses: the Vector API one when available, else the scalar one. */
  static EpilogueOps get() {
    return Holder.INSTANCE;
  }

  /** Lazy holder: the Vector API check runs on first use. */
  final class Holder {
    private Holder() {}

    static final EpilogueOps INSTANCE = VectorSupport.load(MethodHandles.lookup(),
        EpilogueOps.class, "dev.kiln.runtime.kernels.conv.VectorEpilogueOps", new ScalarEpilogueOps());
  }
}
