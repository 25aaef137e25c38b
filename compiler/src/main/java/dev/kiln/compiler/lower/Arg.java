package dev.kiln.compiler.lower;

import dev.kiln.runtime.kernels.ConvShape;
import java.util.Arrays;
import java.util.Objects;

/**
 * One argument of a {@link KernelCall}: a value fixed at compile time, or one of the few run-time
 * objects a generated model holds (its arena, its weights, its session's thread team). Each backend turns an
 * argument into code its own way: the Java backend into a literal or a named constant, the bytecode
 * backend into a push instruction, the interpreter into an object.
 */
public sealed interface Arg {
  /** The Java parameter type the kernel method declares for this argument. */
  Class<?> javaType();

  /** The session's activation arena ({@code float[]}); offsets into it are separate {@link IntArg}s. */
  record Arena() implements Arg {
    @Override
    public Class<?> javaType() {
      return float[].class;
    }
  }

  /** The model's weights ({@code float[]}), shared by all sessions. */
  record Weights() implements Arg {
    @Override
    public Class<?> javaType() {
      return float[].class;
    }
  }

  /** The session's thread team, which a layer splits its tasks over. */
  record Team() implements Arg {
    @Override
    public Class<?> javaType() {
      return dev.kiln.runtime.parallel.ThreadTeam.class;
    }
  }

  /** {@code null}, for an absent optional array (a conv without residual). */
  record NullArray() implements Arg {
    @Override
    public Class<?> javaType() {
      return float[].class;
    }
  }

  /**
   * @param role what the int means, for the Java backend's comments and constant names (e.g. "inOffset")
   */
  record IntArg(int value, String role) implements Arg {
    @Override
    public Class<?> javaType() {
      return int.class;
    }
  }

  record FloatArg(float value, String role) implements Arg {
    @Override
    public Class<?> javaType() {
      return float.class;
    }
  }

  record BoolArg(boolean value, String role) implements Arg {
    @Override
    public Class<?> javaType() {
      return boolean.class;
    }
  }

  /** A compile-time {@code int[]} (strides, dims), emitted as a named static final array. */
  record IntArrayArg(int[] values, String role) implements Arg {
    public IntArrayArg {
      values = values.clone();
    }

    @Override
    public int[] values() {
      return values.clone();
    }

    @Override
    public Class<?> javaType() {
      return int[].class;
    }

    @Override
    public boolean equals(Object o) {
      return o instanceof IntArrayArg a && Arrays.equals(values, a.values) && role.equals(a.role);
    }

    @Override
    public int hashCode() {
      return Objects.hash(Arrays.hashCode(values), role);
    }

    @Override
    public String toString() {
      return role + "=" + Arrays.toString(values);
    }
  }

  /** A constant of an enum the kernel declares, e.g. {@code ReferenceBinary.Op.ADD}. */
  record EnumArg(Enum<?> value) implements Arg {
    @Override
    public Class<?> javaType() {
      return value.getDeclaringClass();
    }
  }

  /** A public static final field, e.g. a kernel singleton {@code ConvKernels.TILED}. */
  record StaticFieldArg(Class<?> owner, String field, Class<?> type) implements Arg {
    @Override
    public Class<?> javaType() {
      return type;
    }
  }

  /** A convolution geometry, emitted as a named static final {@code ConvShape}. */
  record ConvShapeArg(ConvShape shape, String role) implements Arg {
    @Override
    public Class<?> javaType() {
      return ConvShape.class;
    }
  }

  /**
   * A fused epilogue, built when the model loads from values in the weights array.
   *
   * @param spec the epilogue's steps with the weight offsets of its bias and scale-shift vectors
   */
  record EpilogueArg(EpilogueSpec spec, String role) implements Arg {
    @Override
    public Class<?> javaType() {
      return dev.kiln.runtime.kernels.Epilogue.class;
    }
  }
}
