/*
 * OpenBLAS sgemm on the shapes `kiln bench --kernels` times, for the side-by-side table in
 * docs/performance.md. Same protocol as Kiln's Timing: warm-up, then the median of 7 runs of at least
 * 40 ms each, by wall clock and by thread CPU time (on a shared machine the latter is the fairer one).
 *
 * Build and run (Debian: apt-get install libopenblas-dev):
 *   gcc -O2 -o /tmp/sgemm_openblas docs/perf/sgemm_openblas.c -lopenblas
 *   OPENBLAS_NUM_THREADS=1 OPENBLAS_CORETYPE=SkylakeX /tmp/sgemm_openblas
 * Debian 12's OpenBLAS 0.3.21 does not recognize the Xeon these numbers come from (CPU model 207) and
 * falls back to its SSE3 "Prescott" kernels, 3-5x slower; OPENBLAS_CORETYPE=SkylakeX selects its
 * AVX-512 kernels, the fastest it has for this CPU (Cooperlake and Haswell measured as well).
 */
#include <cblas.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

extern char *openblas_get_config(void);
extern char *openblas_get_corename(void);

static double now(clockid_t clock) {
  struct timespec t;
  clock_gettime(clock, &t);
  return t.tv_sec * 1e9 + t.tv_nsec;
}

static int cmp(const void *a, const void *b) {
  double x = *(const double *) a, y = *(const double *) b;
  return x < y ? -1 : x > y;
}

int main(void) {
  static const int shapes[][3] = {
      {64, 3136, 576}, {128, 784, 1152}, {256, 196, 2304}, {512, 49, 4608}, {512, 512, 512}};
  const int runs = 7;
  printf("OpenBLAS %s, core %s, %d thread(s)\n\n", openblas_get_config(), openblas_get_corename(),
      openblas_get_num_threads());
  printf("| M×N×K | ms | GFLOP/s | GFLOP/s by CPU time | best by CPU time |\n|---|---:|---:|---:|---:|\n");
  for (size_t s = 0; s < sizeof shapes / sizeof shapes[0]; s++) {
    int m = shapes[s][0], n = shapes[s][1], k = shapes[s][2];
    float *a = malloc(sizeof(float) * m * k), *b = malloc(sizeof(float) * k * n);
    float *c = malloc(sizeof(float) * m * n);
    srand(1);
    for (long i = 0; i < (long) m * k; i++) a[i] = 2.0f * rand() / RAND_MAX - 1;
    for (long i = 0; i < (long) k * n; i++) b[i] = 2.0f * rand() / RAND_MAX - 1;
    double start = now(CLOCK_MONOTONIC);
    int calls = 0;
    while (calls < 5 || now(CLOCK_MONOTONIC) - start < 500e6) {
      cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, m, n, k, 1.0f, a, k, b, n, 0.0f, c, n);
      calls++;
    }
    double per_call = (now(CLOCK_MONOTONIC) - start) / calls;
    int reps = per_call >= 40e6 ? 1 : (int) (40e6 / per_call) + 1;
    double wall[7], cpu[7];
    for (int r = 0; r < runs; r++) {
      double c0 = now(CLOCK_THREAD_CPUTIME_ID), t0 = now(CLOCK_MONOTONIC);
      for (int i = 0; i < reps; i++) {
        cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, m, n, k, 1.0f, a, k, b, n, 0.0f, c, n);
      }
      wall[r] = (now(CLOCK_MONOTONIC) - t0) / reps;
      cpu[r] = (now(CLOCK_THREAD_CPUTIME_ID) - c0) / reps;
    }
    qsort(wall, runs, sizeof(double), cmp);
    qsort(cpu, runs, sizeof(double), cmp);
    double flops = 2.0 * m * n * k;
    printf("| %dx%dx%d | %.3f | %.1f | %.1f | %.1f |\n", m, n, k, wall[runs / 2] / 1e6,
        flops / wall[runs / 2], flops / cpu[runs / 2], flops / cpu[0]);
    fflush(stdout);
    free(a);
    free(b);
    free(c);
  }
  return 0;
}
