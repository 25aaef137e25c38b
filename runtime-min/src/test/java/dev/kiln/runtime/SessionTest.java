package dev.kiln.runtime;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.kiln.runtime.parallel.ThreadTeam;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The model API as generated classes expose it, on a hand-written two-input, two-output model. */
class SessionTest {
  /** sum = a + b, diff = a - b, over 3 floats; arena: a[0..3) b[3..6) sum[6..9) diff[9..12). */
  static final class SumDiff extends KilnModel {
    SumDiff() {
      super("sumdiff", FORMAT, new TensorInfo[] {new TensorInfo("a", new int[] {3}, 0),
          new TensorInfo("b", new int[] {1, 3}, 3)},
          new TensorInfo[] {new TensorInfo("sum", new int[] {3}, 6),
              new TensorInfo("diff", new int[] {3}, 9)}, 12, 4, new float[0]);
    }

    @Override
    protected void execute(float[] arena, float[] weights, ThreadTeam team) {
      for (int i = 0; i < 3; i++) {
        arena[6 + i] = arena[i] + arena[3 + i];
        arena[9 + i] = arena[i] - arena[3 + i];
      }
    }
  }

  /** A model compiled for the given runtime format, with the current or the unnumbered constructor. */
  static final class Compiled extends KilnModel {
    Compiled(int format) {
      super("resnet18", format, new TensorInfo[] {new TensorInfo("x", new int[] {1}, 0)},
          new TensorInfo[] {new TensorInfo("y", new int[] {1}, 1)}, 2, 1, new float[0]);
    }

    @SuppressWarnings("deprecation")
    Compiled() {
      super("resnet18", new TensorInfo[] {new TensorInfo("x", new int[] {1}, 0)},
          new TensorInfo[] {new TensorInfo("y", new int[] {1}, 1)}, 2, 1, new float[0]);
    }

    @Override
    protected void execute(float[] arena, float[] weights, ThreadTeam team) {
      arena[1] = arena[0];
    }
  }

  @Test
  void aClassCompiledForAnotherRuntimeFormatIsRefused() {
    try (Compiled same = new Compiled(KilnModel.FORMAT)) {
      assertArrayEquals(new float[] {5f}, same.run(new float[] {5f}));
    }
    IllegalStateException e = assertThrows(IllegalStateException.class,
        () -> new Compiled(KilnModel.FORMAT + 1));
    assertEquals("resnet18 was compiled for Kiln runtime format " + (KilnModel.FORMAT + 1)
        + ", but this kiln-runtime-min reads format " + KilnModel.FORMAT
        + ": recompile the model with the Kiln release of this runtime", e.getMessage());
    e = assertThrows(IllegalStateException.class, Compiled::new);
    assertEquals("resnet18 was compiled by a Kiln older than runtime format " + KilnModel.FORMAT
        + " (no format number in the class): recompile the model with the Kiln release of this"
        + " runtime", e.getMessage());
  }

  @Test
  void namedInputsAndOutputsWithoutAllocation() {
    try (SumDiff model = new SumDiff(); Session s = model.newSession(2)) {
      s.setInput("b", new float[] {9, 10, 20, 30}, 1);
      s.setInput("a", new float[] {1, 2, 3}, 0);
      s.run();
      float[] out = new float[4];
      s.getOutput("diff", out, 1);
      assertArrayEquals(new float[] {0, -9, -18, -27}, out);
      s.getOutput("sum", out, 0);
      assertArrayEquals(new float[] {11, 22, 33, -27}, out);
      assertEquals(2, s.threads());
      IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
          () -> s.getOutput("product", out, 0));
      assertEquals("sumdiff has no output named 'product' (outputs: [sum, diff])", e.getMessage());
    }
  }

  @Test
  void aModelWithoutLayerTimersRefusesProfiledRuns() {
    try (SumDiff model = new SumDiff(); Session s = model.newSession(1)) {
      assertEquals(0, model.layerCount());
      UnsupportedOperationException e = assertThrows(UnsupportedOperationException.class,
          () -> s.runProfiled(new long[4]));
      assertEquals("sumdiff has no per-layer timers", e.getMessage());
    }
  }

  @Test
  void metadataAndMapRuns() {
    SumDiff model = new SumDiff();
    assertEquals(List.of("a", "b"), model.inputs().stream().map(TensorInfo::name).toList());
    assertArrayEquals(new int[] {1, 3}, model.input("b").shape());
    assertEquals(3, model.output("diff").elements());
    Map<String, float[]> in = new LinkedHashMap<>();
    in.put("a", new float[] {1, 1, 1});
    in.put("b", new float[] {2, 3, 4});
    Map<String, float[]> out = model.run(in);
    assertEquals(List.of("sum", "diff"), List.copyOf(out.keySet()));
    assertArrayEquals(new float[] {-1, -2, -3}, out.get("diff"));
    IllegalStateException e = assertThrows(IllegalStateException.class, () -> model.run(new float[3]));
    assertEquals("sumdiff has 2 inputs and 2 outputs: use run(Map) or a Session", e.getMessage());
    model.close();
    model.close();
    assertThrows(IllegalStateException.class, () -> model.run(in));
  }
}
