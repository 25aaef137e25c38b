package dev.kiln.runtime.kernels.conv;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Pins the numerics study's conclusions (docs/conv-algorithms.md): against the direct convolution,
 * Winograd F(2,3) loses nothing, F(4,3) under a digit, F(6,3) under a digit and a half; the
 * depthwise kernel matches direct; and error grows F2 < F4 < F6 on every layer.
 */
class ConvNumericsTest {
  @Test
  void digitsLostPerAlgorithmStayWithinTheDocumentedBounds() {
    Map<String, Double> bound = new HashMap<>();
    bound.put("winograd-f2", 0.2);
    bound.put("winograd-f4", 0.8);
    bound.put("winograd-f6", 1.4);
    bound.put("depthwise", 0.2);
    bound.put("direct, FMA", 0.2);
    List<ConvNumerics.Row> rows = ConvNumerics.study(7);
    Map<String, Double> rmsByLayer = new HashMap<>();
    for (ConvNumerics.Row r : rows) {
      Double limit = bound.get(r.algorithm);
      if (limit != null) {
        assertTrue(r.digitsLost <= limit, r.layer + " " + r.algorithm + " loses " + r.digitsLost
            + " digits vs direct, more than " + limit);
      }
      rmsByLayer.put(r.layer + "/" + r.algorithm, r.rmsRelative);
    }
    for (int[] l : ConvNumerics.RESNET18) {
      String layer = "resnet18 " + l[0] + "ch " + l[1] + "x" + l[1] + "/winograd-";
      double f2 = rmsByLayer.get(layer + "f2");
      double f4 = rmsByLayer.get(layer + "f4");
      double f6 = rmsByLayer.get(layer + "f6");
      assertTrue(f2 < f4 && f4 < f6, layer + " RMS errors F2 " + f2 + ", F4 " + f4 + ", F6 " + f6);
    }
  }
}
