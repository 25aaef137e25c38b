package dev.kiln.runtime.kernels.reference;

/** Matrix products: the oracle for the packed GEMM kernels. Row-major, with leading dimensions. */
public final class ReferenceGemm {
  private ReferenceGemm() {}

  /**
   * {@code C[m,n] = alpha · Σ_k op(A)[m,k] · op(B)[k,n] + beta · C[m,n]}, where op transposes when
   * asked. {@code A} is {@code M×K} ({@code K×M} when transposed) with row stride {@code lda}; likewise
   * B and C. With {@code beta == 0} the old C is not read (so it may hold NaN).
   */
  public static void gemm(boolean transA, boolean transB, int m, int n, int k, float alpha,
      float[] a, int aOff, int lda, float[] b, int bOff, int ldb, float beta,
      float[] c, int cOff, int ldc) {
    for (int i = 0; i < m; i++) {
      for (int j = 0; j < n; j++) {
        float sum = 0f;
        for (int p = 0; p < k; p++) {
          float av = transA ? a[aOff + p * lda + i] : a[aOff + i * lda + p];
          float bv = transB ? b[bOff + j * ldb + p] : b[bOff + p * ldb + j];
          sum += av * bv;
        }
        int ci = cOff + i * ldc + j;
        c[ci] = beta == 0f ? alpha * sum : alpha * sum + beta * c[ci];
      }
    }
  }
}
