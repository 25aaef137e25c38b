package dev.kiln.compiler.exec;

import dev.kiln.compiler.lower.Arg;
import dev.kiln.compiler.lower.KernelCall;
import dev.kiln.compiler.lower.Program;
import dev.kiln.runtime.kernels.ConvShape;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Executes a lowered {@link Program} directly: each kernel call is resolved to its runtime-min
 * method once, and every run calls them in order on one arena. This is {@code kiln run}'s path, so
 * {@code run}, the Java source backend and the bytecode backend all execute the same program.
 *
 * <p>Not thread-safe: one interpreter per thread, as one session per thread.
 */
public final class ProgramInterpreter {
  private final Program program;
  private final float[] weights;
  private final float[] arena;
  private final List<MethodHandle> handles = new ArrayList<>();
  private final List<Object[]> arguments = new ArrayList<>();

  public ProgramInterpreter(Program program) {
    this.program = program;
    this.weights = program.weightsCopy();
    this.arena = new float[program.arenaFloats()];
    for (KernelCall call : program.calls()) {
      handles.add(resolve(call));
      Object[] args = new Object[call.args().size()];
      for (int i = 0; i < args.length; i++) {
        args[i] = value(call.args().get(i));
      }
      arguments.add(args);
    }
  }

  /** Finds the public static method the call names; a mismatch is a bug in the lowering. */
  static MethodHandle resolve(KernelCall call) {
    try {
      Method m = call.owner().getMethod(call.method(), call.parameterTypes());
      if (!Modifier.isStatic(m.getModifiers())) {
        throw new IllegalStateException(call + ": " + m + " is not static");
      }
      return MethodHandles.publicLookup().unreflect(m);
    } catch (NoSuchMethodException | IllegalAccessException e) {
      throw new IllegalStateException("lowering bug: no public static " + call.owner().getName() + "."
          + call.method() + java.util.Arrays.toString(call.parameterTypes()), e);
    }
  }

  private Object value(Arg arg) {
    if (arg instanceof Arg.Arena) {
      return arena;
    }
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
      ConvShape shape = s.shape();
      return shape;
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

  public Program program() {
    return program;
  }

  /** Runs the program; inputs by name, each exactly its slot's element count. */
  public Map<String, float[]> run(Map<String, float[]> inputs) {
    for (Program.IoSlot slot : program.inputs()) {
      float[] data = inputs.get(slot.name());
      if (data == null || data.length != slot.elements()) {
        throw new IllegalArgumentException("input '" + slot.name() + "' needs " + slot.elements()
            + " floats" + (data == null ? "" : ", got " + data.length));
      }
      System.arraycopy(data, 0, arena, slot.arenaOffset(), data.length);
    }
    for (int i = 0; i < handles.size(); i++) {
      try {
        handles.get(i).invokeWithArguments(arguments.get(i));
      } catch (RuntimeException | Error e) {
        throw e;
      } catch (Throwable t) {
        throw new IllegalStateException(program.calls().get(i).toString(), t);
      }
    }
    Map<String, float[]> outputs = new LinkedHashMap<>();
    for (Program.IoSlot slot : program.outputs()) {
      float[] data = new float[slot.elements()];
      System.arraycopy(arena, slot.arenaOffset(), data, 0, data.length);
      outputs.put(slot.name(), data);
    }
    return outputs;
  }
}
