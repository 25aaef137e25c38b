/**
 * Whether and how the kernels use the Vector API: the once-per-JVM decision ({@link
 * dev.kiln.runtime.kernels.simd.Vectorization}) and the FMA peak loop benchmarks compare against.
 * Internal to the runtime; users read {@link dev.kiln.runtime.kernels.KernelInfo}.
 */
package dev.kiln.runtime.kernels.simd;
