package dev.kiln.compiler.testing;

import dev.kiln.compiler.importer.ImportOptions;
import dev.kiln.compiler.importer.onnx.OnnxImporter;
import dev.kiln.compiler.importer.onnx.proto.OnnxProto.AttributeProto;
import dev.kiln.compiler.ir.Graph;
import dev.kiln.compiler.ir.Tensor;
import dev.kiln.compiler.ir.Value;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * One operator node as a test case, in a compact notation:
 *
 * <pre>
 * op("Conv").in(x(1, 4, 9, 9), w(6, 2, 3, 3), none()).attrs(Attr.ints("strides", 2, 1))
 * </pre>
 *
 * Inputs: {@link #x} a graph input fed random data, {@link #fed} a graph input fed given data,
 * {@link #w} a constant (random or given), {@link #none} an absent input. {@link #build} puts cases
 * into one ONNX graph; random data is seeded by the case's position, so a case builds the same graph
 * every time.
 */
public final class OpCase {
  private final String op;
  private int opset = 13;
  private int outputs = 1;
  private List<Operand> inputs = List.of();
  private List<AttributeProto> attributes = List.of();

  private OpCase(String op) {
    this.op = op;
  }

  /** A node of this ONNX operator type, at opset 13 unless {@link #opset(int)} says otherwise. */
  public static OpCase op(String type) {
    return new OpCase(type);
  }

  public OpCase opset(int value) {
    opset = value;
    return this;
  }

  public OpCase in(Operand... values) {
    inputs = List.of(values);
    return this;
  }

  public OpCase attrs(AttributeProto... values) {
    attributes = List.of(values);
    return this;
  }

  /** The node's output count (1 unless set); every output is a graph output. */
  public OpCase outputs(int count) {
    outputs = count;
    return this;
  }

  public String op() {
    return op;
  }

  public int opset() {
    return opset;
  }

  public List<AttributeProto> attributes() {
    return attributes;
  }

  @Override
  public String toString() {
    StringBuilder sb = new StringBuilder(op).append(" (opset ").append(opset).append(")");
    for (Operand in : inputs) {
      sb.append(' ').append(in);
    }
    for (AttributeProto a : attributes) {
      sb.append(' ').append(a.getName());
    }
    return sb.toString();
  }

  /**
   * One graph holding the cases' nodes (named {@code n<i>_<op>}): each reads its own inputs
   * ({@code c<i>_in<j>}) and each of its outputs ({@code c<i>_<op>}, then {@code c<i>_<op>_<k>}) is a
   * graph output. The data for the graph inputs is put into {@code feeds}.
   */
  public static Graph build(int opset, List<OpCase> cases, Map<String, Tensor> feeds) {
    ModelBuilder b = new ModelBuilder(opset);
    for (int i = 0; i < cases.size(); i++) {
      OpCase c = cases.get(i);
      List<String> inputs = new ArrayList<>();
      for (int j = 0; j < c.inputs.size(); j++) {
        Operand operand = c.inputs.get(j);
        String name = "c" + i + "_in" + j;
        long seed = 1000L * i + j;
        if (operand instanceof Random r && r.graphInput) {
          b.input(name, r.dims);
          feeds.put(name, Tensors.uniform(seed, r.lo, r.hi, r.dims));
        } else if (operand instanceof Random r) {
          b.initializer(name, Tensors.uniform(seed + 500, r.lo, r.hi, r.dims));
        } else if (operand instanceof Given g && g.graphInput) {
          b.input(name, g.value.dtype(), g.value.shape().dims());
          feeds.put(name, g.value);
        } else if (operand instanceof Given g) {
          b.initializer(name, g.value);
        } else {
          name = "";
        }
        inputs.add(name);
      }
      List<String> outputs = new ArrayList<>();
      for (int k = 0; k < c.outputs; k++) {
        outputs.add("c" + i + "_" + c.op + (k == 0 ? "" : "_" + k));
      }
      b.namedNode("n" + i + "_" + c.op, c.op, inputs, outputs,
          c.attributes.toArray(new AttributeProto[0]));
      outputs.forEach(b::output);
    }
    Graph g = OnnxImporter.fromProto(b.build(), "test.onnx", null, ImportOptions.DEFAULTS);
    for (Value in : g.inputs()) {
      if (!feeds.containsKey(in.name())) {
        throw new AssertionError("no data for graph input " + in.name());
      }
    }
    return g;
  }

  /** One case alone in a graph at its own opset. */
  public Graph build(Map<String, Tensor> feeds) {
    return build(opset, List.of(this), feeds);
  }

  // ---- Operands ---------------------------------------------------------------------------------

  /** A node input. */
  public sealed interface Operand {}

  private record Random(int[] dims, float lo, float hi, boolean graphInput) implements Operand {
    @Override
    public String toString() {
      return (graphInput ? "x" : "w") + Arrays.toString(dims);
    }
  }

  private record Given(Tensor value, boolean graphInput) implements Operand {
    @Override
    public String toString() {
      return (graphInput ? "x" : "w") + "=" + value;
    }
  }

  private record Absent() implements Operand {
    @Override
    public String toString() {
      return "none";
    }
  }

  /** A graph input fed data uniform in [-1, 1). */
  public static Operand x(int... dims) {
    return new Random(dims, -1f, 1f, true);
  }

  /** A graph input fed data uniform in [0.5, 2). */
  public static Operand positiveX(int... dims) {
    return new Random(dims, 0.5f, 2f, true);
  }

  /** A graph input fed this value. */
  public static Operand fed(Tensor value) {
    return new Given(value, true);
  }

  /** A constant uniform in [-1, 1). */
  public static Operand w(int... dims) {
    return new Random(dims, -1f, 1f, false);
  }

  /** A constant uniform in [0.5, 2). */
  public static Operand positive(int... dims) {
    return new Random(dims, 0.5f, 2f, false);
  }

  /** This constant. */
  public static Operand w(Tensor value) {
    return new Given(value, false);
  }

  public static Operand none() {
    return new Absent();
  }
}
