package com.example;

import com.example.models.SmallConvnet;
import com.example.models.extra.Mlp;
import dev.kiln.runtime.KilnModel;

public class App {
  public static float[] convnet() {
    float[] image = new float[16];
    for (int i = 0; i < image.length; i++) {
      image[i] = i / 16f;
    }
    try (SmallConvnet model = new SmallConvnet()) {
      return model.run(image);
    }
  }

  public static float[] mlp() {
    try (Mlp model = new Mlp()) {
      return model.run(new float[] {1, 2, 3, 4});
    }
  }

  /** Weights plus one session's arena, the quantity the budget bounds. */
  public static long convnetBytes() {
    try (KilnModel model = new SmallConvnet()) {
      return model.memoryBytes();
    }
  }
}
