package dev.kiln.compiler.ops;

import dev.kiln.compiler.ir.DType;
import dev.kiln.compiler.ir.OpException;
import dev.kiln.compiler.ir.Tensor;
import dev.kiln.compiler.ir.TensorType;
import java.util.Arrays;
import java.util.List;

/** Axis arguments as ONNX gives them: negative values count from the end, repeats are errors. */
final class Axes {
  private Axes() {}

  /** The axis in {@code [0, rank)}; {@code axis} may be in {@code [-rank, rank)}. */
  static int normalize(long axis, int rank) {
    long a = axis < 0 ? axis + rank : axis;
    if (a < 0 || a >= rank) {
      throw new OpException("axis " + axis + " is out of range for rank " + rank);
    }
    return (int) a;
  }

  /** Each axis normalized; fails on one out of range or given twice. */
  static int[] normalize(long[] axes, int rank) {
    int[] out = new int[axes.length];
    boolean[] seen = new boolean[rank];
    for (int i = 0; i < axes.length; i++) {
      out[i] = normalize(axes[i], rank);
      if (seen[out[i]]) {
        throw new OpException("axes " + Arrays.toString(axes) + " name axis " + out[i] + " twice");
      }
      seen[out[i]] = true;
    }
    return out;
  }

  /** The values of a 1-D int64 or int32 tensor (a shape-like input such as axes or pads). */
  static long[] vector(Tensor t, String role) {
    checkIntegerVector(t.type(), role);
    return t.toLongArray();
  }

  /** Fails unless the type is a 1-D (or scalar) int64/int32 tensor. */
  static void checkIntegerVector(TensorType t, String role) {
    if (t.dtype() != DType.INT64 && t.dtype() != DType.INT32) {
      throw new OpException(role + " must be int64 or int32, got " + t.dtype());
    }
    if (t.rank() > 1) {
      throw new OpException(role + " must be a 1-D tensor, got " + t);
    }
  }

  static List<Long> list(long[] values) {
    return values == null ? null : Arrays.stream(values).boxed().toList();
  }

  static long[] array(List<Long> values) {
    return values == null ? null : values.stream().mapToLong(Long::longValue).toArray();
  }
}
