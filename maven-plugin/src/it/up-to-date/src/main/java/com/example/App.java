package com.example;

import com.example.models.SmallConvnet;

public class App {
  /** The model's probabilities for the image 0/16, 1/16, ..., 15/16. */
  public static float[] classify() {
    float[] image = new float[16];
    for (int i = 0; i < image.length; i++) {
      image[i] = i / 16f;
    }
    try (SmallConvnet model = new SmallConvnet()) {
      return model.run(image);
    }
  }
}
