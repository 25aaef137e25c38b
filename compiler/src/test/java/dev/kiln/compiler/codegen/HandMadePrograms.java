package dev.kiln.compiler.codegen;

import dev.kiln.compiler.lower.KernelCall;
import dev.kiln.compiler.lower.Program;
import dev.kiln.compiler.memory.MemoryPlan;
import java.util.List;
import java.util.Map;

/** Programs built call by call, for backend tests that need arguments no lowering makes yet. */
final class HandMadePrograms {
  private HandMadePrograms() {}

  /** One input {@code x} [1] and one output {@code y} [arenaFloats], both at offset 0. */
  static Program of(String name, List<KernelCall> calls, int arenaFloats, float[] weights) {
    long bytes = (long) arenaFloats * Float.BYTES;
    MemoryPlan plan = new MemoryPlan(List.of("all"),
        List.of(new MemoryPlan.Buffer("y", MemoryPlan.Kind.OUTPUT, 0, bytes, 0, 0)),
        Map.of(), Map.of(), List.of(), bytes, "hand-made");
    return new Program(name, calls, arenaFloats, 1, weights,
        List.of(new Program.IoSlot("x", new int[] {1}, 0)),
        List.of(new Program.IoSlot("y", new int[] {arenaFloats}, 0)), plan);
  }
}
