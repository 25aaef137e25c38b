package dev.kiln.compiler.codegen;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kiln.compiler.exec.ProgramModel;
import dev.kiln.compiler.lower.Program;
import dev.kiln.compiler.testing.Tensors;
import dev.kiln.runtime.KilnModel;
import dev.kiln.runtime.Session;
import org.junit.jupiter.api.Test;

/**
 * {@code executeProfiled}, the per-layer timers {@code kiln bench --profile} reads: both backends and
 * the program interpreter time every layer, in the program's layer order, and compute exactly what
 * {@code execute} computes.
 */
class ProfiledExecuteTest {
  @Test
  void everyBackendTimesEachLayerAndComputesTheSame() {
    Program program = GoldenTest.tinyNetProgram();
    float[] input = Tensors.random(15, 1, 3, 8, 8).toFloatArray();
    assertProfiles(new ProgramModel(program), program, input, "program");
    assertProfiles(GeneratedClasses.loadSource(
        Codegen.generate(program, Target.JAVA, GoldenTest.tinyNetOptions())), program, input, "source");
    assertProfiles(GeneratedClasses.loadBytecode(
        Codegen.generate(program, Target.BYTECODE, GoldenTest.tinyNetOptions())), program, input,
        "bytecode");
  }

  /**
   * Profiled runs give the unprofiled output bit for bit, add a positive time to each of the
   * program's layers and touch nothing past them; too short an array is refused before running.
   */
  static void assertProfiles(KilnModel model, Program program, float[] input, String what) {
    int layers = program.layers().size();
    assertEquals(layers, model.layerCount(), what);
    try (Session session = model.newSession(1)) {
      float[] expected = new float[model.outputs().get(0).elements()];
      session.run(input, 0, expected, 0);
      long[] nanos = new long[layers + 1];
      nanos[layers] = -7;
      for (int run = 0; run < 3; run++) {
        session.setInput(0, input, 0);
        session.runProfiled(nanos);
      }
      float[] profiled = new float[expected.length];
      session.getOutput(0, profiled, 0);
      Bits.assertBitIdentical(expected, profiled, what + ", profiled");
      for (int l = 0; l < layers; l++) {
        assertTrue(nanos[l] > 0, what + ": layer " + l + " (" + program.layers().get(l).name()
            + ") got " + nanos[l] + " ns");
      }
      assertEquals(-7, nanos[layers], what + ": past the last layer");
      IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
          () -> session.runProfiled(new long[layers - 1]));
      assertEquals(model.name() + " has " + layers + " layers; layerNanos has " + (layers - 1)
          + " entries", e.getMessage());
    }
  }
}
