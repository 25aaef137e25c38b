package dev.kiln.compiler.lower;

import java.util.List;
import java.util.Objects;

/**
 * One step of a lowered program: a call of a public static runtime-min method with arguments fixed
 * at compile time (offsets, shapes, constants) or bound to the model's arena and weights.
 *
 * @param layer the graph node it implements (several calls may share one)
 * @param opType the node's operator, for comments and reports
 * @param comment why this call looks the way it does (the algorithm and its reason), or ""
 */
public record KernelCall(String layer, String opType, String comment, Class<?> owner, String method,
    List<Arg> args) {
  public KernelCall {
    Objects.requireNonNull(layer);
    Objects.requireNonNull(owner);
    Objects.requireNonNull(method);
    args = List.copyOf(args);
  }

  /** The parameter types the called method must declare. */
  public Class<?>[] parameterTypes() {
    return args.stream().map(Arg::javaType).toArray(Class<?>[]::new);
  }

  @Override
  public String toString() {
    return layer + ": " + owner.getSimpleName() + "." + method + args;
  }
}
