package dev.kiln.compiler.codegen.opencl;

/**
 * The one tiled matrix product every heavy kernel is built on: the convolution's implicit GEMM,
 * Winograd's 16 batched GEMMs and the Gemm operator differ only in how they load an element of A
 * and of B and where they store a result.
 *
 * <p>{@code C[row][col] = Σ_k A(row, k)·B(k, col)} for {@code M × N} outputs. A work-group of 16×16
 * work-items computes a {@code TM × TN} tile ({@code TM = 16·RM}, {@code TN = 16·RN}); each work-item
 * accumulates {@code RM × RN} outputs in registers, strided by 16 so that neighbouring work-items
 * store neighbouring columns. K advances in blocks of {@value #KB}: the work-group stages an A block
 * ({@code TM × KB}) and a B block ({@code KB × TN}) in local memory, reading global memory along
 * rows so loads coalesce, then each work-item runs its micro-tile over the block. Out-of-range rows,
 * columns and k load zeros, so any size works; there are no early returns, since every work-item
 * must reach the barriers.
 */
final class ClGemm {
  static final int KB = 16;
  static final int SIDE = 16;
  static final String ATTRIBUTES = "__attribute__((reqd_work_group_size(16, 16, 1)))";

  /** The register tile: RM rows and RN columns per work-item. */
  record Tiling(int rm, int rn) {
    int tm() {
      return SIDE * rm;
    }

    int tn() {
      return SIDE * rn;
    }

    /** Smaller tiles for small matrices, so little of the work-group idles. */
    static Tiling forSize(int m, int n) {
      return new Tiling(m >= 64 ? 4 : m >= 32 ? 2 : 1, n >= 64 ? 4 : n >= 32 ? 2 : 1);
    }

    long[] global(int m, int n, int batch) {
      return new long[] {(long) ceil(n, tn()) * SIDE, (long) ceil(m, tm()) * SIDE, batch};
    }

    static long[] local() {
      return new long[] {SIDE, SIDE, 1};
    }
  }

  private ClGemm() {}

  static int ceil(int a, int b) {
    return (a + b - 1) / b;
  }

  /**
   * A kernel body. {@code batch} (the NDRange's third index) is in scope for the prologue, which
   * typically sets up per-batch pointers.
   *
   * @param loadA statements setting {@code v} from {@code row} and {@code k} (both in range)
   * @param loadB statements setting {@code v} from {@code k} and {@code col} (both in range; v is
   *     0 beforehand, so padding may leave it)
   * @param store statements storing {@code v}, the finished sum of {@code row}, {@code col}
   */
  static String body(Tiling t, int m, int n, int k, String prologue, String loadA, String loadB, String store) {
    return ClText.fill("""
          const int tx = get_local_id(0);
          const int ty = get_local_id(1);
          const int tid = ty * 16 + tx;
          const int col0 = get_group_id(0) * ${TN};
          const int row0 = get_group_id(1) * ${TM};
          const int batch = get_global_id(2);
        ${PROLOGUE}
          __local float As[${KB}][${TM}];
          __local float Bs[${KB}][${TN}];
          float acc[${RM}][${RN}];
          for (int i = 0; i < ${RM}; i++) {
            for (int j = 0; j < ${RN}; j++) {
              acc[i][j] = 0.0f;
            }
          }
          for (int k0 = 0; k0 < ${K}; k0 += ${KB}) {
            for (int e = tid; e < ${TM} * ${KB}; e += 256) {
              const int row = row0 + e / ${KB};
              const int k = k0 + e % ${KB};
              float v = 0.0f;
              if (row < ${M} && k < ${K}) {
        ${LOAD_A}
              }
              As[e % ${KB}][e / ${KB}] = v;
            }
            for (int e = tid; e < ${KB} * ${TN}; e += 256) {
              const int col = col0 + e % ${TN};
              const int k = k0 + e / ${TN};
              float v = 0.0f;
              if (col < ${N} && k < ${K}) {
        ${LOAD_B}
              }
              Bs[e / ${TN}][e % ${TN}] = v;
            }
            barrier(CLK_LOCAL_MEM_FENCE);
            for (int kk = 0; kk < ${KB}; kk++) {
              float a[${RM}];
              float b[${RN}];
              for (int i = 0; i < ${RM}; i++) {
                a[i] = As[kk][ty + 16 * i];
              }
              for (int j = 0; j < ${RN}; j++) {
                b[j] = Bs[kk][tx + 16 * j];
              }
              for (int i = 0; i < ${RM}; i++) {
                for (int j = 0; j < ${RN}; j++) {
                  acc[i][j] += a[i] * b[j];
                }
              }
            }
            barrier(CLK_LOCAL_MEM_FENCE);
          }
          for (int i = 0; i < ${RM}; i++) {
            const int row = row0 + ty + 16 * i;
            for (int j = 0; j < ${RN}; j++) {
              const int col = col0 + tx + 16 * j;
              if (row < ${M} && col < ${N}) {
                float v = acc[i][j];
        ${STORE}
              }
            }
          }
        """,
        "TM", t.tm(), "TN", t.tn(), "RM", t.rm(), "RN", t.rn(), "KB", KB, "M", m, "N", n, "K", k,
        "PROLOGUE", ClText.indent(prologue, 2),
        "LOAD_A", ClText.indent(loadA, 8), "LOAD_B", ClText.indent(loadB, 8),
        "STORE", ClText.indent(store, 8));
  }
}
