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

  /**
   * NumPy's matmul over row-major operands whose leading (batch) dimensions broadcast:
   * {@code C[b] = A[b] · B[b]} for every index b of {@code batchDims}, with A[b] {@code M×K}, B[b]
   * {@code K×N} and C contiguous {@code [batch..., M, N]}. A 1-D operand is the caller's business: it
   * is a matrix with M = 1 or N = 1.
   *
   * @param aBatchStrides elements between consecutive A matrices along each batch dimension, 0 where
   *     A is broadcast; likewise {@code bBatchStrides}
   */
  public static void matmul(int[] batchDims, int[] aBatchStrides, int[] bBatchStrides, int m, int n,
      int k, float[] a, int aOff, float[] b, int bOff, float[] c, int cOff) {
    matmulBatch(batchDims, 0, aBatchStrides, bBatchStrides, m, n, k, a, aOff, b, bOff, c, cOff);
  }

  /** Walks the batch dimensions from {@code axis} on; returns the elements of C written. */
  private static int matmulBatch(int[] batchDims, int axis, int[] aBatchStrides, int[] bBatchStrides,
      int m, int n, int k, float[] a, int aOff, float[] b, int bOff, float[] c, int cOff) {
    if (axis == batchDims.length) {
      gemm(false, false, m, n, k, 1f, a, aOff, k, b, bOff, n, 0f, c, cOff, n);
      return m * n;
    }
    int written = 0;
    for (int i = 0; i < batchDims[axis]; i++) {
      written += matmulBatch(batchDims, axis + 1, aBatchStrides, bBatchStrides, m, n, k,
          a, aOff + i * aBatchStrides[axis], b, bOff + i * bBatchStrides[axis], c, cOff + written);
    }
    return written;
  }
}
