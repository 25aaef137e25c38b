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
import dev.kiln.runtime.kernels.reference.ReferenceGemm;
import java.util.Arrays;
import java.util.List;

/**
 * MatMul with NumPy's semantics: the last two dimensions are multiplied as matrices ({@code [..., M,
 * K] · [..., K, N] → [..., M, N]}) and the leading (batch) dimensions broadcast. A 1-D A is a row
 * {@code [1, K]} and a 1-D B a column {@code [K, 1]}, and that added dimension is dropped from the
 * output, so a vector times a vector is a scalar.
 */
public record MatMul() implements Op {
  public static final String TYPE = "MatMul";

  public static MatMul fromAttributes(Attributes a, int opset) {
    a.requireOnly();
    return new MatMul();
  }

  /**
   * The product's geometry: {@code batchDims} broadcast from both operands, each operand's stride
   * between consecutive matrices along them (0 where it is broadcast), and the output shape.
   */
  public record Geometry(int m, int k, int n, int[] batchDims, int[] aBatchStrides,
      int[] bBatchStrides, Shape out) {}

  /** Checks the operand shapes agree and works out the geometry. */
  public static Geometry geometry(Shape a, Shape b) {
    if (a.rank() == 0 || b.rank() == 0) {
      throw new OpException("operands must have rank 1 or more, got " + a + " and " + b);
    }
    boolean aVector = a.rank() == 1;
    boolean bVector = b.rank() == 1;
    int m = aVector ? 1 : a.dim(-2);
    int k = a.dim(-1);
    int kb = bVector ? b.dim(0) : b.dim(-2);
    int n = bVector ? 1 : b.dim(-1);
    if (k != kb) {
      throw new OpException("inner dimensions differ: A " + a + " has " + k + " columns but B " + b
          + " has " + kb + " rows");
    }
    Shape aBatch = Shape.of(Arrays.copyOf(a.dims(), Math.max(0, a.rank() - 2)));
    Shape bBatch = Shape.of(Arrays.copyOf(b.dims(), Math.max(0, b.rank() - 2)));
    Shape batch;
    try {
      batch = Broadcast.shape(aBatch, bBatch);
    } catch (OpException e) {
      throw new OpException("batch dimensions of A " + a + " and B " + b
          + " cannot be broadcast together");
    }
    int[] aStrides = Broadcast.strides(aBatch, batch);
    int[] bStrides = Broadcast.strides(bBatch, batch);
    for (int i = 0; i < batch.rank(); i++) {
      aStrides[i] *= m * k;
      bStrides[i] *= k * n;
    }
    int[] outDims = Arrays.copyOf(batch.dims(), batch.rank() + (aVector ? 0 : 1) + (bVector ? 0 : 1));
    int next = batch.rank();
    if (!aVector) {
      outDims[next++] = m;
    }
    if (!bVector) {
      outDims[next] = n;
    }
    return new Geometry(m, k, n, batch.dims(), aStrides, bStrides, Shape.of(outDims));
  }

  @Override
  public String type() {
    return TYPE;
  }

  @Override
  public Arity arity() {
    return Arity.of(2, 1);
  }

  @Override
  public Attributes attributes() {
    return Attributes.EMPTY;
  }

  @Override
  public List<TensorType> inferTypes(InferenceContext ctx) {
    TensorType a = ctx.inputType(0);
    TensorType b = ctx.inputType(1);
    if (a.dtype() != DType.FLOAT32 || b.dtype() != DType.FLOAT32) {
      throw new OpException("expects float32 inputs, got " + a.dtype() + " and " + b.dtype());
    }
    return List.of(new TensorType(DType.FLOAT32, geometry(a.shape(), b.shape()).out()));
  }

  @Override
  public Tensor[] evaluate(Tensor[] inputs, TensorType[] outputTypes) {
    Geometry g = geometry(inputs[0].shape(), inputs[1].shape());
    float[] out = new float[g.out().elementCount()];
    ReferenceGemm.matmul(g.batchDims(), g.aBatchStrides(), g.bBatchStrides(), g.m(), g.n(), g.k(),
        inputs[0].toFloatArray(), 0, inputs[1].toFloatArray(), 0, out, 0);
    return new Tensor[] {Tensor.adopt(outputTypes[0].shape(), out)};
  }

  /** K multiply-adds per output element. */
  @Override
  public Cost cost(CostContext ctx) {
    long k = ctx.inputType(0).shape().dim(-1);
    return ctx.movementCost(2 * k * ctx.outputElements(0));
  }
}
