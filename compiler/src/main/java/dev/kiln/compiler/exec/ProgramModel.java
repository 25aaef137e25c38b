package dev.kiln.compiler.exec;

import dev.kiln.compiler.lower.Arg;
import dev.kiln.compiler.lower.KernelCall;
import dev.kiln.compiler.lower.Program;
import dev.kiln.runtime.KilnModel;
import dev.kiln.runtime.TensorInfo;
import dev.kiln.runtime.parallel.ThreadTeam;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A lowered {@link Program} run directly, as a {@link KilnModel}: each kernel call is resolved to its
 * runtime-min method once, and every run invokes them in order on the session's arena. This is
 * {@code kiln run}'s path; the generated Java and bytecode classes run the same program without the
 * reflection.
 */
public final class ProgramModel extends KilnModel {
  private final Program program;
  private final float[] weights;
  private final MethodHandle[] handles;
  private final Object[][] arguments;
  private final int[][] arenaSlots;
  private final int[][] teamSlots;

  public ProgramModel(Program program) {
    this(program, program.weightsCopy());
  }

  private ProgramModel(Program program, float[] weights) {
    super(program.name(), FORMAT, slots(program.inputs()), slots(program.outputs()), program.arenaFloats(),
        program.maxThreads(), weights);
    this.program = program;
    this.weights = weights;
    List<KernelCall> calls = program.calls();
    this.handles = new MethodHandle[calls.size()];
    this.arguments = new Object[calls.size()][];
    this.arenaSlots = new int[calls.size()][];
    this.teamSlots = new int[calls.size()][];
    for (int c = 0; c < calls.size(); c++) {
      KernelCall call = calls.get(c);
      handles[c] = resolve(call);
      Object[] args = new Object[call.args().size()];
      List<Integer> slots = new ArrayList<>();
      List<Integer> teams = new ArrayList<>();
      for (int i = 0; i < args.length; i++) {
        Arg arg = call.args().get(i);
        if (arg instanceof Arg.Arena) {
          slots.add(i);
        } else if (arg instanceof Arg.Team) {
          teams.add(i);
        } else {
          args[i] = constant(arg, weights);
        }
      }
      arguments[c] = args;
      arenaSlots[c] = slots.stream().mapToInt(Integer::intValue).toArray();
      teamSlots[c] = teams.stream().mapToInt(Integer::intValue).toArray();
    }
  }

  private static TensorInfo[] slots(List<Program.IoSlot> list) {
    return list.stream().map(s -> new TensorInfo(s.name(), s.shape(), s.arenaOffset()))
        .toArray(TensorInfo[]::new);
  }

  public Program program() {
    return program;
  }

  /**
   * Runs once on the caller's arena instead of a session's. Whatever the arena held must not change
   * the result: the program reads only what it wrote or what the inputs put there, which tests check
   * by filling the arena with NaN first.
   *
   * @param arena at least {@link #arenaFloats()} long
   * @return every output by name, copied out of the arena
   */
  public Map<String, float[]> run(Map<String, float[]> inputs, float[] arena) {
    if (arena.length < arenaFloats()) {
      throw new IllegalArgumentException("the arena needs " + arenaFloats() + " floats, got "
          + arena.length);
    }
    for (String name : inputs.keySet()) {
      input(name);
    }
    for (Program.IoSlot in : program.inputs()) {
      float[] data = inputs.get(in.name());
      if (data == null || data.length != in.elements()) {
        throw new IllegalArgumentException("input '" + in.name() + "' needs " + in.elements()
            + " floats, got " + (data == null ? "none" : data.length));
      }
      System.arraycopy(data, 0, arena, in.arenaOffset(), data.length);
    }
    try (ThreadTeam single = new ThreadTeam(1)) {
      execute(arena, weights, single);
    }
    Map<String, float[]> outputs = new LinkedHashMap<>();
    for (Program.IoSlot out : program.outputs()) {
      outputs.put(out.name(),
          Arrays.copyOfRange(arena, out.arenaOffset(), out.arenaOffset() + out.elements()));
    }
    return outputs;
  }

  /** Finds the public static method the call names; a mismatch is a bug in the lowering. */
  static MethodHandle resolve(KernelCall call) {
    try {
      Method m = call.owner().getMethod(call.method(), call.parameterTypes());
      if (!Modifier.isStatic(m.getModifiers())) {
        throw new IllegalStateException("lowering bug: " + m + " is not static");
      }
      return MethodHandles.publicLookup().unreflect(m);
    } catch (NoSuchMethodException | IllegalAccessException e) {
      throw new IllegalStateException("lowering bug: no public static " + call.owner().getName() + "."
          + call.method() + Arrays.toString(call.parameterTypes()), e);
    }
  }

  private static Object constant(Arg arg, float[] weights) {
    if (arg instanceof Arg.Weights) {
      return weights;
    }
    if (arg instanceof Arg.NullArray) {
      return null;
    }
    if (arg instanceof Arg.IntArg i) {
      return i.value();
    }
    if (arg instanceof Arg.FloatArg f) {
      return f.value();
    }
    if (arg instanceof Arg.BoolArg b) {
      return b.value();
    }
    if (arg instanceof Arg.IntArrayArg a) {
      return a.values();
    }
    if (arg instanceof Arg.EnumArg e) {
      return e.value();
    }
    if (arg instanceof Arg.ConvShapeArg s) {
      return s.shape();
    }
    if (arg instanceof Arg.EpilogueArg e) {
      return e.spec().build(weights);
    }
    if (arg instanceof Arg.StaticFieldArg f) {
      try {
        return f.owner().getField(f.field()).get(null);
      } catch (ReflectiveOperationException e) {
        throw new IllegalStateException("lowering bug: no public static field " + f.owner().getName()
            + "." + f.field(), e);
      }
    }
    throw new AssertionError(arg);
  }

  @Override
  protected void execute(float[] arena, float[] weights, ThreadTeam team) {
    for (int c = 0; c < handles.length; c++) {
      call(c, arena, team);
    }
  }

  /** As generated classes do it: one clock reading per layer boundary. */
  @Override
  protected void executeProfiled(float[] arena, float[] weights, ThreadTeam team, long[] layerNanos) {
    List<Program.Layer> layers = program.layers();
    long start = System.nanoTime();
    for (int l = 0; l < layers.size(); l++) {
      for (int c = layers.get(l).firstCall(); c < layers.get(l).endCall(); c++) {
        call(c, arena, team);
      }
      long now = System.nanoTime();
      layerNanos[l] += now - start;
      start = now;
    }
  }

  @Override
  public int layerCount() {
    return program.layers().size();
  }

  private void call(int c, float[] arena, ThreadTeam team) {
    Object[] args = arguments[c].clone();
    for (int slot : arenaSlots[c]) {
      args[slot] = arena;
    }
    for (int slot : teamSlots[c]) {
      args[slot] = team;
    }
    try {
      handles[c].invokeWithArguments(args);
    } catch (RuntimeException | Error e) {
      throw e;
    } catch (Throwable t) {
      throw new IllegalStateException(program.calls().get(c).toString(), t);
    }
  }
}
