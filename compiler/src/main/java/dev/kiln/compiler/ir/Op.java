package dev.kiln.compiler.ir;

import java.util.List;

/**
 * An operator: its attributes (with the ONNX spec's defaults applied), shape inference, cost counts
 * and reference semantics. One class per operator, in {@code dev.kiln.compiler.ops}; implementations
 * are immutable values, equal when their attributes are.
 *
 * <p>{@link #evaluate} is the reference: it runs runtime-min's reference kernels and serves constant
 * folding and the interpreter, so every kernel exists once.
 */
public interface Op {
  /** The ONNX operator type, e.g. {@code "Conv"}. */
  String type();

  Arity arity();

  /**
   * The attributes in ONNX form, such that the operator's factory re-creates an equal operator from
   * them at the graph's opset. Attributes at their default may be left out.
   */
  Attributes attributes();

  /** Output types, one per output; throws {@link OpException} when the inputs do not fit. */
  List<TensorType> inferTypes(InferenceContext ctx);

  /**
   * Computes the outputs with the reference kernels.
   *
   * @param inputs one per input, {@code null} for an absent optional input
   * @param outputTypes the types {@link #inferTypes} gave
   */
  Tensor[] evaluate(Tensor[] inputs, TensorType[] outputTypes);

  /**
   * Outputs that the input types alone determine (Shape, for one), or {@code null}. Lets shape
   * computations fold even when the data they start from is only known at run time.
   */
  default Tensor[] knownOutputs(InferenceContext ctx) {
    return null;
  }

  /**
   * Whether output 0 is input 0's data under another shape, element for element in the same order
   * (Identity, Reshape, Flatten, Squeeze, Unsqueeze). In Kiln's layout every tensor is contiguous
   * row-major NCHW, so such an op copies nothing: the memory planner gives its output the input's
   * buffer and no kernel runs for it.
   */
  default boolean isView() {
    return false;
  }

  /**
   * FLOPs and bytes. The default counts no arithmetic and reads every input and writes every output
   * once, right for data movement; compute operators override it.
   */
  default Cost cost(CostContext ctx) {
    return ctx.movementCost(0);
  }
}
