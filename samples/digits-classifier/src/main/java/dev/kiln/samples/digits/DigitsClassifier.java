package dev.kiln.samples.digits;

import dev.kiln.runtime.Session;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Locale;

/**
 * Classifies the 360 held-out 8×8 digit images with {@link DigitsCnn}, the class the Kiln Maven
 * plugin generated from {@code digits_cnn.onnx} during this build, and prints the accuracy and the
 * latency per image.
 *
 * <p>Usage: {@code DigitsClassifier [MODELS_DIR]} (default {@code ../models}), the folder holding
 * {@code digits_cnn.test_images.npy} and {@code digits_cnn.test_labels.npy}.
 */
public final class DigitsClassifier {
  /** Runs over the whole test set before timing, so the JIT has compiled the kernels. */
  private static final int WARM_UP_PASSES = 30;
  private static final int TIMED_PASSES = 5;

  private DigitsClassifier() {}

  public static void main(String[] args) throws IOException {
    Path dir = Path.of(args.length > 0 ? args[0] : "../models");
    Npy images = Npy.read(dir.resolve("digits_cnn.test_images.npy"));
    Npy labels = Npy.read(dir.resolve("digits_cnn.test_labels.npy"));

    // One model, one session on this thread: after construction, runs allocate nothing.
    try (DigitsCnn model = new DigitsCnn(); Session session = model.newSession(1)) {
      int pixels = model.inputs().get(0).elements();
      int classes = model.outputs().get(0).elements();
      int count = images.shape[0];
      if (images.floats.length != count * pixels || labels.longs.length != count) {
        throw new IOException(dir + ": expected " + count + " images of " + pixels + " pixels and "
            + count + " labels; got shapes " + Arrays.toString(images.shape) + " and "
            + Arrays.toString(labels.shape));
      }
      float[] logits = new float[classes];

      for (int pass = 0; pass < WARM_UP_PASSES; pass++) {
        for (int i = 0; i < count; i++) {
          session.run(images.floats, i * pixels, logits, 0);
        }
      }

      long[] nanos = new long[count * TIMED_PASSES];
      int correct = 0;
      for (int pass = 0; pass < TIMED_PASSES; pass++) {
        correct = 0;
        for (int i = 0; i < count; i++) {
          long start = System.nanoTime();
          session.run(images.floats, i * pixels, logits, 0);
          nanos[pass * count + i] = System.nanoTime() - start;
          if (argmax(logits) == labels.longs[i]) {
            correct++;
          }
        }
      }
      Arrays.sort(nanos);
      double mean = Arrays.stream(nanos).average().orElse(0) / 1e3;
      double median = nanos[nanos.length / 2] / 1e3;

      System.out.printf(Locale.ROOT, "%s: %d held-out test images (%d bytes of weights and arena)%n",
          model.getClass().getSimpleName(), count, model.memoryBytes());
      System.out.printf(Locale.ROOT, "accuracy: %.2f%% (%d of %d correct)%n",
          100.0 * correct / count, correct, count);
      System.out.printf(Locale.ROOT,
          "latency per image: mean %.1f us, median %.1f us (1 thread, %d timed runs after %d warm-up runs)%n",
          mean, median, nanos.length, WARM_UP_PASSES * count);
    }
  }

  private static int argmax(float[] v) {
    int best = 0;
    for (int i = 1; i < v.length; i++) {
      if (v[i] > v[best]) {
        best = i;
      }
    }
    return best;
  }
}
