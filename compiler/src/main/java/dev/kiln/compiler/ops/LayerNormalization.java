package dev.kiln.compiler.ops;

import dev.kiln.compiler.ir.Arity;
import dev.kiln.compiler.ir.Attributes;
import dev.kiln.compiler.ir.Cost;
import dev.kiln.compiler.ir.CostContext;
import dev.kiln.compiler.ir.DType;
import dev.kiln.compiler.ir.InferenceContext;
import dev.kiln.compiler.ir.Op;
import dev.kiln.compiler.ir.OpException;
import dev.kiln.compiler.ir.Shape;
import dev.kiln.compiler.ir.Tensor;
import dev.kiln.compiler.ir.TensorType;
import dev.kiln.runtime.kernels.reference.ReferenceNormalization;
import java.util.Arrays;
import java.util.List;

/**
 * LayerNormalization (opset 17+): each row of the dimensions from {@code axis} on (default −1, the last)
 * is normalized, {@code Y = (X − μ) / √(σ² + ε) · Scale + B}. Scale and the optional B broadcast
 * unidirectionally to that normalized shape (extra leading dimensions must be 1); a Scale that would
 * vary across the rows, which the spec's broadcasting against X allows, is rejected. Only Y is
 * computed: the Mean and InvStdDev outputs serve training and are rejected.
 *
 * @param stashType the precision of the statistics; float (1) and double (11) are accepted, and the
 *     reference kernel computes them in double either way
 */
public record LayerNormalization(int axis, float epsilon, int stashType) implements Op {
  public static final String TYPE = "LayerNormalization";

  public static final int INTRODUCED = 17;

  public static final float DEFAULT_EPSILON = 1e-5f;

  private static final int STASH_FLOAT = 1;

  private static final int STASH_DOUBLE = 11;

  public LayerNormalization {
    if (stashType != STASH_FLOAT && stashType != STASH_DOUBLE) {
      throw new OpException("stash_type " + DType.onnxTypeName(stashType)
          + " is not supported (FLOAT (1) or DOUBLE (11))");
    }
  }

  public static LayerNormalization fromAttributes(Attributes a, int opset) {
    Opsets.requireAtLeast(INTRODUCED, opset);
    a.requireOnly("axis", "epsilon", "stash_type");
    return new LayerNormalization(a.getInt32("axis", -1), a.getFloat("epsilon", DEFAULT_EPSILON),
        a.getInt32("stash_type", STASH_FLOAT));
  }

  @Override
  public String type() {
    return TYPE;
  }

  @Override
  public Arity arity() {
    return new Arity(2, 3, 1, 3);
  }

  @Override
  public Attributes attributes() {
    Attributes.Builder b = Attributes.builder().putInt("axis", axis).putFloat("epsilon", epsilon);
    if (stashType != STASH_FLOAT) {
      b.putInt("stash_type", stashType);
    }
    return b.build();
  }

  /** The normalized axis for a rank-{@code rank} input. */
  public int normalizedAxis(int rank) {
    int a = axis < 0 ? axis + rank : axis;
    if (a < 0 || a >= rank) {
      throw new OpException("axis " + axis + " is out of range for rank " + rank);
    }
    return a;
  }

  @Override
  public List<TensorType> inferTypes(InferenceContext ctx) {
    TensorType x = ctx.inputType(0);
    if (x.dtype() != DType.FLOAT32) {
      throw new OpException("expects a float32 input, got " + x.dtype());
    }
    int a = normalizedAxis(x.rank());
    Shape normalized = Shape.of(Arrays.copyOfRange(x.shape().dims(), a, x.rank()));
    String[] roles = {"X", "Scale", "B"};
    for (int i = 1; i < 3; i++) {
      if (!ctx.hasInput(i)) {
        continue;
      }
      TensorType t = ctx.inputType(i);
      if (t.dtype() != DType.FLOAT32) {
        throw new OpException(roles[i] + " must be float32, got " + t.dtype());
      }
      if (!broadcastsTo(t.shape(), normalized)) {
        throw new OpException(roles[i] + " " + t.shape() + " does not broadcast to the normalized"
            + " shape " + normalized + " (X " + x.shape() + ", axis " + axis + ")");
      }
    }
    // Mean and InvStdDev keep X's leading dimensions and have 1 for each normalized one.
    int[] statistics = x.shape().dims();
    Arrays.fill(statistics, a, statistics.length, 1);
    TensorType stats = new TensorType(DType.FLOAT32, Shape.of(statistics));
    List<TensorType> out = new java.util.ArrayList<>(List.of(x));
    for (int i = 1; i < ctx.outputCount(); i++) {
      out.add(stats);
    }
    return out;
  }

  /**
   * Whether the operand broadcasts unidirectionally to the normalized shape; leading dimensions of 1
   * beyond its rank are allowed, as they are when broadcasting against X itself.
   */
  private static boolean broadcastsTo(Shape operand, Shape target) {
    int shift = target.rank() - operand.rank();
    for (int i = 0; i < operand.rank(); i++) {
      int axis = i + shift;
      int d = operand.dim(i);
      if (axis < 0 ? d != 1 : d != 1 && d != target.dim(axis)) {
        return false;
      }
    }
    return true;
  }

  /** Scale or B as one value per element of the normalized shape, broadcasting if needed. */
  public static float[] perElement(Tensor t, Shape normalized) {
    if (t.shape().elementCount() == normalized.elementCount()) {
      return t.toFloatArray();
    }
    float[] source = t.toFloatArray();
    float[] out = new float[normalized.elementCount()];
    int[] dims = t.shape().dims();
    Shape trailing = Shape.of(Arrays.copyOfRange(dims, Math.max(0, dims.length - normalized.rank()),
        dims.length));
    int[] strides = Broadcast.strides(trailing, normalized);
    int[] outDims = normalized.dims();
    for (int flat = 0; flat < out.length; flat++) {
      int rest = flat;
      int offset = 0;
      for (int d = outDims.length - 1; d >= 0; d--) {
        offset += (rest % outDims[d]) * strides[d];
        rest /= outDims[d];
      }
      out[flat] = source[offset];
    }
    return out;
  }

  @Override
  public Tensor[] evaluate(Tensor[] inputs, TensorType[] outputTypes) {
    Shape s = inputs[0].shape();
    int a = normalizedAxis(s.rank());
    Shape normalized = Shape.of(Arrays.copyOfRange(s.dims(), a, s.rank()));
    Tensor bias = inputs.length > 2 ? inputs[2] : null;
    float[] out = new float[s.elementCount()];
    int rows = s.product(0, a);
    float[] x = inputs[0].toFloatArray();
    if (out.length > 0) {
      ReferenceNormalization.layerNorm(rows, normalized.elementCount(), epsilon, x, 0,
          perElement(inputs[1], normalized), 0, bias == null ? null : perElement(bias, normalized), 0,
          out, 0);
    }
    Tensor[] results = new Tensor[outputTypes.length];
    results[0] = Tensor.adopt(s, out);
    if (outputTypes.length > 1) {
      float[] mean = new float[rows];
      float[] invStdDev = new float[rows];
      if (out.length > 0) {
        ReferenceNormalization.layerNormStatistics(rows, normalized.elementCount(), epsilon, x, 0,
            mean, 0, invStdDev, 0);
      }
      results[1] = outputTypes[1] == null ? null : Tensor.adopt(outputTypes[1].shape(), mean);
      if (outputTypes.length > 2) {
        results[2] = outputTypes[2] == null ? null : Tensor.adopt(outputTypes[2].shape(), invStdDev);
      }
    }
    return results;
  }

  /**
   * Per element: an add for the mean, a subtract, multiply and add for the variance, a subtract and
   * multiply to normalize, the scale's multiply and the bias's add; 8 FLOPs (7 without B).
   */
  @Override
  public Cost cost(CostContext ctx) {
    boolean hasBias = ctx.inputCount() > 2 && ctx.inputType(2) != null;
    return ctx.movementCost((hasBias ? 8 : 7) * ctx.outputElements(0));
  }
}
