package dev.kiln.compiler.ops;

import dev.kiln.compiler.ir.Arity;
import dev.kiln.compiler.ir.Attributes;
import dev.kiln.compiler.ir.InferenceContext;
import dev.kiln.compiler.ir.Op;
import dev.kiln.compiler.ir.OpException;
import dev.kiln.compiler.ir.Shape;
import dev.kiln.compiler.ir.Tensor;
import dev.kiln.compiler.ir.TensorType;
import java.util.Arrays;
import java.util.List;

/**
 * Transpose (opsets 1, 13, 21): output axis i is input axis {@code perm[i]}; without {@code perm}
 * the axes are reversed. Evaluated as a strided copy whose source strides are the input's strides
 * permuted.
 *
 * @param perm the permutation, or {@code null} for the reverse order
 */
public record Transpose(List<Integer> perm) implements Op {
  public static final String TYPE = "Transpose";

  public Transpose {
    perm = perm == null ? null : List.copyOf(perm);
  }

  public static Transpose fromAttributes(Attributes a, int opset) {
    a.requireOnly("perm");
    int[] perm = a.getInts("perm");
    return new Transpose(perm == null ? null : Arrays.stream(perm).boxed().toList());
  }

  @Override
  public String type() {
    return TYPE;
  }

  @Override
  public Arity arity() {
    return Arity.of(1, 1);
  }

  @Override
  public Attributes attributes() {
    if (perm == null) {
      return Attributes.EMPTY;
    }
    return Attributes.builder()
        .putInts("perm", perm.stream().mapToInt(Integer::intValue).toArray())
        .build();
  }

  /** The permutation for an input of this rank, checked. */
  public int[] permutation(int rank) {
    int[] p = new int[rank];
    if (perm == null) {
      for (int i = 0; i < rank; i++) {
        p[i] = rank - 1 - i;
      }
      return p;
    }
    if (perm.size() != rank) {
      throw new OpException("perm " + perm + " does not have one entry per axis of a rank-" + rank
          + " input");
    }
    boolean[] seen = new boolean[rank];
    for (int i = 0; i < rank; i++) {
      int axis = perm.get(i);
      if (axis < 0 || axis >= rank || seen[axis]) {
        throw new OpException("perm " + perm + " is not a permutation of the axes 0.." + (rank - 1));
      }
      seen[axis] = true;
      p[i] = axis;
    }
    return p;
  }

  @Override
  public List<TensorType> inferTypes(InferenceContext ctx) {
    TensorType x = ctx.inputType(0);
    int[] p = permutation(x.rank());
    int[] out = new int[p.length];
    for (int i = 0; i < p.length; i++) {
      out[i] = x.shape().dim(p[i]);
    }
    return List.of(x.withShape(Shape.of(out)));
  }

  /** Per output axis, the step in the contiguous input: the input's strides permuted. */
  public int[] sourceStrides(Shape in) {
    int[] p = permutation(in.rank());
    int[] inStrides = in.strides();
    int[] srcStrides = new int[p.length];
    for (int i = 0; i < p.length; i++) {
      srcStrides[i] = inStrides[p[i]];
    }
    return srcStrides;
  }

  @Override
  public Tensor[] evaluate(Tensor[] inputs, TensorType[] outputTypes) {
    return new Tensor[] {
        Strided.copy(inputs[0], 0, sourceStrides(inputs[0].shape()), outputTypes[0])};
  }
}
