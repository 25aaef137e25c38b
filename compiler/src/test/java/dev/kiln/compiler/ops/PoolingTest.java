package dev.kiln.compiler.ops;

import dev.kiln.compiler.importer.onnx.proto.OnnxProto.AttributeProto;
import dev.kiln.compiler.testing.Attr;
import dev.kiln.compiler.testing.ModelBuilder;
import dev.kiln.compiler.testing.Oracle;
import dev.kiln.compiler.testing.Tensors;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/** MaxPool, AveragePool and the global pools against ONNX Runtime. */
class PoolingTest {
  /** op | opset | h | w | kernel | strides | pads (t:l:b:r or auto_pad) | ceil | count_include_pad | dilations. */
  @ParameterizedTest(name = "[{index}] {0} opset {1} {2}x{3} k={4} s={5} p={6} ceil={7} cip={8} d={9}")
  @CsvSource(delimiter = '|', value = {
    "MaxPool     | 13 | 8  | 8  | 2:2 | 2:2 | 0:0:0:0    | 0 | 0 | 1:1",
    "MaxPool     | 13 | 9  | 7  | 3:3 | 2:2 | 1:1:1:1    | 0 | 0 | 1:1",
    "MaxPool     | 13 | 9  | 7  | 3:3 | 2:2 | 0:0:0:0    | 1 | 0 | 1:1",
    "MaxPool     | 12 | 10 | 11 | 3:2 | 1:2 | 1:0:2:1    | 1 | 0 | 2:1",
    "MaxPool     | 13 | 7  | 9  | 3:3 | 2:2 | SAME_UPPER | 0 | 0 | 1:1",
    "MaxPool     | 13 | 7  | 9  | 2:3 | 3:2 | SAME_LOWER | 0 | 0 | 1:1",
    "MaxPool     | 8  | 5  | 5  | 5:5 | 1:1 | 0:0:0:0    | 0 | 0 | 1:1",
    "AveragePool | 13 | 8  | 8  | 2:2 | 2:2 | 0:0:0:0    | 0 | 0 | 1:1",
    "AveragePool | 13 | 9  | 7  | 3:3 | 2:2 | 1:1:1:1    | 0 | 0 | 1:1",
    "AveragePool | 13 | 9  | 7  | 3:3 | 2:2 | 1:1:1:1    | 0 | 1 | 1:1",
    "AveragePool | 13 | 9  | 7  | 3:3 | 2:2 | 1:0:1:2    | 1 | 1 | 1:1",
    "AveragePool | 13 | 10 | 6  | 3:3 | 2:2 | 0:0:0:0    | 1 | 0 | 1:1",
    "AveragePool | 11 | 7  | 9  | 3:2 | 2:2 | SAME_UPPER | 0 | 0 | 1:1",
    "AveragePool | 19 | 11 | 11 | 3:3 | 2:2 | 2:2:2:2    | 0 | 1 | 2:2",
  })
  void windowedPoolsMatchOrt(String op, int opset, int h, int w, String kernel, String strides,
      String pads, int ceil, int countIncludePad, String dilations) {
    List<AttributeProto> attrs = new ArrayList<>();
    attrs.add(Attr.ints("kernel_shape", longs(kernel)));
    attrs.add(Attr.ints("strides", longs(strides)));
    if (pads.startsWith("SAME")) {
      attrs.add(Attr.s("auto_pad", pads));
    } else {
      attrs.add(Attr.ints("pads", longs(pads)));
    }
    if (ceil != 0) {
      attrs.add(Attr.i("ceil_mode", 1));
    }
    if (countIncludePad != 0) {
      attrs.add(Attr.i("count_include_pad", 1));
    }
    if (!dilations.equals("1:1")) {
      attrs.add(Attr.ints("dilations", longs(dilations)));
    }
    ModelBuilder b = new ModelBuilder(opset).input("x", 2, 3, h, w)
        .node(op, List.of("x"), List.of("y"), attrs.toArray(new AttributeProto[0]))
        .output("y");
    Oracle.assertMatchesOrt(b.build(), Map.of("x", Tensors.random(h * 31 + w, 2, 3, h, w)), op);
  }

  @ParameterizedTest
  @ValueSource(strings = {"MaxPool", "AveragePool"})
  void oneDimensionalWindowsMatchOrt(String op) {
    ModelBuilder b = new ModelBuilder(13).input("x", 1, 4, 17)
        .node(op, List.of("x"), List.of("y"), Attr.ints("kernel_shape", 3), Attr.ints("strides", 2),
            Attr.ints("pads", 1, 1))
        .output("y");
    Oracle.assertMatchesOrt(b.build(), Map.of("x", Tensors.random(5, 1, 4, 17)), op + " 1-D");
  }

  /** op | shape (dims separated by ':'). */
  @ParameterizedTest(name = "{0} {1}")
  @CsvSource({
    "GlobalAveragePool, 1:3:7:7", "GlobalAveragePool, 2:5:1:1", "GlobalAveragePool, 1:2:19",
    "GlobalAveragePool, 1:8:17:23", "GlobalMaxPool, 1:3:7:7", "GlobalMaxPool, 2:4:5", "GlobalMaxPool, 1:1:1:1",
  })
  void globalPoolsMatchOrt(String op, String dims) {
    int[] shape = Arrays.stream(dims.split(":")).mapToInt(Integer::parseInt).toArray();
    ModelBuilder b = new ModelBuilder(13).input("x", shape)
        .node(op, List.of("x"), List.of("y"))
        .output("y");
    Oracle.assertMatchesOrt(b.build(), Map.of("x", Tensors.random(11, shape)), op);
  }

  private static long[] longs(String colonSeparated) {
    return Arrays.stream(colonSeparated.split(":")).mapToLong(Long::parseLong).toArray();
  }
}
