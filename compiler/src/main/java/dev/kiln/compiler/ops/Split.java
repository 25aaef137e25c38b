package dev.kiln.compiler.ops;

import dev.kiln.compiler.ir.Arity;
import dev.kiln.compiler.ir.Attributes;
import dev.kiln.compiler.ir.InferenceContext;
import dev.kiln.compiler.ir.Op;
import dev.kiln.compiler.ir.OpException;
import dev.kiln.compiler.ir.Shape;
import dev.kiln.compiler.ir.Tensor;
import dev.kiln.compiler.ir.TensorType;
import dev.kiln.runtime.kernels.reference.ReferenceLayout;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Split (opsets 2, 11, 13, 18): the input cut along {@code axis} (default 0) into consecutive parts.
 * The part lengths come from, in this order:
 * <ul>
 *   <li>the {@code split} attribute (before opset 13) or the optional {@code split} input (from 13),
 *       which must be known at compile time;
 *   <li>the {@code num_outputs} attribute (from 18): parts of ⌈d/n⌉, the last one smaller;
 *   <li>otherwise equal parts, one per output, which must divide the axis evenly.
 * </ul>
 *
 * @param splitAttribute the {@code split} attribute (opset &lt; 13), or {@code null}
 * @param numOutputs the {@code num_outputs} attribute (opset 18+), or {@code null}
 */
public record Split(int axis, List<Long> splitAttribute, Integer numOutputs) implements Op {
  public static final String TYPE = "Split";

  public Split {
    splitAttribute = splitAttribute == null ? null : List.copyOf(splitAttribute);
  }

  public static Split fromAttributes(Attributes a, int opset) {
    if (opset < 13) {
      a.requireOnly("axis", "split");
      return new Split(a.getInt32("axis", 0), Axes.list(a.getLongs("split")), null);
    }
    if (opset < 18) {
      a.requireOnly("axis");
      return new Split(a.getInt32("axis", 0), null, null);
    }
    a.requireOnly("axis", "num_outputs");
    Integer numOutputs = a.has("num_outputs") ? a.getInt32("num_outputs", 0) : null;
    if (numOutputs != null && numOutputs < 1) {
      throw new OpException("num_outputs must be positive, got " + numOutputs);
    }
    return new Split(a.getInt32("axis", 0), null, numOutputs);
  }

  @Override
  public String type() {
    return TYPE;
  }

  @Override
  public Arity arity() {
    return new Arity(1, 2, 1, Arity.VARIADIC);
  }

  @Override
  public Attributes attributes() {
    Attributes.Builder b = Attributes.builder();
    if (axis != 0) {
      b.putInt("axis", axis);
    }
    b.putLongs("split", Axes.array(splitAttribute));
    if (numOutputs != null) {
      b.putInt("num_outputs", numOutputs);
    }
    return b.build();
  }

  /**
   * The length of each of the node's parts along the axis. Split lengths or num_outputs may name
   * more parts than the node has outputs: the importer drops trailing outputs nobody reads.
   *
   * @param splitInput the {@code split} input's value, or {@code null} when it is absent
   */
  private int[] partLengths(Shape s, Tensor splitInput, int parts) {
    int a = Axes.normalize(axis, s.rank());
    int length = s.dim(a);
    long[] given = null;
    if (splitInput != null) {
      if (splitAttribute != null) {
        throw new OpException("split is given both as an attribute and as an input");
      }
      if (numOutputs != null) {
        throw new OpException("the split input and num_outputs must not both be given");
      }
      given = Axes.vector(splitInput, "split");
    } else if (splitAttribute != null) {
      given = Axes.array(splitAttribute);
    }
    if (given != null) {
      if (given.length < parts) {
        throw new OpException("split " + Arrays.toString(given) + " has " + given.length
            + " parts but the node has " + parts + " outputs");
      }
      long sum = 0;
      int[] lengths = new int[given.length];
      for (int i = 0; i < given.length; i++) {
        if (given[i] < 0) {
          throw new OpException("split " + Arrays.toString(given) + " has a negative length");
        }
        sum += given[i];
        lengths[i] = (int) Math.min(given[i], Integer.MAX_VALUE);
      }
      if (sum != length) {
        throw new OpException("split " + Arrays.toString(given) + " sums to " + sum
            + " but axis " + a + " of " + s + " has length " + length);
      }
      return Arrays.copyOf(lengths, parts);
    }
    if (numOutputs != null) {
      if (numOutputs < parts) {
        throw new OpException("num_outputs is " + numOutputs + " but the node has " + parts
            + " outputs");
      }
      // ⌈d/n⌉ per part; what is left goes to the last one.
      int n = numOutputs;
      int chunk = (length + n - 1) / n;
      int last = length - chunk * (n - 1);
      if (last < 0) {
        throw new OpException("axis " + a + " of length " + length + " cannot be split into "
            + n + " parts of " + chunk);
      }
      int[] lengths = new int[n];
      Arrays.fill(lengths, chunk);
      lengths[n - 1] = last;
      return Arrays.copyOf(lengths, parts);
    }
    if (length % parts != 0) {
      throw new OpException("axis " + a + " of " + s + " does not split evenly into " + parts
          + " outputs; give split lengths");
    }
    int[] lengths = new int[parts];
    Arrays.fill(lengths, length / parts);
    return lengths;
  }

  @Override
  public List<TensorType> inferTypes(InferenceContext ctx) {
    TensorType x = ctx.inputType(0);
    int a = Axes.normalize(axis, x.rank());
    List<TensorType> out = new ArrayList<>();
    Tensor splitInput = ctx.hasInput(1) ? ctx.requireKnown(1, "split") : null;
    for (int length : partLengths(x.shape(), splitInput, ctx.outputCount())) {
      out.add(x.withShape(x.shape().withDim(a, length)));
    }
    return out;
  }

  /**
   * The copy of each part out of the input, unused parts included. Lengths come from the input, not
   * the output types: an unused output has no type.
   *
   * @param splitInput the {@code split} input's value, or {@code null} when it is absent
   * @param parts the node's outputs, unused ones (empty names) included
   */
  public List<StridedCopy> copies(Shape s, Tensor splitInput, int parts) {
    int a = Axes.normalize(axis, s.rank());
    int outer = s.product(0, a);
    int inner = s.product(a + 1, s.rank());
    int inRow = s.dim(a) * inner;
    List<StridedCopy> copies = new ArrayList<>();
    int column = 0;
    for (int length : partLengths(s, splitInput, parts)) {
      int row = length * inner;
      copies.add(new StridedCopy(new int[] {outer, row}, column, new int[] {inRow, 1}, 0,
          new int[] {row, 1}));
      column += row;
    }
    return copies;
  }

  @Override
  public Tensor[] evaluate(Tensor[] inputs, TensorType[] outputTypes) {
    Tensor x = inputs[0];
    float[] floats = x.isFloat() ? x.toFloatArray() : null;
    long[] longs = x.isFloat() ? null : x.toLongArray();
    List<StridedCopy> copies = copies(x.shape(), inputs.length > 1 ? inputs[1] : null,
        outputTypes.length);
    Tensor[] out = new Tensor[outputTypes.length];
    for (int i = 0; i < outputTypes.length; i++) {
      if (outputTypes[i] == null) {
        continue;
      }
      StridedCopy c = copies.get(i);
      Shape partShape = outputTypes[i].shape();
      if (floats != null) {
        float[] part = new float[partShape.elementCount()];
        ReferenceLayout.stridedCopy(c.dims(), floats, c.srcOffset(), c.srcStrides(), part,
            c.dstOffset(), c.dstStrides());
        out[i] = Tensor.adopt(partShape, part);
      } else {
        long[] part = new long[partShape.elementCount()];
        ReferenceLayout.stridedCopy(c.dims(), longs, c.srcOffset(), c.srcStrides(), part,
            c.dstOffset(), c.dstStrides());
        out[i] = Tensor.adopt(x.dtype(), partShape, part);
      }
    }
    return out;
  }
}
