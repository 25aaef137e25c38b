/**
 * The packed, cache-blocked GEMM the convolution and fully connected kernels are built on. Public
 * only because kernels in other packages use it; not part of the API generated models program
 * against, and free to change with the kernels.
 */
package dev.kiln.runtime.kernels.gemm;
