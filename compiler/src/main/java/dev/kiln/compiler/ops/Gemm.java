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
import java.util.List;

/**
 * Gemm: {@code Y = alpha · op(A) · op(B) + beta · C}, A {@code [M,K]}, B {@code [K,N]} (each
 * transposed when asked), C optional and unidirectionally broadcast to {@code [M,N]}. Fully connected
 * layers are Gemm with transB = 1.
 */
public record Gemm(float alpha, float beta, boolean transA, boolean transB) implements Op {
  public static final String TYPE = "Gemm";

  public static Gemm fromAttributes(Attributes a, int opset) {
    a.requireOnly("alpha", "beta", "transA", "transB", "broadcast");
    return new Gemm(a.getFloat("alpha", 1f), a.getFloat("beta", 1f),
        a.getInt("transA", 0) != 0, a.getInt("transB", 0) != 0);
  }

  @Override
  public String type() {
    return TYPE;
  }

  @Override
  public Arity arity() {
    return Arity.inputs(2, 3);
  }

  @Override
  public Attributes attributes() {
    Attributes.Builder b = Attributes.builder();
    if (alpha != 1f) {
      b.putFloat("alpha", alpha);
    }
    if (beta != 1f) {
      b.putFloat("beta", beta);
    }
    if (transA) {
      b.putInt("transA", 1);
    }
    if (transB) {
      b.putInt("transB", 1);
    }
    return b.build();
  }

  @Override
  public List<TensorType> inferTypes(InferenceContext ctx) {
    Shape a = ctx.inputShape(0);
    Shape b = ctx.inputShape(1);
    if (ctx.inputType(0).dtype() != DType.FLOAT32 || ctx.inputType(1).dtype() != DType.FLOAT32) {
      throw new OpException("expects float32 inputs");
    }
    if (a.rank() != 2 || b.rank() != 2) {
      throw new OpException("A and B must be matrices, got " + a + " and " + b);
    }
    int m = transA ? a.dim(1) : a.dim(0);
    int k = transA ? a.dim(0) : a.dim(1);
    int kb = transB ? b.dim(1) : b.dim(0);
    int n = transB ? b.dim(0) : b.dim(1);
    if (k != kb) {
      throw new OpException("inner dimensions differ: A " + a + (transA ? "ᵀ" : "") + " and B " + b
          + (transB ? "ᵀ" : ""));
    }
    Shape out = Shape.of(m, n);
    if (ctx.hasInput(2)) {
      Shape c = ctx.inputShape(2);
      Shape broadcast = Broadcast.shape(c, out);
      if (!broadcast.equals(out)) {
        throw new OpException("C " + c + " does not broadcast to the output " + out);
      }
    }
    return List.of(new TensorType(DType.FLOAT32, out));
  }

  @Override
  public Tensor[] evaluate(Tensor[] in, TensorType[] outputTypes) {
    Shape a = in[0].shape();
    Shape b = in[1].shape();
    Shape out = outputTypes[0].shape();
    int m = out.dim(0);
    int n = out.dim(1);
    int k = transA ? a.dim(0) : a.dim(1);
    float[] y = new float[m * n];
    float beta = this.beta;
    if (in.length > 2 && in[2] != null && beta != 0f) {
      int[] strides = Broadcast.strides(in[2].shape(), out);
      float[] c = in[2].toFloatArray();
      for (int i = 0; i < m; i++) {
        for (int j = 0; j < n; j++) {
          y[i * n + j] = c[i * strides[0] + j * strides[1]];
        }
      }
    } else {
      beta = 0f;
    }
    ReferenceGemm.gemm(transA, transB, m, n, k, alpha, in[0].toFloatArray(), 0, a.dim(1),
        in[1].toFloatArray(), 0, b.dim(1), beta, y, 0, n);
    return new Tensor[] {Tensor.adopt(out, y)};
  }

  @Override
  public Cost cost(CostContext ctx) {
    Shape a = ctx.inputType(0).shape();
    long k = transA ? a.dim(0) : a.dim(1);
    long outputs = ctx.outputElements(0);
    boolean hasC = ctx.inputCount() > 2 && ctx.inputType(2) != null;
    return ctx.movementCost(2 * k * outputs + (hasC ? outputs : 0));
  }
}
