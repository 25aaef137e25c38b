package dev.kiln.compiler.testing;

import static dev.kiln.compiler.testing.OpCase.none;
import static dev.kiln.compiler.testing.OpCase.op;
import static dev.kiln.compiler.testing.OpCase.positive;
import static dev.kiln.compiler.testing.OpCase.positiveX;
import static dev.kiln.compiler.testing.OpCase.w;
import static dev.kiln.compiler.testing.OpCase.x;

import dev.kiln.compiler.ir.DType;
import dev.kiln.compiler.ir.Shape;
import dev.kiln.compiler.ir.Tensor;
import dev.kiln.compiler.ops.OpRegistry;
import java.util.List;

/**
 * Every registered operator, with non-default attributes where it has any: the cases tests run for
 * every operator (JSON round trip, lowering). When an operator is added to {@link OpRegistry}, add a
 * line here; the tests that cover every operator fail until then.
 */
public final class OpCases {
  private OpCases() {}

  /** One node each, alphabetical. */
  public static final List<OpCase> ONE_PER_OPERATOR = List.of(
      op("Add").in(x(2, 3, 4, 5), w(1, 3, 1, 5)),
      op("AveragePool").in(x(1, 2, 9, 8)).attrs(Attr.ints("kernel_shape", 3, 2),
          Attr.ints("strides", 2, 1), Attr.ints("pads", 1, 0, 1, 1), Attr.i("ceil_mode", 1),
          Attr.i("count_include_pad", 1)),
      op("BatchNormalization").in(x(2, 3, 4, 4), w(3), w(3), w(3), positive(3))
          .attrs(Attr.f("epsilon", 1e-3f)),
      op("Cast").in(x(2, 3)).attrs(Attr.i("to", DType.INT64.onnxCode())),
      op("Clip").in(x(2, 3), none(), w(Tensors.scalar(0.25f))),
      op("Clip").opset(10).in(x(2, 3)).attrs(Attr.f("min", -0.0f), Attr.f("max", 0.1f)),
      op("Concat").in(x(2, 3), w(2, 4)).attrs(Attr.i("axis", -1)),
      op("Constant").attrs(Attr.tensor("value", Tensors.random(7, 3, 5, 2))),
      op("Constant").attrs(Attr.tensor("value", Tensor.ofLongs(DType.INT32, Shape.of(2), 3, -1))),
      op("Constant").attrs(Attr.tensor("value",
          Tensor.ofLongs(DType.BOOL, Shape.of(20), new long[20]))),
      op("ConstantOfShape").in(w(Tensors.int64(2, 3)))
          .attrs(Attr.tensor("value", Tensor.ofFloats(Shape.of(1), 1.5f))),
      op("Conv").in(x(1, 4, 9, 9), w(6, 2, 3, 3), w(6)).attrs(Attr.ints("strides", 2, 1),
          Attr.ints("pads", 1, 0, 2, 1), Attr.ints("dilations", 1, 2), Attr.i("group", 2),
          Attr.ints("kernel_shape", 3, 3)),
      op("Conv").in(x(1, 3, 10, 7), w(2, 3, 4, 4)).attrs(Attr.s("auto_pad", "SAME_LOWER"),
          Attr.ints("strides", 3, 3)),
      op("ConvTranspose").in(x(1, 4, 5, 6), w(4, 3, 3, 3), w(6)).attrs(Attr.ints("strides", 2, 2),
          Attr.ints("pads", 1, 0, 1, 1), Attr.ints("output_padding", 1, 0), Attr.i("group", 2)),
      op("Div").in(x(2, 3), positive(3)),
      op("Dropout").in(x(2, 3), w(Tensors.scalar(0.25f))),
      op("Erf").in(x(2, 3)),
      op("Exp").in(x(2, 3)),
      op("Flatten").in(x(2, 3, 4, 5)).attrs(Attr.i("axis", 2)),
      op("Gather").in(x(3, 4), w(Tensors.int64(2, 0, -1))).attrs(Attr.i("axis", 1)),
      op("Gemm").in(x(4, 3), w(5, 4), w(5)).attrs(Attr.f("alpha", 0.1f), Attr.f("beta", -2.5f),
          Attr.i("transA", 1), Attr.i("transB", 1)),
      op("GlobalAveragePool").in(x(1, 3, 5, 4)),
      op("GlobalMaxPool").in(x(1, 3, 5, 4)),
      op("HardSigmoid").in(x(2, 3)).attrs(Attr.f("alpha", 0.3f), Attr.f("beta", 0.4f)),
      op("HardSwish").opset(14).in(x(2, 3)),
      op("Identity").in(x(2, 3)),
      op("LayerNormalization").opset(17).in(x(2, 3, 4), w(4), w(4))
          .attrs(Attr.i("axis", -1), Attr.f("epsilon", 1e-3f)),
      op("LeakyRelu").in(x(2, 3)).attrs(Attr.f("alpha", 0.2f)),
      op("MatMul").in(x(2, 3, 4), w(4, 5)),
      op("MaxPool").in(x(1, 2, 9, 8)).attrs(Attr.ints("kernel_shape", 3, 3),
          Attr.ints("strides", 2, 2), Attr.ints("pads", 1, 1, 0, 0), Attr.i("ceil_mode", 1)),
      op("MaxPool").in(x(1, 2, 9, 8)).attrs(Attr.ints("kernel_shape", 2, 3),
          Attr.s("auto_pad", "SAME_UPPER")),
      op("Mul").in(x(2, 3, 4), w(4)),
      op("Pad").in(x(1, 2, 3, 4), w(Tensors.int64(0, 0, 1, 2, 0, 0, 2, 1)), w(Tensors.scalar(0.5f))),
      op("Pad").in(x(1, 2, 3, 4), w(Tensors.int64(0, 0, 1, 1, 0, 0, 1, 1))).attrs(Attr.s("mode", "edge")),
      op("Pow").in(positiveX(2, 3), w(Tensors.scalar(2.5f))),
      op("PRelu").in(x(2, 3, 4, 4), w(3, 1, 1)),
      op("Reciprocal").in(positiveX(2, 3)),
      op("ReduceMean").in(x(2, 3, 4)).attrs(Attr.ints("axes", 1), Attr.i("keepdims", 0)),
      op("Relu").in(x(2, 3)),
      op("Reshape").in(x(2, 3, 4), w(Tensors.int64(4, -1))).attrs(Attr.i("allowzero", 1)),
      op("Resize").in(x(1, 2, 3, 4), none(), w(Tensor.ofFloats(Shape.of(4), 1, 1, 2, 1.5f)))
          .attrs(Attr.s("mode", "linear"), Attr.s("coordinate_transformation_mode", "align_corners")),
      op("Resize").in(x(1, 2, 3, 4), none(), none(), w(Tensors.int64(1, 2, 7, 5)))
          .attrs(Attr.s("mode", "nearest"), Attr.s("nearest_mode", "floor")),
      op("Shape").in(x(2, 3, 4, 5)).attrs(Attr.i("start", 1), Attr.i("end", -1)),
      op("Sigmoid").in(x(2, 3)),
      op("Slice").in(x(3, 4, 5), w(Tensors.int64(4, 1)), w(Tensors.int64(0, 3)), w(Tensors.int64(2, 0)),
          w(Tensors.int64(-1, 1))),
      op("Softmax").in(x(2, 3, 4)).attrs(Attr.i("axis", 1)),
      op("Softmax").opset(11).in(x(2, 3, 4)).attrs(Attr.i("axis", 2)),
      op("Split").in(x(2, 6), w(Tensors.int64(6))).attrs(Attr.i("axis", 1)),
      op("Sqrt").in(positiveX(2, 3)),
      op("Squeeze").in(x(2, 1, 3, 1), w(Tensors.int64(1, -1))),
      op("Sub").in(x(2, 3), w(2, 1)),
      op("Tanh").in(x(2, 3)),
      op("Transpose").in(x(2, 3, 4)).attrs(Attr.ints("perm", 1, 2, 0)),
      op("Unsqueeze").in(x(2, 3), w(Tensors.int64(0, -1))),
      op("Upsample").opset(9).in(x(1, 2, 3, 4), w(Tensor.ofFloats(Shape.of(4), 1, 1, 2, 3)))
          .attrs(Attr.s("mode", "linear")));
}
