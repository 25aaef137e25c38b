package dev.kiln.runtime.kernels.gemm;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Arrays;
import org.junit.jupiter.api.Test;

/**
 * {@link GemmMicrokernel#gather}, the im2col row piece, against its definition on this JVM's kernel
 * path: every stride the tiled convolution uses, every run length across two vectors, padding at
 * either end, and sources that end exactly at the last element read (where a vector path that reads
 * a lane too far would throw or take the wrong branch).
 */
class GatherTest {
  @Test
  void matchesTheDefinitionForEveryStrideLengthAndPadding() {
    GemmMicrokernel mk = GemmMicrokernel.get();
    for (int stride = 1; stride <= 3; stride++) {
      for (int count = 1; count <= Gemm.PANEL_COLS; count++) {
        for (int lo = 0; lo <= Math.min(2, count); lo++) {
          for (int hi = lo; hi <= count; hi++) {
            for (int slack = 0; slack <= 2; slack++) {
              check(mk, stride, count, lo, hi, slack);
            }
          }
        }
      }
    }
  }

  private static void check(GemmMicrokernel mk, int stride, int count, int lo, int hi, int slack) {
    int sOff = 3;
    // The last element read is src[sOff + (hi − 1)·stride]; the array ends `slack` floats after it.
    int length = Math.max(sOff + 1, sOff + (hi - 1) * stride + 1 + slack);
    float[] src = new float[length];
    for (int i = 0; i < length; i++) {
      src[i] = i + 0.5f;
    }
    float[] dst = new float[count + 4];
    Arrays.fill(dst, Float.NaN);
    mk.gather(src, sOff, stride, lo, hi, dst, 2, count);
    for (int t = 0; t < count; t++) {
      float expected = t >= lo && t < hi ? src[sOff + t * stride] : 0f;
      assertEquals(expected, dst[2 + t], 0f, "stride=" + stride + " count=" + count + " lo=" + lo
          + " hi=" + hi + " slack=" + slack + ": first bad position t=" + t);
    }
    assertEquals(Float.NaN, dst[0], "wrote before the destination");
    assertEquals(Float.NaN, dst[2 + count], "wrote past the destination");
  }
}
