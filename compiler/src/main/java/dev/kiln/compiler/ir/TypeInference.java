package dev.kiln.compiler.ir;

import dev.kiln.compiler.KilnException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Walks nodes in order, inferring each output type and tracking the values known at compile time
 * (constants, and every node whose inputs are all known or whose outputs the input types determine).
 * Importers use it to type a graph as they build it; the verifier uses it to re-check one.
 *
 * <p>Known values matter because exporters compute shapes in the graph (Shape → Gather → Concat →
 * Reshape): Reshape's output shape is only known once its shape input is evaluated.
 */
public final class TypeInference {
  /** Known values larger than this are not materialized while inferring; FoldConstants does that. */
  private static final int MAX_EAGER_ELEMENTS = 1 << 22;

  private final String source;
  private final int opset;
  private final Map<String, TensorType> types = new HashMap<>();
  private final Map<String, Tensor> known = new HashMap<>();

  public TypeInference(String source, int opset) {
    this.source = source;
    this.opset = opset;
  }

  public void declare(String value, TensorType type) {
    types.put(value, type);
  }

  public void declareConstant(String value, Tensor tensor) {
    types.put(value, tensor.type());
    known.put(value, tensor);
  }

  public TensorType type(String value) {
    return types.get(value);
  }

  /** The value's compile-time content, or {@code null}. */
  public Tensor known(String value) {
    return known.get(value);
  }

  /** {@code model.onnx: node 'Conv_12' (Conv, opset 13)}: how every node error begins. */
  public static String where(String source, Node node, int opset) {
    return source + ": node '" + node.name() + "' (" + node.opType() + ", opset " + opset + ")";
  }

  /**
   * Infers the node's output types, records them, and evaluates the node when its inputs are known.
   *
   * @throws KilnException naming the file, node and op when the node does not type-check
   */
  public List<TensorType> infer(Node node) {
    String where = where(source, node, opset);
    try {
      node.op().arity().check(node.inputs().size(), node.outputs().size());
    } catch (OpException e) {
      throw new KilnException(where + ": " + e.getMessage());
    }
    int n = node.inputs().size();
    TensorType[] inTypes = new TensorType[n];
    Tensor[] inKnown = new Tensor[n];
    boolean allKnown = true;
    for (int i = 0; i < n; i++) {
      String in = node.input(i);
      if (in.isEmpty()) {
        continue;
      }
      inTypes[i] = types.get(in);
      if (inTypes[i] == null) {
        throw new KilnException(where + ": input '" + in + "' is not defined before this node");
      }
      inKnown[i] = known.get(in);
      allKnown &= inKnown[i] != null;
    }
    InferenceContext ctx = new InferenceContext(inTypes, inKnown, node.outputs().size());
    List<TensorType> outTypes;
    Tensor[] outValues = null;
    try {
      outTypes = node.op().inferTypes(ctx);
      if (outTypes.size() != node.outputs().size()) {
        throw new IllegalStateException(node.opType() + " inferred " + outTypes.size()
            + " output types for " + node.outputs().size() + " outputs");
      }
      outValues = node.op().knownOutputs(ctx);
      if (outValues == null && allKnown && fitsEagerLimit(outTypes)) {
        outValues = node.op().evaluate(inKnown, outTypes.toArray(new TensorType[0]));
      }
    } catch (KilnException e) {
      throw new KilnException(where + ": " + e.getMessage(), e);
    }
    for (int i = 0; i < outTypes.size(); i++) {
      String out = node.output(i);
      if (out.isEmpty()) {
        continue;
      }
      types.put(out, outTypes.get(i));
      if (outValues != null && outValues[i] != null) {
        known.put(out, outValues[i]);
      }
    }
    return outTypes;
  }

  private static boolean fitsEagerLimit(List<TensorType> outTypes) {
    long total = 0;
    for (TensorType t : outTypes) {
      total += t.elementCount();
    }
    return total <= MAX_EAGER_ELEMENTS;
  }

  /** Types of the node's inputs, {@code null} for absent ones. */
  public TensorType[] inputTypes(Node node) {
    List<TensorType> list = new ArrayList<>();
    for (String in : node.inputs()) {
      list.add(in.isEmpty() ? null : types.get(in));
    }
    return list.toArray(new TensorType[0]);
  }
}
