package dev.kiln.compiler.ir;

import java.util.List;
import java.util.Objects;

/** One operator attribute value, in ONNX's vocabulary. */
public sealed interface Attribute {
  /** ONNX's name for the kind ("INT", "FLOATS", ...), for error messages. */
  String kind();

  record IntAttr(long value) implements Attribute {
    @Override
    public String kind() {
      return "INT";
    }

    @Override
    public String toString() {
      return Long.toString(value);
    }
  }

  record FloatAttr(float value) implements Attribute {
    @Override
    public String kind() {
      return "FLOAT";
    }

    @Override
    public String toString() {
      return Float.toString(value);
    }
  }

  record StringAttr(String value) implements Attribute {
    public StringAttr {
      Objects.requireNonNull(value);
    }

    @Override
    public String kind() {
      return "STRING";
    }

    @Override
    public String toString() {
      return '"' + value.replace("\\", "\\\\").replace("\"", "\\\"") + '"';
    }
  }

  record IntsAttr(List<Long> values) implements Attribute {
    public IntsAttr {
      values = List.copyOf(values);
    }

    public int[] toIntArray() {
      int[] out = new int[values.size()];
      for (int i = 0; i < out.length; i++) {
        long v = values.get(i);
        if (v != (int) v) {
          throw new OpException("attribute value " + v + " does not fit in 32 bits");
        }
        out[i] = (int) v;
      }
      return out;
    }

    @Override
    public String kind() {
      return "INTS";
    }

    @Override
    public String toString() {
      return values.toString().replace(" ", "");
    }
  }

  record FloatsAttr(List<Float> values) implements Attribute {
    public FloatsAttr {
      values = List.copyOf(values);
    }

    @Override
    public String kind() {
      return "FLOATS";
    }

    @Override
    public String toString() {
      return values.toString().replace(" ", "");
    }
  }

  record StringsAttr(List<String> values) implements Attribute {
    public StringsAttr {
      values = List.copyOf(values);
    }

    @Override
    public String kind() {
      return "STRINGS";
    }

    @Override
    public String toString() {
      return values.toString();
    }
  }

  record TensorAttr(Tensor value) implements Attribute {
    public TensorAttr {
      Objects.requireNonNull(value);
    }

    @Override
    public String kind() {
      return "TENSOR";
    }

    @Override
    public String toString() {
      return value.toString();
    }
  }
}
