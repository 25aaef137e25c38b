package dev.kiln.compiler.ops;

import dev.kiln.compiler.ir.Attributes;
import dev.kiln.compiler.ir.Op;
import dev.kiln.compiler.ir.OpException;
import java.util.Collections;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * Every operator Kiln supports, by ONNX type. Importers create operators through here; an unknown
 * type fails with the list of supported ones.
 */
public final class OpRegistry {
  /** Builds an operator from its attributes at the graph's opset. */
  @FunctionalInterface
  public interface Factory {
    Op create(Attributes attributes, int opset);
  }

  /** The ONNX default-domain opsets Kiln imports. */
  public static final int MIN_OPSET = 7;

  public static final int MAX_OPSET = 21;

  private static final Map<String, Factory> FACTORIES = new TreeMap<>();

  static {
    register(Add.TYPE, Add::fromAttributes);
    register(AveragePool.TYPE, AveragePool::fromAttributes);
    register(BatchNormalization.TYPE, BatchNormalization::fromAttributes);
    register(Cast.TYPE, Cast::fromAttributes);
    register(Clip.TYPE, Clip::fromAttributes);
    register(Concat.TYPE, Concat::fromAttributes);
    register(Constant.TYPE, Constant::fromAttributes);
    register(ConstantOfShape.TYPE, ConstantOfShape::fromAttributes);
    register(Conv.TYPE, Conv::fromAttributes);
    register(ConvTranspose.TYPE, ConvTranspose::fromAttributes);
    register(Div.TYPE, Div::fromAttributes);
    register(Dropout.TYPE, Dropout::fromAttributes);
    register(Erf.TYPE, Erf::fromAttributes);
    register(Exp.TYPE, Exp::fromAttributes);
    register(Flatten.TYPE, Flatten::fromAttributes);
    register(Gather.TYPE, Gather::fromAttributes);
    register(Gemm.TYPE, Gemm::fromAttributes);
    register(GlobalAveragePool.TYPE, GlobalAveragePool::fromAttributes);
    register(GlobalMaxPool.TYPE, GlobalMaxPool::fromAttributes);
    register(HardSigmoid.TYPE, HardSigmoid::fromAttributes);
    register(HardSwish.TYPE, HardSwish::fromAttributes);
    register(Identity.TYPE, Identity::fromAttributes);
    register(LayerNormalization.TYPE, LayerNormalization::fromAttributes);
    register(LeakyRelu.TYPE, LeakyRelu::fromAttributes);
    register(MatMul.TYPE, MatMul::fromAttributes);
    register(MaxPool.TYPE, MaxPool::fromAttributes);
    register(Mul.TYPE, Mul::fromAttributes);
    register(Pad.TYPE, Pad::fromAttributes);
    register(Pow.TYPE, Pow::fromAttributes);
    register(PRelu.TYPE, PRelu::fromAttributes);
    register(Reciprocal.TYPE, Reciprocal::fromAttributes);
    register(ReduceMean.TYPE, ReduceMean::fromAttributes);
    register(Relu.TYPE, Relu::fromAttributes);
    register(Reshape.TYPE, Reshape::fromAttributes);
    register(Resize.TYPE, Resize::fromAttributes);
    register(ShapeOf.TYPE, ShapeOf::fromAttributes);
    register(Sigmoid.TYPE, Sigmoid::fromAttributes);
    register(Slice.TYPE, Slice::fromAttributes);
    register(Softmax.TYPE, Softmax::fromAttributes);
    register(Split.TYPE, Split::fromAttributes);
    register(Sqrt.TYPE, Sqrt::fromAttributes);
    register(Squeeze.TYPE, Squeeze::fromAttributes);
    register(Sub.TYPE, Sub::fromAttributes);
    register(Tanh.TYPE, Tanh::fromAttributes);
    register(Transpose.TYPE, Transpose::fromAttributes);
    register(Unsqueeze.TYPE, Unsqueeze::fromAttributes);
    register(Upsample.TYPE, Upsample::fromAttributes);
  }

  private OpRegistry() {}

  private static void register(String type, Factory factory) {
    if (FACTORIES.put(type, factory) != null) {
      throw new IllegalStateException("operator " + type + " registered twice");
    }
  }

  public static boolean isSupported(String type) {
    return FACTORIES.containsKey(type);
  }

  /** Supported operator types, sorted. */
  public static Set<String> supportedTypes() {
    return Collections.unmodifiableSet(FACTORIES.keySet());
  }

  /**
   * Creates the operator.
   *
   * @throws OpException for an unsupported type or bad attributes
   */
  public static Op create(String type, Attributes attributes, int opset) {
    Factory f = FACTORIES.get(type);
    if (f == null) {
      throw new OpException("unsupported operator; Kiln supports " + String.join(", ", FACTORIES.keySet()));
    }
    return f.create(attributes, opset);
  }
}
