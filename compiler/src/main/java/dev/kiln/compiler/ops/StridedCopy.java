package dev.kiln.compiler.ops;

import java.util.Arrays;

/**
 * One {@code ReferenceLayout.stridedCopy} as a layout operator plans it: {@code dims} walked in
 * row-major order, reading {@code src[srcOffset + Σ i_k·srcStrides[k]]} and writing
 * {@code dst[dstOffset + Σ i_k·dstStrides[k]]}, offsets relative to the tensors' first elements.
 * The operator's evaluation and the compiled program run the same copies.
 */
public record StridedCopy(int[] dims, int srcOffset, int[] srcStrides, int dstOffset,
    int[] dstStrides) {
  public StridedCopy {
    dims = dims.clone();
    srcStrides = srcStrides.clone();
    dstStrides = dstStrides.clone();
  }

  @Override
  public int[] dims() {
    return dims.clone();
  }

  @Override
  public int[] srcStrides() {
    return srcStrides.clone();
  }

  @Override
  public int[] dstStrides() {
    return dstStrides.clone();
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof StridedCopy c && Arrays.equals(dims, c.dims) && srcOffset == c.srcOffset
        && Arrays.equals(srcStrides, c.srcStrides) && dstOffset == c.dstOffset
        && Arrays.equals(dstStrides, c.dstStrides);
  }

  @Override
  public int hashCode() {
    return Arrays.hashCode(new int[] {Arrays.hashCode(dims), srcOffset, Arrays.hashCode(srcStrides),
        dstOffset, Arrays.hashCode(dstStrides)});
  }

  @Override
  public String toString() {
    return "StridedCopy[dims=" + Arrays.toString(dims) + ", src=" + srcOffset
        + Arrays.toString(srcStrides) + ", dst=" + dstOffset + Arrays.toString(dstStrides) + "]";
  }
}
