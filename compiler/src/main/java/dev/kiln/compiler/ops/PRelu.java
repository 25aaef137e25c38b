package dev.kiln.compiler.ops;

import dev.kiln.compiler.ir.Attributes;
import dev.kiln.compiler.ir.Cost;
import dev.kiln.compiler.ir.CostContext;
import dev.kiln.compiler.ir.DType;
import dev.kiln.compiler.ir.InferenceContext;
import dev.kiln.compiler.ir.OpException;
import dev.kiln.compiler.ir.Shape;
import dev.kiln.compiler.ir.TensorType;
import dev.kiln.runtime.kernels.reference.ReferenceBinary;
import java.util.List;

/**
 * PRelu: {@code x < 0 ? slope·x : x}. The slope broadcasts unidirectionally to X (ONNX's rule since
 * opset 7): right-aligned, each of its dimensions equal to X's or 1, so the output has X's shape. A
 * per-channel slope of an NCHW input is therefore {@code [C,1,1]}; a plain {@code [C]} only fits an
 * {@code [N,C]} input (or one whose last dimension is C).
 */
public record PRelu() implements BinaryElementwise {
  public static final String TYPE = "PRelu";

  public static PRelu fromAttributes(Attributes a, int opset) {
    BinaryElementwise.checkAttributes(a);
    return new PRelu();
  }

  @Override
  public String type() {
    return TYPE;
  }

  @Override
  public ReferenceBinary.Op kernelOp() {
    return ReferenceBinary.Op.PRELU;
  }

  @Override
  public List<TensorType> inferTypes(InferenceContext ctx) {
    TensorType x = ctx.inputType(0);
    TensorType slope = ctx.inputType(1);
    if (x.dtype() != DType.FLOAT32 || slope.dtype() != DType.FLOAT32) {
      throw new OpException("expects float32 X and slope, got " + x.dtype() + " and " + slope.dtype());
    }
    Shape broadcast;
    try {
      broadcast = Broadcast.shape(x.shape(), slope.shape());
    } catch (OpException e) {
      broadcast = null;
    }
    if (!x.shape().equals(broadcast)) {
      throw new OpException("slope " + slope.shape() + " does not broadcast to X " + x.shape()
          + " (each slope dimension, aligned from the right, must be 1 or equal X's)");
    }
    return List.of(x);
  }

  /** A compare and a multiply: counted as 2 FLOPs. */
  @Override
  public Cost cost(CostContext ctx) {
    return ctx.movementCost(2 * ctx.outputElements(0));
  }
}
