package dev.kiln.compiler.ops;

import dev.kiln.compiler.ir.Arity;
import dev.kiln.compiler.ir.Attributes;
import dev.kiln.compiler.ir.DType;
import dev.kiln.compiler.ir.InferenceContext;
import dev.kiln.compiler.ir.Op;
import dev.kiln.compiler.ir.OpException;
import dev.kiln.compiler.ir.Tensor;
import dev.kiln.compiler.ir.TensorType;
import java.util.Arrays;
import java.util.List;

/**
 * Dropout at inference: the output is the input, and the optional mask is all true (every element
 * kept), bool from opset 10 and of the input's type (1.0) before. Before opset 12 the ratio is an
 * attribute; from 12 it is an optional input, beside an optional {@code training_mode} input, which
 * must be absent or known to be false, and a {@code seed} attribute. The ratio has no effect at
 * inference; it is kept so the node round-trips.
 *
 * <p>ONNX Runtime fills the mask with false (0) before opset 12 and with true from 12. Kiln follows
 * the mask's meaning in the spec (and its reference implementation) at every opset: nothing is dropped.
 *
 * @param ratio the {@code ratio} attribute (opset &lt; 12), or {@code null}
 * @param seed the {@code seed} attribute (opset 12+), or {@code null}
 * @param inputForm the opset-12 form: ratio and training_mode are inputs
 * @param maskType bool from opset 10, float32 (the input's type) before
 */
public record Dropout(Float ratio, Long seed, boolean inputForm, DType maskType) implements Op {
  public static final String TYPE = "Dropout";

  /** The opset from which ratio and training_mode are inputs. */
  public static final int INPUT_FORM_OPSET = 12;

  /** The opset from which the mask is bool rather than the input's type. */
  public static final int BOOL_MASK_OPSET = 10;

  public Dropout {
    if (maskType != DType.BOOL && maskType != DType.FLOAT32) {
      throw new IllegalArgumentException("mask type " + maskType);
    }
    if (inputForm ? ratio != null : seed != null) {
      throw new IllegalArgumentException(inputForm ? "ratio is an input from opset 12"
          : "seed is an attribute from opset 12");
    }
  }

  public static Dropout fromAttributes(Attributes a, int opset) {
    if (opset >= INPUT_FORM_OPSET) {
      if (a.has("ratio")) {
        throw new OpException("attribute 'ratio' is an input from opset " + INPUT_FORM_OPSET);
      }
      a.requireOnly("seed");
      return new Dropout(null, a.has("seed") ? a.getInt("seed", 0) : null, true, DType.BOOL);
    }
    a.requireOnly("ratio");
    return new Dropout(a.has("ratio") ? a.getFloat("ratio", 0.5f) : null, null, false,
        opset >= BOOL_MASK_OPSET ? DType.BOOL : DType.FLOAT32);
  }

  @Override
  public String type() {
    return TYPE;
  }

  @Override
  public Arity arity() {
    return new Arity(1, inputForm ? 3 : 1, 1, 2);
  }

  @Override
  public Attributes attributes() {
    Attributes.Builder b = Attributes.builder();
    if (ratio != null) {
      b.putFloat("ratio", ratio);
    }
    if (seed != null) {
      b.putInt("seed", seed);
    }
    return b.build();
  }

  @Override
  public List<TensorType> inferTypes(InferenceContext ctx) {
    TensorType x = ctx.inputType(0);
    if (x.dtype() != DType.FLOAT32) {
      throw new OpException("expects a float32 input, got " + x.dtype());
    }
    if (ctx.hasInput(1) && ctx.inputType(1).elementCount() != 1) {
      throw new OpException("ratio must be a scalar, got " + ctx.inputType(1));
    }
    if (ctx.hasInput(2)) {
      TensorType t = ctx.inputType(2);
      if (t.dtype() != DType.BOOL || t.elementCount() != 1) {
        throw new OpException("training_mode must be a bool scalar, got " + t);
      }
      Tensor mode = ctx.knownValue(2);
      if (mode == null) {
        throw new OpException("training_mode must be known at compile time to be false:"
            + " Kiln compiles inference graphs");
      }
      if (mode.longAt(0) != 0) {
        throw new OpException("training_mode is true: Kiln compiles inference graphs");
      }
    }
    if (ctx.outputCount() == 1) {
      return List.of(x);
    }
    return List.of(x, new TensorType(maskType, x.shape()));
  }

  @Override
  public Tensor[] evaluate(Tensor[] inputs, TensorType[] outputTypes) {
    if (outputTypes.length == 1) {
      return new Tensor[] {inputs[0]};
    }
    Tensor x = inputs[0];
    Tensor mask;
    if (maskType == DType.BOOL) {
      long[] kept = new long[x.elementCount()];
      Arrays.fill(kept, 1);
      mask = Tensor.adopt(DType.BOOL, x.shape(), kept);
    } else {
      float[] kept = new float[x.elementCount()];
      Arrays.fill(kept, 1f);
      mask = Tensor.adopt(x.shape(), kept);
    }
    return new Tensor[] {x, mask};
  }
}
