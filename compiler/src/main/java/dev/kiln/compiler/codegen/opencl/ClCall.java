package dev.kiln.compiler.codegen.opencl;

import dev.kiln.compiler.lower.Arg;
import dev.kiln.compiler.lower.EpilogueSpec;
import dev.kiln.compiler.lower.KernelCall;
import dev.kiln.runtime.kernels.ConvShape;
import java.util.List;

/**
 * A {@link KernelCall} read by argument position, as the runtime-min method's signature fixes them,
 * leaving out the host thread team (the device parallelizes by itself). A mismatch between an
 * argument and the kind the template expects is a bug in Kiln (the lowering and the template
 * disagree), reported as such.
 */
final class ClCall {
  final KernelCall call;
  private final List<Arg> args;

  ClCall(KernelCall call) {
    this.call = call;
    this.args = call.args().stream().filter(a -> !(a instanceof Arg.Team)).toList();
  }

  String layer() {
    return call.layer();
  }

  int count() {
    return args.size();
  }

  private <T extends Arg> T arg(int i, Class<T> kind) {
    if (i >= args.size() || !kind.isInstance(args.get(i))) {
      throw new IllegalStateException("OpenCL template bug: argument " + i + " of " + call
          + " is not " + kind.getSimpleName());
    }
    return kind.cast(args.get(i));
  }

  int i(int index) {
    return arg(index, Arg.IntArg.class).value();
  }

  float f(int index) {
    return arg(index, Arg.FloatArg.class).value();
  }

  boolean b(int index) {
    return arg(index, Arg.BoolArg.class).value();
  }

  int[] ints(int index) {
    return arg(index, Arg.IntArrayArg.class).values();
  }

  Enum<?> e(int index) {
    return arg(index, Arg.EnumArg.class).value();
  }

  ConvShape shape(int index) {
    return arg(index, Arg.ConvShapeArg.class).shape();
  }

  EpilogueSpec epilogue(int index) {
    return arg(index, Arg.EpilogueArg.class).spec();
  }

  Object staticField(int index) {
    Arg.StaticFieldArg f = arg(index, Arg.StaticFieldArg.class);
    try {
      return f.owner().getField(f.field()).get(null);
    } catch (ReflectiveOperationException e) {
      throw new IllegalStateException("lowering bug: no public static field " + f.owner().getName()
          + "." + f.field(), e);
    }
  }

  boolean isNull(int index) {
    return args.get(index) instanceof Arg.NullArray;
  }

  /** The device buffer an array argument names: {@code arena} or {@code weights}. */
  String buffer(int index) {
    Arg a = args.get(index);
    if (a instanceof Arg.Arena) {
      return "arena";
    }
    if (a instanceof Arg.Weights) {
      return "weights";
    }
    throw new IllegalStateException("OpenCL template bug: argument " + index + " of " + call
        + " is not an array");
  }

  /** An array the kernel writes: it must be the arena (the weights buffer is read-only). */
  void requireArena(int index) {
    if (!(args.get(index) instanceof Arg.Arena)) {
      throw new IllegalStateException("lowering bug: " + call + " writes argument " + index
          + ", which is not the arena");
    }
  }
}
