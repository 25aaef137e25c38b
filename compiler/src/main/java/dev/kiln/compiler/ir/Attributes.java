package dev.kiln.compiler.ir;

import dev.kiln.compiler.ir.Attribute.FloatAttr;
import dev.kiln.compiler.ir.Attribute.FloatsAttr;
import dev.kiln.compiler.ir.Attribute.IntAttr;
import dev.kiln.compiler.ir.Attribute.IntsAttr;
import dev.kiln.compiler.ir.Attribute.StringAttr;
import dev.kiln.compiler.ir.Attribute.TensorAttr;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * An immutable, ordered set of named attributes: the neutral form between the ONNX and JSON importers
 * and the operator classes. Typed getters take the spec's default and fail with a precise message on a
 * value of the wrong kind.
 */
public final class Attributes {
  public static final Attributes EMPTY = new Attributes(Map.of());

  private final Map<String, Attribute> values;

  private Attributes(Map<String, Attribute> values) {
    this.values = values;
  }

  public static Builder builder() {
    return new Builder();
  }

  public Map<String, Attribute> asMap() {
    return values;
  }

  public boolean has(String name) {
    return values.containsKey(name);
  }

  public boolean isEmpty() {
    return values.isEmpty();
  }

  /** Fails on any attribute the operator does not know: ignoring one could silently change results. */
  public Attributes requireOnly(String... known) {
    Set<String> allowed = Set.of(known);
    Set<String> unknown = new TreeSet<>();
    for (String name : values.keySet()) {
      if (!allowed.contains(name)) {
        unknown.add(name);
      }
    }
    if (!unknown.isEmpty()) {
      throw new OpException("unsupported attribute" + (unknown.size() > 1 ? "s " : " ") + unknown);
    }
    return this;
  }

  public long getInt(String name, long defaultValue) {
    Attribute a = values.get(name);
    if (a == null) {
      return defaultValue;
    }
    if (a instanceof IntAttr i) {
      return i.value();
    }
    throw wrongKind(name, "INT", a);
  }

  public int getInt32(String name, int defaultValue) {
    long v = getInt(name, defaultValue);
    if (v != (int) v) {
      throw new OpException("attribute '" + name + "' = " + v + " does not fit in 32 bits");
    }
    return (int) v;
  }

  public float getFloat(String name, float defaultValue) {
    Attribute a = values.get(name);
    if (a == null) {
      return defaultValue;
    }
    if (a instanceof FloatAttr f) {
      return f.value();
    }
    if (a instanceof IntAttr i) {
      return i.value();
    }
    throw wrongKind(name, "FLOAT", a);
  }

  public String getString(String name, String defaultValue) {
    Attribute a = values.get(name);
    if (a == null) {
      return defaultValue;
    }
    if (a instanceof StringAttr s) {
      return s.value();
    }
    throw wrongKind(name, "STRING", a);
  }

  /** The INTS attribute as 32-bit ints, or {@code null} when absent. */
  public int[] getInts(String name) {
    Attribute a = values.get(name);
    if (a == null) {
      return null;
    }
    if (a instanceof IntsAttr i) {
      try {
        return i.toIntArray();
      } catch (OpException e) {
        throw new OpException("attribute '" + name + "': " + e.getMessage());
      }
    }
    throw wrongKind(name, "INTS", a);
  }

  /** The INTS attribute as longs, or {@code null} when absent. */
  public long[] getLongs(String name) {
    Attribute a = values.get(name);
    if (a == null) {
      return null;
    }
    if (a instanceof IntsAttr i) {
      long[] out = new long[i.values().size()];
      for (int k = 0; k < out.length; k++) {
        out[k] = i.values().get(k);
      }
      return out;
    }
    throw wrongKind(name, "INTS", a);
  }

  public float[] getFloats(String name) {
    Attribute a = values.get(name);
    if (a == null) {
      return null;
    }
    if (a instanceof FloatsAttr f) {
      float[] out = new float[f.values().size()];
      for (int k = 0; k < out.length; k++) {
        out[k] = f.values().get(k);
      }
      return out;
    }
    throw wrongKind(name, "FLOATS", a);
  }

  public Tensor getTensor(String name) {
    Attribute a = values.get(name);
    if (a == null) {
      return null;
    }
    if (a instanceof TensorAttr t) {
      return t.value();
    }
    throw wrongKind(name, "TENSOR", a);
  }

  private static OpException wrongKind(String name, String expected, Attribute actual) {
    return new OpException(
        "attribute '" + name + "' must be " + expected + ", got " + actual.kind());
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof Attributes a && values.equals(a.values);
  }

  @Override
  public int hashCode() {
    return values.hashCode();
  }

  /** {@code {kernel_shape=[3,3], pads=[1,1,1,1]}}, in insertion order. */
  @Override
  public String toString() {
    StringBuilder sb = new StringBuilder("{");
    boolean first = true;
    for (Map.Entry<String, Attribute> e : values.entrySet()) {
      if (!first) {
        sb.append(", ");
      }
      first = false;
      sb.append(e.getKey()).append('=').append(e.getValue());
    }
    return sb.append('}').toString();
  }

  /** Collects attributes in order; setters with a {@code null} value leave the attribute out. */
  public static final class Builder {
    private final Map<String, Attribute> values = new LinkedHashMap<>();

    public Builder put(String name, Attribute value) {
      if (value != null) {
        values.put(name, value);
      }
      return this;
    }

    public Builder putInt(String name, long value) {
      return put(name, new IntAttr(value));
    }

    public Builder putFloat(String name, float value) {
      return put(name, new FloatAttr(value));
    }

    public Builder putString(String name, String value) {
      return value == null ? this : put(name, new StringAttr(value));
    }

    public Builder putInts(String name, int... v) {
      if (v == null) {
        return this;
      }
      Long[] boxed = new Long[v.length];
      for (int i = 0; i < v.length; i++) {
        boxed[i] = (long) v[i];
      }
      return put(name, new IntsAttr(List.of(boxed)));
    }

    public Builder putLongs(String name, long... v) {
      if (v == null) {
        return this;
      }
      Long[] boxed = new Long[v.length];
      for (int i = 0; i < v.length; i++) {
        boxed[i] = v[i];
      }
      return put(name, new IntsAttr(List.of(boxed)));
    }

    public Builder putFloats(String name, float... v) {
      if (v == null) {
        return this;
      }
      Float[] boxed = new Float[v.length];
      for (int i = 0; i < v.length; i++) {
        boxed[i] = v[i];
      }
      return put(name, new FloatsAttr(List.of(boxed)));
    }

    public Builder putTensor(String name, Tensor t) {
      return t == null ? this : put(name, new TensorAttr(t));
    }

    public Attributes build() {
      return values.isEmpty()
          ? EMPTY
          : new Attributes(Collections.unmodifiableMap(new LinkedHashMap<>(values)));
    }
  }
}
