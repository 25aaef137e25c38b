package dev.kiln.compiler.importer.json;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.kiln.compiler.KilnException;
import dev.kiln.compiler.ir.Attribute;
import dev.kiln.compiler.ir.Attributes;
import dev.kiln.compiler.ir.DType;
import dev.kiln.compiler.ir.Shape;
import dev.kiln.compiler.ir.Tensor;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The attribute encoding: every kind round-trips exactly, floats bit for bit. */
class JsonAttributesTest {
  private static final String WHERE = "model.json: node 'n' (Conv, opset 13)";

  private static Attributes roundTrip(Attributes a) {
    Attributes back = JsonImporter.attributesFromJson(JsonExporter.attributesJson(a), WHERE);
    GraphAssert.assertAttributesBitIdentical(a.asMap(), back.asMap(), "round trip");
    assertEquals(a, back);
    assertEquals(List.copyOf(a.asMap().keySet()), List.copyOf(back.asMap().keySet()), "order");
    return back;
  }

  private static Attribute read(String json) {
    return JsonImporter.attributesFromJson("{\"a\": " + json + "}", WHERE).asMap().get("a");
  }

  private static String readError(String json) {
    return assertThrows(KilnException.class, () -> read(json)).getMessage();
  }

  @Test
  void everyKindRoundTrips() {
    roundTrip(Attributes.builder()
        .putInt("zero", 0)
        .putInt("min", Long.MIN_VALUE)
        .putInt("max", Long.MAX_VALUE)
        .putFloat("tenth", 0.1f)
        .putFloat("negative_zero", -0.0f)
        .putFloat("zero_float", 0.0f)
        .putFloat("integral_float", 2f)
        .putFloat("smallest", Float.MIN_VALUE)
        .putFloat("subnormal", 1e-40f)
        .putFloat("min_normal", Float.MIN_NORMAL)
        .putFloat("largest", -Float.MAX_VALUE)
        .putFloat("nan", Float.NaN)
        .putFloat("inf", Float.POSITIVE_INFINITY)
        .putFloat("minus_inf", Float.NEGATIVE_INFINITY)
        .putString("text", "SAME_UPPER")
        .putString("empty_text", "")
        .putString("awkward", "quote\" backslash\\ tab\t newline\n nul\u0000 é ∑ 😀")
        .putInts("ints", 3, 3)
        .putInts("no_ints")
        .putLongs("long_ints", Long.MIN_VALUE, -1, Long.MAX_VALUE)
        .putFloats("floats", 0.5f, 1f, -0.0f, 3.4e38f)
        .putFloats("no_floats")
        .putFloats("odd_floats", 1f, Float.NaN, Float.NEGATIVE_INFINITY, Float.POSITIVE_INFINITY)
        .put("strings", new Attribute.StringsAttr(List.of("a", "", "\"b\"")))
        .put("no_strings", new Attribute.StringsAttr(List.of()))
        .build());
  }

  @Test
  void tensorsOfEveryTypeRoundTrip() {
    roundTrip(Attributes.builder()
        .putTensor("f", Tensor.ofFloats(Shape.of(2, 3), 0.1f, -0.0f, Float.NaN,
            Float.NEGATIVE_INFINITY, Float.MIN_VALUE, 7f))
        .putTensor("scalar", Tensor.scalarFloat(6f))
        .putTensor("empty", Tensor.ofFloats(Shape.of(0, 4)))
        .putTensor("i64", Tensor.ofLongs(DType.INT64, Shape.of(3), Long.MIN_VALUE, 0, Long.MAX_VALUE))
        .putTensor("i32", Tensor.ofLongs(DType.INT32, Shape.of(2), Integer.MIN_VALUE, Integer.MAX_VALUE))
        .putTensor("bool", Tensor.ofLongs(DType.BOOL, Shape.of(2, 1), 1, 0))
        .build());
  }

  /** Float.toString gives the shortest text that singles the float out; Float.parseFloat reads it back. */
  @Test
  void randomFloatBitPatternsRoundTrip() {
    SplittableRandom random = new SplittableRandom(42);
    List<Float> values = new ArrayList<>();
    while (values.size() < 50_000) {
      float f = Float.intBitsToFloat(random.nextInt());
      if (!Float.isNaN(f)) {
        values.add(f);
      }
    }
    roundTrip(Attributes.builder().put("floats", new Attribute.FloatsAttr(values)).build());
  }

  @Test
  void writesTheShortFormWhereItIsUnambiguous() {
    Attributes a = Attributes.builder()
        .putInts("kernel_shape", 3, 3)
        .putFloat("epsilon", 1e-5f)
        .putFloat("alpha", 2f)
        .putString("auto_pad", "SAME_UPPER")
        .putInt("group", 2)
        .putInts("pads")
        .putFloat("max", Float.POSITIVE_INFINITY)
        .putFloats("scales", 1f, Float.NaN)
        .putTensor("value", Tensor.int64Vector(1, -1))
        .build();
    assertEquals("{\"kernel_shape\": [3, 3], \"epsilon\": 1.0E-5, \"alpha\": 2.0,"
            + " \"auto_pad\": \"SAME_UPPER\", \"group\": 2, \"pads\": {\"ints\": []},"
            + " \"max\": {\"float\": \"Infinity\"}, \"scales\": {\"floats\": [1.0, \"NaN\"]},"
            + " \"value\": {\"tensor\": {\"dtype\": \"int64\", \"shape\": [2], \"values\": [1, -1]}}}",
        JsonExporter.attributesJson(a));
  }

  @ParameterizedTest
  @CsvSource(delimiter = '|', value = {
    "1                          | INT    | 1",
    "-7                         | INT    | -7",
    "1.0                        | FLOAT  | 1.0",
    "1e3                        | FLOAT  | 1000.0",
    "-0.0                       | FLOAT  | -0.0",
    "'\"VALID\"'                | STRING | \"VALID\"",
    "[1, 2]                     | INTS   | [1,2]",
    "[1, 2.5]                   | FLOATS | [1.0,2.5]",
    "'[\"a\", \"b\"]'           | STRINGS | [a, b]",
    "{\"int\": 3}               | INT    | 3",
    "{\"float\": 2}             | FLOAT  | 2.0",
    "'{\"float\": \"-Infinity\"}' | FLOAT | -Infinity",
    "{\"ints\": []}             | INTS   | []",
    "'{\"floats\": [1, \"NaN\"]}' | FLOATS | [1.0,NaN]",
    "{\"strings\": []}          | STRINGS | []",
    "'{\"string\": \"x\"}'      | STRING | \"x\"",
  })
  void readsShortAndTypedForms(String json, String kind, String shown) {
    Attribute a = read(json);
    assertEquals(kind, a.kind(), json);
    assertEquals(shown, a.toString(), json);
  }

  /** The nearest double to this text is a midpoint between two floats: rounding twice gives 1.0. */
  @Test
  void parsesFloatsFromTheirTextNotThroughDouble() {
    String text = "1.00000005960464477550";
    assertEquals(1.0f, (float) Double.parseDouble(text));
    Attribute a = read(text);
    assertEquals(0x3f800001, Float.floatToRawIntBits(((Attribute.FloatAttr) a).value()));
  }

  @Test
  void rejectsValuesWithoutAKind() {
    assertEquals(WHERE + ": attribute 'a': an empty list has no element type; write {\"ints\": []},"
        + " {\"floats\": []} or {\"strings\": []}", readError("[]"));
    assertEquals(WHERE + ": attribute 'a': a list must hold only numbers or only strings (write"
        + " non-finite floats in the typed form {\"floats\": [...]})", readError("[1, \"NaN\"]"));
    assertEquals(WHERE + ": attribute 'a': a boolean is not an attribute value (write a number,"
        + " a string, a list, or a typed object such as {\"ints\": []})", readError("true"));
    assertEquals(WHERE + ": attribute 'a': null is not an attribute value (write a number,"
        + " a string, a list, or a typed object such as {\"ints\": []})", readError("null"));
    assertEquals(WHERE + ": attribute 'a': a typed attribute is an object with one key, one of"
        + " int, float, string, ints, floats, strings, tensor; got keys [double]",
        readError("{\"double\": 1.0}"));
    assertEquals(WHERE + ": attribute 'a': a typed attribute is an object with one key, one of"
        + " int, float, string, ints, floats, strings, tensor; got keys [int, float]",
        readError("{\"int\": 1, \"float\": 1.0}"));
  }

  @Test
  void rejectsValuesOutOfRange() {
    assertEquals(WHERE + ": attribute 'a': the value = 9223372036854775808 does not fit in int64",
        readError("9223372036854775808"));
    assertEquals(WHERE + ": attribute 'a': the value = 1e39 is out of the float32 range (write"
        + " \"Infinity\" or \"-Infinity\" for an infinity)", readError("1e39"));
    assertEquals(WHERE + ": attribute 'a': \"int\" must be an integer, got a number",
        readError("{\"int\": 1.5}"));
    assertEquals(WHERE + ": attribute 'a': \"ints\"[1] must be an integer, got a string",
        readError("{\"ints\": [1, \"2\"]}"));
    assertEquals(WHERE + ": attribute 'a': \"floats\"[0] must be a number (or \"NaN\", \"Infinity\","
        + " \"-Infinity\"), got a string", readError("{\"floats\": [\"nan\"]}"));
  }
}
