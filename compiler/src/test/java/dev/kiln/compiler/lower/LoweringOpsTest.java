package dev.kiln.compiler.lower;

import static dev.kiln.compiler.testing.OpCase.fed;
import static dev.kiln.compiler.testing.OpCase.none;
import static dev.kiln.compiler.testing.OpCase.op;
import static dev.kiln.compiler.testing.OpCase.w;
import static dev.kiln.compiler.testing.OpCase.x;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kiln.compiler.KilnException;
import dev.kiln.compiler.api.CompileOptions;
import dev.kiln.compiler.api.CompileResult;
import dev.kiln.compiler.api.Compiler;
import dev.kiln.compiler.exec.GraphInterpreter;
import dev.kiln.compiler.exec.ProgramModel;
import dev.kiln.compiler.ir.DType;
import dev.kiln.compiler.ir.Graph;
import dev.kiln.compiler.ir.Shape;
import dev.kiln.compiler.ir.Tensor;
import dev.kiln.compiler.ops.OpRegistry;
import dev.kiln.compiler.testing.Attr;
import dev.kiln.compiler.testing.ModelBuilder;
import dev.kiln.compiler.testing.OpCase;
import dev.kiln.compiler.testing.OpCases;
import dev.kiln.compiler.testing.TensorAssert;
import dev.kiln.compiler.testing.Tensors;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every operator lowered to kernel calls and run through {@link ProgramModel} computes exactly what
 * {@link GraphInterpreter} computes: the same reference kernels on the same data in the same order,
 * so the outputs must agree bit for bit, whatever the arena held before the run.
 */
class LoweringOpsTest {
  /**
   * The cases compile as imported (passes would fold or fuse the very nodes these cases are about: a
   * view of a constant, a Constant node), with reference kernels everywhere (direct convolutions):
   * the interpreter's float operations, so the comparison can be bit for bit.
   */
  static final CompileOptions AS_IMPORTED =
      CompileOptions.builder().optimize(false).referenceKernels(true).build();

  /** Attribute variants beyond {@link OpCases#ONE_PER_OPERATOR}, by operator. */
  static final List<OpCase> VARIANTS = List.of(
      // Concats the memory plan cannot write in place: graph inputs, constants, batch above 1.
      op("Concat").in(x(1, 2, 3), x(1, 4, 3), w(1, 1, 3)).attrs(Attr.i("axis", 1)),
      op("Concat").in(x(2, 3, 2, 2), x(2, 1, 2, 2)).attrs(Attr.i("axis", 1)),
      op("Concat").in(x(2, 3), x(2, 0)).attrs(Attr.i("axis", 1)),
      op("Concat").opset(11).in(x(3), x(2)).attrs(Attr.i("axis", 0)),
      op("Split").in(x(2, 6)).attrs(Attr.i("axis", 1)).outputs(3),
      op("Split").opset(11).in(x(5, 2)).attrs(Attr.ints("split", 2, 3)).outputs(2),
      op("Split").opset(18).in(x(2, 7)).attrs(Attr.i("axis", -1), Attr.i("num_outputs", 3)).outputs(3),
      op("Split").in(x(1, 4, 2, 2), w(Tensors.int64(1, 3))).attrs(Attr.i("axis", 1)).outputs(2),
      op("Slice").opset(9).in(x(4, 5)).attrs(Attr.ints("starts", 1, 0), Attr.ints("ends", 3, 100)),
      op("Slice").in(x(3, 4, 5), w(Tensors.int64(-1)), w(Tensors.int64(-6)), w(Tensors.int64(2)),
          w(Tensors.int64(-1))),
      op("Slice").in(x(1, 3, 8, 8), w(Tensors.int64(1, 1)), w(Tensors.int64(8, 8)),
          w(Tensors.int64(2, 3)), w(Tensors.int64(2, 3))),
      op("Slice").in(x(2, 6), w(Tensors.int64(0)), w(Tensors.int64(0)), w(Tensors.int64(1))),
      op("Pad").in(x(1, 2, 4, 5), w(Tensors.int64(0, 0, 2, 1, 0, 0, 1, 3)))
          .attrs(Attr.s("mode", "reflect")),
      op("Pad").opset(19).in(x(2, 3), w(Tensors.int64(1, 2, 2, 1))).attrs(Attr.s("mode", "wrap")),
      op("Pad").in(x(1, 2, 5, 5), w(Tensors.int64(0, 0, -1, 2, 0, 0, 1, -2))),
      op("Pad").opset(10).in(x(2, 3)).attrs(Attr.ints("pads", 1, 0, 0, 2), Attr.f("value", -3f)),
      op("Pad").opset(18).in(x(2, 3, 4), w(Tensors.int64(1, 1)), none(), w(Tensors.int64(-1)))
          .attrs(Attr.s("mode", "edge")),
      // constant_value computed at run time: the kernel reads it from the arena.
      op("Pad").in(x(1, 3), w(Tensors.int64(0, 1, 0, 2)), fed(Tensors.scalar(7.5f))),
      op("Transpose").in(x(2, 3, 4)),
      op("Transpose").in(x(1, 3, 4, 5)).attrs(Attr.ints("perm", 0, 2, 3, 1)),
      op("Gather").in(x(5, 4), w(Tensor.ofLongs(DType.INT64, Shape.of(), 3))),
      op("Gather").in(x(2, 5, 3), w(Tensors.ints(DType.INT64, new int[] {2, 2}, 4, 0, -2, 1)))
          .attrs(Attr.i("axis", 1)),
      op("Gather").in(x(4, 3), w(Tensors.ints(DType.INT32, new int[] {3}, 1, 1, 0))),
      op("Gather").in(w(6, 2), w(Tensors.int64(5, 0))),
      op("Resize").in(x(1, 1, 4, 5), none(), w(floats(1, 1, 2, 1.5f)))
          .attrs(Attr.s("nearest_mode", "round_prefer_ceil")),
      op("Resize").in(x(1, 2, 7, 9), none(), w(floats(1, 1, 0.5f, 0.6f)))
          .attrs(Attr.s("coordinate_transformation_mode", "asymmetric"),
              Attr.s("nearest_mode", "ceil")),
      op("Resize").in(x(1, 1, 3, 3), none(), w(floats(1, 1, 2, 2)))
          .attrs(Attr.s("coordinate_transformation_mode", "tf_half_pixel_for_nn")),
      op("Resize").in(x(1, 2, 8, 8), none(), none(), w(Tensors.int64(1, 2, 3, 5)))
          .attrs(Attr.s("mode", "linear"),
              Attr.s("coordinate_transformation_mode", "pytorch_half_pixel")),
      op("Resize").in(x(2, 3, 5), none(), w(floats(1, 1, 2.5f))).attrs(Attr.s("mode", "linear")),
      op("Resize").in(x(1, 2, 3, 3), none(), w(floats(1, 1, 1, 1))).attrs(Attr.s("mode", "linear")),
      op("Resize").opset(10).in(x(1, 1, 3, 4), w(floats(1, 1, 2, 2))),
      op("Resize").opset(10).in(x(1, 1, 3, 4), w(floats(1, 1, 2, 1.5f)))
          .attrs(Attr.s("mode", "linear")),
      op("Resize").opset(11).in(x(1, 1, 2, 2), w(Tensor.ofFloats(Shape.of(0))), w(floats(1, 1, 2, 2))),
      op("Resize").opset(18).in(x(1, 1, 6, 8), none(), none(), w(Tensors.int64(4, 4)))
          .attrs(Attr.s("mode", "linear"), Attr.ints("axes", 2, 3),
              Attr.s("keep_aspect_ratio_policy", "not_larger")),
      op("Resize").opset(19).in(x(1, 1, 5, 5), none(), w(floats(1, 1, 1.7f, 0.6f)))
          .attrs(Attr.s("mode", "linear"),
              Attr.s("coordinate_transformation_mode", "half_pixel_symmetric")),
      op("Upsample").opset(7).in(x(1, 2, 3, 3)).attrs(Attr.floats("scales", 1, 1, 2, 2)),
      op("Upsample").opset(9).in(x(1, 1, 2, 3), w(floats(1, 1, 3, 2))),
      op("MatMul").in(x(4), w(4, 3)),
      op("MatMul").in(x(2, 3, 4), x(4)),
      op("MatMul").in(x(5), x(5)),
      op("MatMul").in(x(2, 1, 3, 4), x(5, 4, 2)),
      op("MatMul").in(w(3, 4), x(4, 2)),
      op("ReduceMean").in(x(2, 3, 4)),
      op("ReduceMean").in(x(2, 3, 4, 5)).attrs(Attr.ints("axes", -1, 1)),
      op("ReduceMean").opset(18).in(x(2, 3, 4), w(Tensors.int64(0, 2))).attrs(Attr.i("keepdims", 0)),
      op("ReduceMean").opset(18).in(x(2, 3)).attrs(Attr.i("noop_with_empty_axes", 1)),
      // Scale [4] broadcast to the normalized shape [3, 4]: expanded into the weights.
      op("LayerNormalization").opset(17).in(x(2, 3, 4), w(4), w(3, 4)).attrs(Attr.i("axis", 1)),
      op("LayerNormalization").opset(17).in(x(3, 5), w(5)),
      op("LayerNormalization").opset(17).in(x(2, 6), x(6), x(6)),
      op("LayerNormalization").opset(17).in(x(2, 3), w(1, 3), w(3)).attrs(Attr.i("axis", 0),
          Attr.i("stash_type", 11)),
      op("ConvTranspose").in(x(1, 3, 7), w(3, 2, 3)).attrs(Attr.ints("strides", 2)),
      op("ConvTranspose").in(x(1, 2, 4, 4), w(2, 3, 3, 3), w(3))
          .attrs(Attr.s("auto_pad", "SAME_UPPER"), Attr.ints("strides", 2, 2)),
      op("ConvTranspose").in(x(1, 2, 3, 3), w(2, 1, 3, 3))
          .attrs(Attr.ints("strides", 2, 2), Attr.ints("output_shape", 6, 7)),
      op("ConvTranspose").in(x(1, 1, 4, 4), w(1, 2, 2, 2))
          .attrs(Attr.ints("dilations", 2, 2), Attr.ints("pads", 1, 1, 0, 0)),
      op("ConvTranspose").in(x(1, 2, 3, 3), x(2, 2, 2, 2), x(2)),
      op("GlobalMaxPool").in(x(2, 3, 7)),
      op("GlobalMaxPool").in(x(1, 2, 3, 2, 4)),
      op("GlobalAveragePool").in(x(2, 3, 7)),
      // Views of constants are not eliminated: the constant is copied into the arena.
      op("Reshape").in(w(2, 3, 4), w(Tensors.int64(4, 6))),
      op("Flatten").in(w(2, 3, 4)),
      op("Squeeze").in(w(1, 3, 1), w(Tensors.int64(0))),
      op("Unsqueeze").in(w(3), w(Tensors.int64(0))),
      op("Identity").in(w(2, 3)),
      op("Dropout").opset(7).in(w(2, 3)),
      // Before opset 10 the mask is float32, filled with ones.
      op("Dropout").opset(7).in(x(2, 3)).outputs(2),
      op("Cast").in(x(2, 3)).attrs(Attr.i("to", DType.FLOAT32.onnxCode())),
      op("Cast").in(w(Tensors.int64(3, -1, 7))).attrs(Attr.i("to", DType.FLOAT32.onnxCode())),
      op("Cast").in(w(Tensors.ints(DType.BOOL, new int[] {2}, 1, 0)))
          .attrs(Attr.i("to", DType.FLOAT32.onnxCode())),
      op("ConstantOfShape").in(w(Tensors.int64(3, 2))));

  private static Tensor floats(float... values) {
    return Tensor.ofFloats(Shape.of(values.length), values);
  }

  static Stream<OpCase> allCases() {
    return Stream.concat(OpCases.ONE_PER_OPERATOR.stream(), VARIANTS.stream());
  }

  /** The cases whose outputs are all float32: those compiled code computes. */
  static Stream<OpCase> floatCases() {
    return allCases().filter(LoweringOpsTest::computesFloat);
  }

  /** The rest: integer or bool results, which only exist at compile time. */
  static Stream<OpCase> compileTimeCases() {
    return allCases().filter(c -> !computesFloat(c));
  }

  private static boolean computesFloat(OpCase c) {
    Graph g = c.build(new LinkedHashMap<>());
    return !Lowering.COMPILE_TIME_ONLY.containsKey(c.op())
        && g.outputs().stream().allMatch(out -> g.type(out).dtype().isFloat());
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("floatCases")
  void matchesTheInterpreterBitForBit(OpCase c) {
    Map<String, Tensor> feeds = new LinkedHashMap<>();
    Graph graph = c.build(feeds);
    ProgramModel model = new ProgramModel(Compiler.compile(graph, AS_IMPORTED).program());
    assertSameOutputs(GraphInterpreter.run(graph, feeds), model.run(floats(feeds)), c.toString());
  }

  /**
   * A program reads only what it wrote or what the inputs put into the arena: with the rest NaN, a
   * read of unwritten memory would show in the outputs.
   */
  @ParameterizedTest(name = "{0}")
  @MethodSource("floatCases")
  void aNanFilledArenaGivesTheSameResult(OpCase c) {
    Map<String, Tensor> feeds = new LinkedHashMap<>();
    Graph graph = c.build(feeds);
    ProgramModel model = new ProgramModel(Compiler.compile(graph, AS_IMPORTED).program());
    float[] arena = new float[model.arenaFloats()];
    Arrays.fill(arena, Float.NaN);
    assertSameOutputs(GraphInterpreter.run(graph, feeds), model.run(floats(feeds), arena),
        c + " on a NaN arena");
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("compileTimeCases")
  void resultsThatOnlyExistAtCompileTimeAreRejected(OpCase c) {
    Graph graph = c.build(new LinkedHashMap<>());
    KilnException e = assertThrows(KilnException.class, () -> Compiler.compile(graph, AS_IMPORTED));
    assertTrue(e.getMessage().contains("compiled code only computes float32 tensors")
        || e.getMessage().contains("not supported in compiled code"), e.getMessage());
  }

  @Test
  void everyOperatorLowersOrIsCompileTimeOnly() {
    for (String op : OpRegistry.supportedTypes()) {
      assertTrue(Lowering.supports(op) != Lowering.COMPILE_TIME_ONLY.containsKey(op),
          op + " must either lower or be listed as compile-time only, not both");
    }
    assertTrue(OpRegistry.supportedTypes().containsAll(Lowering.COMPILE_TIME_ONLY.keySet()),
        "compile-time-only operators " + Lowering.COMPILE_TIME_ONLY.keySet() + " are registered");
    // Every lowering is exercised by a case that compiles and runs.
    Set<String> untested = new TreeSet<>(OpRegistry.supportedTypes());
    untested.removeAll(Lowering.COMPILE_TIME_ONLY.keySet());
    floatCases().forEach(c -> untested.remove(c.op()));
    assertEquals(Set.of(), untested, "operators that lower but have no float32 case");
  }

  // ---- Multi-node graphs -------------------------------------------------------------------

  @Test
  void aContiguousConcatIsWrittenInPlaceAndProducesNoCalls() {
    var b = new ModelBuilder(13)
        .input("x1", 1, 2, 3, 3).input("x2", 1, 3, 3, 3)
        .namedNode("r1", "Relu", List.of("x1"), List.of("a"))
        .namedNode("r2", "Relu", List.of("x2"), List.of("b"))
        .namedNode("cat", "Concat", List.of("a", "b"), List.of("y"), Attr.i("axis", 1))
        .output("y");
    CompileResult result = compileAndCheck(b.importGraph());
    assertTrue(result.plan().isEliminated("cat"));
    assertEquals(List.of("r1", "r2"), layers(result.program()));
  }

  @Test
  void eliminatedViewsProduceNoCalls() {
    var b = new ModelBuilder(13)
        .input("x", 2, 3, 4)
        .initializer("shape", Tensors.int64(6, 4))
        .namedNode("r1", "Relu", List.of("x"), List.of("a"))
        .namedNode("reshape", "Reshape", List.of("a", "shape"), List.of("b"))
        .namedNode("flatten", "Flatten", List.of("b"), List.of("c"))
        .namedNode("identity", "Identity", List.of("c"), List.of("d"))
        .namedNode("r2", "Sigmoid", List.of("d"), List.of("y"))
        .output("y");
    CompileResult result = compileAndCheck(b.importGraph());
    assertEquals(List.of("r1", "r2"), layers(result.program()));
  }

  @Test
  void aViewOfAConstantIsCopiedIntoTheArena() {
    var b = new ModelBuilder(13)
        .input("x", 3, 4)
        .initializer("w", Tensors.random(3, 2, 6))
        .initializer("shape", Tensors.int64(3, 4))
        .namedNode("reshape", "Reshape", List.of("w", "shape"), List.of("v"))
        .namedNode("add", "Add", List.of("x", "v"), List.of("y"))
        .output("y");
    CompileResult result = compileAndCheck(b.importGraph());
    assertEquals(List.of("reshape", "add"), layers(result.program()));
    assertEquals("copy", result.program().calls().get(0).method());
  }

  @Test
  void splitSkipsAnOutputNobodyReads() {
    var b = new ModelBuilder(13)
        .input("x", 2, 6)
        .initializer("split", Tensors.int64(1, 2, 3))
        .namedNode("split", "Split", List.of("x", "split"), List.of("a", "", "c"), Attr.i("axis", 1))
        .output("a").output("c");
    CompileResult result = compileAndCheck(b.importGraph());
    assertEquals(List.of("output 0", "output 2"),
        result.program().calls().stream().map(KernelCall::comment).toList());
  }

  @Test
  void aBoolDropoutMaskNobodyReadsIsNotComputed() {
    var b = new ModelBuilder(13)
        .input("x", 2, 3)
        .namedNode("relu", "Relu", List.of("x"), List.of("a"))
        .namedNode("drop", "Dropout", List.of("a"), List.of("b", "mask"))
        .namedNode("sig", "Sigmoid", List.of("b"), List.of("y"))
        .output("y");
    CompileResult result = compileAndCheck(b.importGraph());
    // Dropout's data output is a copy: with two outputs it is no view the plan can eliminate.
    assertEquals(List.of("relu", "drop", "sig"), layers(result.program()));
  }

  // ---- Errors ------------------------------------------------------------------------------

  @Test
  void shapeIsCompileTimeOnly() {
    assertLoweringFails(op("Shape").in(x(2, 3)), "test.onnx: node 'n0_Shape' (Shape, opset 13): not"
        + " supported in compiled code: its int64 result is the static shape of its input, known at"
        + " compile time; it must be folded away before code generation");
  }

  @Test
  void castToAnIntegerTypeIsRejected() {
    assertLoweringFails(op("Cast").in(x(2, 3)).attrs(Attr.i("to", DType.INT64.onnxCode())),
        "test.onnx: node 'n0_Cast' (Cast, opset 13): output 'c0_Cast' is int64: compiled code only"
            + " computes float32 tensors (integer and bool values must be computed at compile"
            + " time)");
  }

  @Test
  void castFromIntegerDataComputedAtRunTimeIsRejected() {
    assertLoweringFails(op("Cast").in(fed(Tensors.int64(1, 2)))
            .attrs(Attr.i("to", DType.FLOAT32.onnxCode())),
        "test.onnx: node 'n0_Cast' (Cast, opset 13): input 'c0_in0' is int64 computed at run time:"
            + " compiled code only computes float32 tensors");
  }

  @Test
  void gatherIndicesComputedAtRunTimeAreRejected() {
    assertLoweringFails(op("Gather").in(x(3, 4), fed(Tensors.int64(2, 0))),
        "test.onnx: node 'n0_Gather' (Gather, opset 13): input 1 (indices) is computed at run time,"
            + " but code generation needs its value: it must be constant");
  }

  @Test
  void aBoolDropoutMaskThatIsReadIsRejected() {
    assertLoweringFails(op("Dropout").in(x(2, 3)).outputs(2),
        "test.onnx: node 'n0_Dropout' (Dropout, opset 13): mask 'c0_Dropout_1' is bool: compiled"
            + " code only computes float32 tensors");
  }

  @Test
  void aLayerNormScaleComputedAtRunTimeMustNotBroadcast() {
    assertLoweringFails(op("LayerNormalization").opset(17).in(x(2, 3, 4), x(4))
            .attrs(Attr.i("axis", 1)),
        "test.onnx: node 'n0_LayerNormalization' (LayerNormalization, opset 17): scale [4]"
            + " computed at run time and broadcast to [3,4] is not supported (it must be constant"
            + " or of the normalized shape)");
  }

  // ---- Helpers -----------------------------------------------------------------------------

  private static void assertLoweringFails(OpCase c, String message) {
    Graph graph = c.build(new LinkedHashMap<>());
    KilnException e = assertThrows(KilnException.class, () -> Compiler.compile(graph, AS_IMPORTED));
    assertEquals(message, e.getMessage());
  }

  /** Compiles, then runs on a NaN-filled arena and checks every output against the interpreter. */
  private static CompileResult compileAndCheck(Graph graph) {
    CompileResult result = Compiler.compile(graph, AS_IMPORTED);
    Map<String, Tensor> feeds = new LinkedHashMap<>();
    graph.inputs().forEach(in -> feeds.put(in.name(),
        Tensors.random(in.name().hashCode(), in.type().shape().dims())));
    ProgramModel model = new ProgramModel(result.program());
    float[] arena = new float[model.arenaFloats()];
    Arrays.fill(arena, Float.NaN);
    assertSameOutputs(GraphInterpreter.run(graph, feeds), model.run(floats(feeds), arena),
        graph.name());
    return result;
  }

  /** The layers that have calls, in program order, each once. */
  private static List<String> layers(Program program) {
    List<String> layers = new ArrayList<>();
    for (KernelCall call : program.calls()) {
      if (layers.isEmpty() || !layers.get(layers.size() - 1).equals(call.layer())) {
        layers.add(call.layer());
      }
    }
    return layers;
  }

  private static Map<String, float[]> floats(Map<String, Tensor> feeds) {
    Map<String, float[]> data = new LinkedHashMap<>();
    feeds.forEach((name, t) -> data.put(name, t.toFloatArray()));
    return data;
  }

  private static void assertSameOutputs(Map<String, Tensor> expected, Map<String, float[]> actual,
      String context) {
    assertEquals(expected.keySet(), actual.keySet(), context + ": outputs");
    assertFalse(expected.isEmpty(), context + ": the graph has outputs");
    for (Map.Entry<String, Tensor> e : expected.entrySet()) {
      Tensor want = e.getValue();
      TensorAssert.assertBitIdentical(want, Tensor.adopt(want.shape(), actual.get(e.getKey())),
          context + ": output '" + e.getKey() + "'");
    }
  }
}
