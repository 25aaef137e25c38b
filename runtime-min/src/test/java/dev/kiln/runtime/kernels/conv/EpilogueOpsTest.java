package dev.kiln.runtime.kernels.conv;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.kiln.runtime.kernels.Epilogue;
import dev.kiln.runtime.kernels.KernelTesting;
import org.junit.jupiter.api.Test;

class EpilogueOpsTest {
  private static final float[] SPECIAL = {
      0f, -0f, 1f, -1f, Float.NaN, Float.intBitsToFloat(0x7fc01234), Float.POSITIVE_INFINITY,
      Float.NEGATIVE_INFINITY, Float.MIN_VALUE, -Float.MIN_VALUE, 6f, 6.0000005f, -3f, 3f, 1e30f,
      -1e30f, 0.5f, -0.5f};

  @Test
  void matchesTheReferenceBitForBitOnEveryStepKindAndSpecialValue() {
    int channels = 3;
    float[] bias = {0.25f, -0f, Float.NaN};
    int count = SPECIAL.length + 29;
    assertEquals(KernelTesting.expectedOps("EpilogueOps"), EpilogueOps.get().getClass().getSimpleName());
    for (Epilogue.Activation a : Epilogue.Activation.values()) {
      for (Epilogue e : new Epilogue[] {
          Epilogue.builder().activation(a, 0.2f, 0.5f).build(),
          Epilogue.builder().bias(bias).activation(a, 0f, 6f).residualAdd().build(),
          Epilogue.builder().bias(bias).residualAdd().activation(a, 0.1f, 0f)
              .scaleShift(new float[] {2f, -0.5f, 0f}, new float[] {-1f, 0f, 3f}).build()}) {
        for (int c = 0; c < channels; c++) {
          float[] values = new float[count + 4];
          System.arraycopy(SPECIAL, 0, values, 2, SPECIAL.length);
          System.arraycopy(KernelTesting.random(c, 29, -8, 8), 0, values, 2 + SPECIAL.length, 29);
          float[] residual = KernelTesting.random(c + 10, count + 7, -2, 2);
          residual[5] = Float.NaN;
          residual[6] = -0f;
          float[] expected = values.clone();
          e.apply(c, expected, 2, count, residual, 7);
          for (EpilogueOps ops : new EpilogueOps[] {EpilogueOps.get(), new ScalarEpilogueOps()}) {
            float[] got = values.clone();
            ops.apply(e, c, got, 2, count, residual, 7);
            KernelTesting.assertIdentical(ops.getClass().getSimpleName() + " " + e + " channel " + c,
                new int[] {got.length}, expected, got);
          }
        }
      }
    }
  }
}
