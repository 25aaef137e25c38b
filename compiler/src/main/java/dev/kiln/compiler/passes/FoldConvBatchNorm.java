package dev.kiln.compiler.passes;

import static dev.kiln.compiler.passes.Patterns.label;
import static dev.kiln.compiler.passes.Patterns.origin;

import dev.kiln.compiler.ir.Graph;
import dev.kiln.compiler.ir.Node;
import dev.kiln.compiler.ir.Shape;
import dev.kiln.compiler.ir.Tensor;
import dev.kiln.compiler.ops.BatchNormalization;
import dev.kiln.compiler.ops.Broadcast;
import dev.kiln.compiler.ops.Conv;
import dev.kiln.compiler.ops.ConvTranspose;
import dev.kiln.compiler.ops.FusedConv;
import dev.kiln.compiler.ops.Gemm;
import dev.kiln.compiler.ops.MatMul;
import java.util.List;

/**
 * Folds an inference BatchNormalization into the linear layer before it: a Conv, a ConvTranspose, a
 * Gemm, or a MatMul of two matrices (which becomes a Gemm). With s = γ/√(σ²+ε) per output channel,
 *
 * <pre>
 *   BN(W⊛x + b) = (W⊛x + b − μ)·s + β = (W·s)⊛x + ((b − μ)·s + β)
 *   W' = W·s   (each output channel's filter scaled by its s)
 *   b' = (b − μ)·s + β   (a layer without bias gets one: b = 0)
 * </pre>
 *
 * <p>Legal only when the layer's output feeds the BatchNormalization alone and is no graph output
 * (anything else reading it would see the changed values), and when the weights, the bias and the
 * four statistics are constants. A BatchNormalization after anything else stays: in particular
 * Conv → Relu → BatchNormalization must not fold into the conv (ReLU does not commute with a scale
 * and shift; MNN once folded it and got wrong results). LowerBatchNorm handles what stays.
 *
 * <p>The coefficients are computed in double and rounded once per folded weight.
 */
public final class FoldConvBatchNorm implements Pass {
  @Override
  public String summary() {
    return "Folds BatchNormalization into the Conv, ConvTranspose, Gemm or 2-D MatMul before it.";
  }

  @Override
  public Graph run(Graph graph, PassContext ctx) {
    GraphEdit edit = new GraphEdit(graph);
    for (Node bn : graph.nodes()) {
      if (!bn.opType().equals(BatchNormalization.TYPE)) {
        continue;
      }
      String refusal = fold(graph, edit, bn, ctx);
      if (refusal != null) {
        ctx.refused(this, bn, "not folded: " + label(bn) + " " + refusal);
      }
    }
    return edit.build();
  }

  /** Folds {@code bn} and returns {@code null}, or returns why it cannot. */
  private String fold(Graph graph, GraphEdit edit, Node bn, PassContext ctx) {
    String x = bn.input(0);
    Node layer = graph.producer(x);
    if (layer == null) {
      return "reads " + origin(graph, x) + ", not a Conv output";
    }
    if (layer.op() instanceof FusedConv f) {
      return "follows " + label(layer) + ", whose epilogue " + f.describeEpilogue()
          + " is already fused";
    }
    String type = layer.opType();
    boolean isGemm = type.equals(Gemm.TYPE);
    boolean isMatMul = type.equals(MatMul.TYPE);
    if (!type.equals(Conv.TYPE) && !type.equals(ConvTranspose.TYPE) && !isGemm && !isMatMul) {
      return "follows " + label(layer) + ", not a Conv";
    }
    String readers = Patterns.otherReaders(graph, x, bn);
    if (readers != null) {
      return "follows " + label(layer) + ", " + readers;
    }
    String[] roles = {"scale", "B", "mean", "var"};
    float[][] stats = new float[4][];
    for (int i = 0; i < 4; i++) {
      Tensor t = graph.constant(bn.input(i + 1));
      if (t == null) {
        return "has its " + roles[i] + " '" + bn.input(i + 1) + "' computed at run time";
      }
      stats[i] = t.toFloatArray();
    }
    Tensor weights = graph.constant(layer.input(1));
    if (weights == null) {
      return "follows " + label(layer) + ", whose weights are computed at run time";
    }
    String biasName = isMatMul ? "" : layer.input(2);
    Tensor bias = biasName.isEmpty() ? null : graph.constant(biasName);
    if (!biasName.isEmpty() && bias == null) {
      return "follows " + label(layer) + ", whose bias is computed at run time";
    }
    if (isMatMul && (graph.type(layer.input(0)).rank() != 2 || weights.shape().rank() != 2)) {
      return "follows " + label(layer) + " of " + graph.type(layer.input(0)).shape() + " and "
          + weights.shape() + "; only a MatMul of two matrices folds";
    }

    float epsilon = ((BatchNormalization) bn.op()).epsilon();
    int channels = stats[0].length;
    double[] scale = new double[channels];
    double[] shift = new double[channels];
    for (int c = 0; c < channels; c++) {
      scale[c] = stats[0][c] / Math.sqrt((double) stats[3][c] + epsilon);
      shift[c] = stats[1][c] - stats[2][c] * scale[c];
    }

    Node folded;
    if (isGemm || isMatMul) {
      folded = foldGemm(edit, layer, isMatMul ? new Gemm(1f, 1f, false, false) : (Gemm) layer.op(),
          weights, bias, scale, shift, bn.output(0));
    } else {
      float[] w = weights.toFloatArray();
      if (type.equals(Conv.TYPE)) {
        int perChannel = w.length / channels;
        for (int i = 0; i < w.length; i++) {
          w[i] = (float) (w[i] * scale[i / perChannel]);
        }
      } else {
        scaleConvTransposeWeights(w, weights.shape(), ((ConvTranspose) layer.op()).group(), scale);
      }
      float[] b = new float[channels];
      for (int c = 0; c < channels; c++) {
        double old = bias == null ? 0 : bias.floatAt(c);
        b[c] = (float) ((old - stats[2][c]) * scale[c] + stats[1][c]);
      }
      String wName = edit.addConstant(layer.input(1) + "_folded", Tensor.adopt(weights.shape(), w));
      String bName = edit.addConstant(
          biasName.isEmpty() ? layer.name() + ".bias" : biasName + "_folded",
          Tensor.adopt(Shape.of(channels), b));
      folded = new Node(layer.name(), layer.op(), List.of(layer.input(0), wName, bName),
          List.of(bn.output(0)));
    }
    edit.fuse(List.of(layer, bn), folded);
    ctx.fired(this, bn, "folded " + label(bn) + " into " + label(layer)
        + (isMatMul ? ", now a Gemm" : ""));
    return null;
  }

  /**
   * ConvTranspose weights are {@code [C, M/G, kH, kW]}: input channel c of group g = c / (C/G)
   * feeds output channels g·(M/G) + j through {@code w[c, j]}.
   */
  private static void scaleConvTransposeWeights(float[] w, Shape shape, int groups, double[] scale) {
    int inChannels = shape.dim(0);
    int outPerGroup = shape.dim(1);
    int inPerGroup = inChannels / groups;
    int kernel = shape.product(2, shape.rank());
    for (int c = 0; c < inChannels; c++) {
      int g = c / inPerGroup;
      for (int j = 0; j < outPerGroup; j++) {
        double s = scale[g * outPerGroup + j];
        int base = (c * outPerGroup + j) * kernel;
        for (int i = base; i < base + kernel; i++) {
          w[i] = (float) (w[i] * s);
        }
      }
    }
  }

  /**
   * {@code BN(α·A·B + β·C) = α·A·(B·s) + (β·C·s + shift)}: B's column n (row n when transposed) is
   * scaled by s[n], and C becomes {@code β·C·s + shift} broadcast over the output columns, with β = 1.
   */
  private static Node foldGemm(GraphEdit edit, Node layer, Gemm gemm, Tensor weights, Tensor c,
      double[] scale, double[] shift, String output) {
    float[] b = weights.toFloatArray();
    int rows = weights.shape().dim(0);
    int cols = weights.shape().dim(1);
    for (int r = 0; r < rows; r++) {
      for (int k = 0; k < cols; k++) {
        int n = gemm.transB() ? r : k;
        b[r * cols + k] = (float) (b[r * cols + k] * scale[n]);
      }
    }
    int n = scale.length;
    boolean useC = c != null && gemm.beta() != 0f;
    Shape cShape = useC ? Broadcast.shape(c.shape(), Shape.of(n)) : Shape.of(n);
    int[] cStrides = useC ? Broadcast.strides(c.shape(), cShape) : null;
    float[] newC = new float[cShape.elementCount()];
    int[] dims = cShape.dims();
    for (int i = 0; i < newC.length; i++) {
      int column = i % n;
      double old = 0;
      if (useC) {
        int at = 0;
        int rest = i;
        for (int d = dims.length - 1; d >= 0; d--) {
          at += (rest % dims[d]) * cStrides[d];
          rest /= dims[d];
        }
        old = (double) gemm.beta() * c.floatAt(at);
      }
      newC[i] = (float) (old * scale[column] + shift[column]);
    }
    String bName = edit.addConstant(layer.input(1) + "_folded", Tensor.adopt(weights.shape(), b));
    String cName = edit.addConstant(
        layer.hasInput(2) && !layer.opType().equals(MatMul.TYPE) ? layer.input(2) + "_folded"
            : layer.name() + ".bias", Tensor.adopt(cShape, newC));
    Gemm folded = new Gemm(gemm.alpha(), 1f, gemm.transA(), gemm.transB());
    return new Node(layer.name(), folded, List.of(layer.input(0), bName, cName), List.of(output));
  }
}
