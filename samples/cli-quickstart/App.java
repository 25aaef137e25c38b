import com.example.DigitsCnn;

/** Classifies one 8×8 digit with the class {@code kiln compile} generated from digits_cnn.onnx. */
public class App {
  /** A held-out "7" from the model's test set: pixel levels 0..16, row by row. */
  private static final int[] SEVEN = {
    0, 0, 2, 13, 16, 9, 0, 0,
    0, 0, 12, 12, 7, 16, 3, 0,
    0, 1, 14, 3, 0, 16, 4, 0,
    0, 0, 0, 4, 10, 16, 6, 0,
    0, 0, 0, 13, 16, 16, 9, 0,
    0, 0, 0, 5, 13, 1, 0, 0,
    0, 0, 0, 11, 9, 0, 0, 0,
    0, 0, 1, 16, 4, 0, 0, 0,
  };

  public static void main(String[] args) {
    float[] image = new float[SEVEN.length];
    for (int i = 0; i < image.length; i++) {
      image[i] = SEVEN[i] / 16f;  // the scaling the model was trained with
    }
    try (DigitsCnn model = new DigitsCnn()) {
      float[] logits = model.run(image);
      int digit = 0;
      for (int d = 1; d < logits.length; d++) {
        if (logits[d] > logits[digit]) {
          digit = d;
        }
      }
      System.out.println("digit: " + digit);
    }
  }
}
