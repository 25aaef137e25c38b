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
import dev.kiln.compiler.ops.Resize.CoordinateTransformation;
import dev.kiln.compiler.ops.Resize.Mode;
import dev.kiln.compiler.ops.Resize.NearestMode;
import java.util.Arrays;
import java.util.List;

/**
 * Upsample (opsets 7, 9; deprecated by Resize in 10): resizes a float32 tensor by scales ≥ 1, one per
 * axis, to ⌊s·L⌋. The scales are the {@code scales} attribute in opsets 7–8 and a second input from
 * 9 that must be known at compile time. It samples as Resize-10 does: asymmetric coordinates
 * ({@code x/s}), nearest truncating, or N-linear.
 *
 * @param scalesAttribute the {@code scales} attribute (opsets 7–8), or {@code null}
 */
public record Upsample(Mode mode, List<Float> scalesAttribute) implements Op {
  public static final String TYPE = "Upsample";

  public Upsample {
    scalesAttribute = scalesAttribute == null ? null : List.copyOf(scalesAttribute);
  }

  public static Upsample fromAttributes(Attributes a, int opset) {
    if (opset >= 10) {
      throw new OpException("Upsample is deprecated from opset 10; use Resize");
    }
    Mode mode = Resize.supportedMode(a.getString("mode", "nearest"));
    if (opset >= 9) {
      a.requireOnly("mode");
      return new Upsample(mode, null);
    }
    a.requireOnly("mode", "scales");
    float[] scales = a.getFloats("scales");
    if (scales == null) {
      throw new OpException("attribute 'scales' is required");
    }
    Float[] boxed = new Float[scales.length];
    for (int i = 0; i < scales.length; i++) {
      boxed[i] = scales[i];
    }
    return new Upsample(mode, List.of(boxed));
  }

  @Override
  public String type() {
    return TYPE;
  }

  @Override
  public Arity arity() {
    return scalesAttribute != null ? Arity.of(1, 1) : Arity.of(2, 1);
  }

  @Override
  public Attributes attributes() {
    Attributes.Builder b = Attributes.builder();
    if (mode != Mode.NEAREST) {
      b.putString("mode", mode.onnxName());
    }
    if (scalesAttribute != null) {
      float[] scales = new float[scalesAttribute.size()];
      for (int i = 0; i < scales.length; i++) {
        scales[i] = scalesAttribute.get(i);
      }
      b.putFloats("scales", scales);
    }
    return b.build();
  }

  /** The output shape for these scales, after checking them. */
  public static Shape outputShape(Shape in, float[] scales) {
    if (scales.length != in.rank()) {
      throw new OpException("scales " + Arrays.toString(scales) + " must have one entry per axis of"
          + " the input " + in);
    }
    int[] out = new int[in.rank()];
    for (int a = 0; a < out.length; a++) {
      if (!(scales[a] >= 1f)) {
        throw new OpException("scales " + Arrays.toString(scales) + " must be at least 1");
      }
      out[a] = Interpolation.scaledLength(scales[a], in.dim(a));
    }
    return Shape.of(out);
  }

  private float[] scales(Tensor scalesInput) {
    if (scalesAttribute != null) {
      float[] s = new float[scalesAttribute.size()];
      for (int i = 0; i < s.length; i++) {
        s[i] = scalesAttribute.get(i);
      }
      return s;
    }
    if (scalesInput.dtype() != DType.FLOAT32 || scalesInput.shape().rank() != 1) {
      throw new OpException("scales must be a 1-D float32 tensor, got " + scalesInput.type());
    }
    return scalesInput.toFloatArray();
  }

  @Override
  public List<TensorType> inferTypes(InferenceContext ctx) {
    TensorType x = ctx.inputType(0);
    if (x.dtype() != DType.FLOAT32) {
      throw new OpException("expects a float32 input, got " + x.dtype());
    }
    float[] scales = scales(scalesAttribute != null ? null : ctx.requireKnown(1, "scales"));
    return List.of(x.withShape(outputShape(x.shape(), scales)));
  }

  /**
   * The kernel's tables for resizing an input of shape {@code in}.
   *
   * @param scalesInput the {@code scales} input's value (opset 9), or {@code null} (opsets 7–8)
   */
  public Interpolation.Tables tables(Shape in, Tensor scalesInput) {
    float[] scales = scales(scalesInput);
    return Interpolation.tables(mode, CoordinateTransformation.ASYMMETRIC, NearestMode.LEGACY,
        scales, in, outputShape(in, scales));
  }

  @Override
  public Tensor[] evaluate(Tensor[] inputs, TensorType[] outputTypes) {
    return new Tensor[] {
        Interpolation.resize(tables(inputs[0].shape(), inputs.length > 1 ? inputs[1] : null),
            inputs[0])};
  }

  @Override
  public Cost cost(CostContext ctx) {
    return mode == Mode.LINEAR
        ? ctx.movementCost(Resize.linearFlops(ctx.inputType(0).shape(), ctx.outputType(0).shape()))
        : ctx.movementCost(0);
  }
}
