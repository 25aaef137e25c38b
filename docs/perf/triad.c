// Memory bandwidth for the roofline's built-in defaults (report/MachinePeaks.BUILT_IN): STREAM-style
// copy and triad over 134 MB float arrays, best of 15, counted as STREAM does (2 and 3 arrays moved;
// the write-allocate read is not counted).
//   gcc -O3 -march=native -fopenmp -o /tmp/triad docs/perf/triad.c
//   OMP_NUM_THREADS=1 /tmp/triad; OMP_NUM_THREADS=2 /tmp/triad
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#ifdef _OPENMP
#include <omp.h>
#endif
#define N (32*1024*1024)
static double now(){struct timespec t;clock_gettime(CLOCK_MONOTONIC,&t);return t.tv_sec+t.tv_nsec*1e-9;}
int main(){
  float *a=aligned_alloc(64,N*4),*b=aligned_alloc(64,N*4),*c=aligned_alloc(64,N*4);
  #pragma omp parallel for
  for(long i=0;i<N;i++){a[i]=1;b[i]=2;c[i]=3;}
  double bestc=1e9,bestt=1e9;
  for(int r=0;r<15;r++){
    double t0=now();
    #pragma omp parallel for
    for(long i=0;i<N;i++) c[i]=a[i];
    double t1=now();
    #pragma omp parallel for
    for(long i=0;i<N;i++) a[i]=b[i]+3.0f*c[i];
    double t2=now();
    if(t1-t0<bestc)bestc=t1-t0; if(t2-t1<bestt)bestt=t2-t1;
  }
  printf("copy %.1f GB/s  triad %.1f GB/s (best of 15, %d MB arrays)\n", 2.0*N*4/bestc/1e9, 3.0*N*4/bestt/1e9, N*4/1000000);
  return a[7]==0;
}
