package dev.kiln.runtime.kernels.reference;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.SplittableRandom;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class ReferenceNormalizationTest {
  /** A BatchNormalization lowered to its multiplier and offset must give the same bits. */
  @ParameterizedTest(name = "batch={0} channels={1} spatial={2}")
  @CsvSource({"1, 1, 1", "2, 3, 7", "1, 13, 31", "3, 5, 1"})
  void scaleShiftWithTheBatchNormCoefficientsIsBatchNorm(int batch, int channels, int spatial) {
    SplittableRandom random = new SplittableRandom(channels * 31L + spatial);
    float[] in = new float[batch * channels * spatial];
    for (int i = 0; i < in.length; i++) {
      in[i] = (float) random.nextDouble(-4, 4);
    }
    float[] scale = new float[channels];
    float[] bias = new float[channels];
    float[] mean = new float[channels];
    float[] var = new float[channels];
    for (int c = 0; c < channels; c++) {
      scale[c] = (float) random.nextDouble(-2, 2);
      bias[c] = (float) random.nextDouble(-1, 1);
      mean[c] = (float) random.nextDouble(-1, 1);
      var[c] = (float) random.nextDouble(0.01, 3);
    }
    float epsilon = 1e-5f;
    float[] expected = new float[in.length];
    ReferenceNormalization.batchNorm(batch, channels, spatial, epsilon, in, 0, scale, 0, bias, 0,
        mean, 0, var, 0, expected, 0);
    float[] multiplier = new float[channels];
    float[] offset = new float[channels];
    for (int c = 0; c < channels; c++) {
      multiplier[c] = ReferenceNormalization.batchNormMultiplier(scale[c], var[c], epsilon);
      offset[c] = ReferenceNormalization.batchNormOffset(bias[c], mean[c], multiplier[c]);
    }
    float[] actual = new float[in.length + 2];
    ReferenceNormalization.scaleShift(batch, channels, spatial, in, 0, multiplier, 0, offset, 0,
        actual, 2);
    for (int i = 0; i < in.length; i++) {
      assertEquals(Float.floatToRawIntBits(expected[i]), Float.floatToRawIntBits(actual[i + 2]),
          "element " + i + " (channel " + (i / spatial) % channels + ")");
    }
  }
}
