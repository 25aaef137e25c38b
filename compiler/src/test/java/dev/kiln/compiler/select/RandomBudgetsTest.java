package dev.kiln.compiler.select;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kiln.compiler.KilnException;
import dev.kiln.compiler.api.CompileResult;
import dev.kiln.compiler.api.MemoryMode;
import dev.kiln.compiler.importer.ImportOptions;
import dev.kiln.compiler.importer.onnx.OnnxImporter;
import dev.kiln.compiler.ir.Graph;
import dev.kiln.compiler.testing.Attr;
import dev.kiln.compiler.testing.ModelBuilder;
import dev.kiln.compiler.testing.Tensors;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.stream.IntStream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The budget promise and monotonicity as properties: on random convolution networks (kernel sizes,
 * strides, channel counts, depthwise layers, residual adds) and budgets from the minimum to beyond
 * the fast peak, the planned peak never exceeds the budget, the program holds exactly that peak, a
 * larger budget never gives a slower estimate, and one byte under the minimum is refused.
 */
class RandomBudgetsTest {
  static IntStream seeds() {
    return IntStream.range(0, 24);
  }

  @ParameterizedTest
  @MethodSource("seeds")
  void budgetsAreKeptAndMonotone(int seed) {
    Graph net = randomNet(seed);
    long low = SelectionTesting.compile(net, MemoryMode.LOW).selection().minimumPeakBytes();
    long fast = SelectionTesting.compile(net, MemoryMode.FAST).selection().peakBytes();
    assertTrue(low <= fast, seed + ": minimum " + low + " > fast " + fast);
    double previous = Double.POSITIVE_INFINITY;
    int steps = 7;
    for (int i = 0; i <= steps; i++) {
      long budget = low + (fast - low) * i / steps;
      CompileResult r = SelectionTesting.compile(net, budget);
      AlgorithmSelection s = r.selection();
      String context = "seed " + seed + ", budget " + budget;
      assertTrue(s.peakBytes() <= budget, context + ": peak " + s.peakBytes());
      assertEquals(s.peakBytes(), r.program().memoryBytes(), context);
      assertTrue(s.estimatedNanos() <= previous, context + ": slower than a smaller budget");
      previous = s.estimatedNanos();
    }
    assertThrows(KilnException.class, () -> SelectionTesting.compile(net, low - 1), "seed " + seed);
  }

  /**
   * With the frontier thinned to a handful of points per layer the choice may be slower and the
   * minimum found larger (when the planner needs more than the lower bound for the lightest
   * points), but every budget from that minimum up is kept and larger ones are never slower.
   */
  @ParameterizedTest
  @MethodSource("seeds")
  void aThinnedFrontierStillKeepsEveryBudget(int seed) {
    Graph net = randomNet(seed);
    long exactLow = SelectionTesting.compile(net, MemoryMode.LOW).selection().minimumPeakBytes();
    long low = thinned(net, null, MemoryMode.LOW).peakBytes();
    assertTrue(low >= exactLow, "seed " + seed);
    long fast = thinned(net, null, MemoryMode.FAST).peakBytes();
    double previous = Double.POSITIVE_INFINITY;
    for (int i = 0; i <= 5; i++) {
      long budget = low + (fast - low) * i / 5;
      AlgorithmSelection s = thinned(net, budget, null);
      assertTrue(s.peakBytes() <= budget, "seed " + seed + ", budget " + budget);
      assertTrue(s.estimatedNanos() <= previous, "seed " + seed + ", budget " + budget);
      previous = s.estimatedNanos();
    }
  }

  private static AlgorithmSelection thinned(Graph net, Long budget, MemoryMode mode) {
    return AlgorithmSelector.select(net, new AlgorithmSelector.Request(SelectionTesting.THREADS,
        budget, mode, null, MachineProfile.BUILT_IN, null), 2);
  }

  static Graph randomNet(long seed) {
    SplittableRandom r = new SplittableRandom(seed);
    int channels = new int[] {3, 8, 16, 32}[r.nextInt(4)];
    int size = 8 + r.nextInt(21);
    ModelBuilder b = new ModelBuilder(13).input("x", 1, channels, size, size);
    String current = "x";
    List<String> sameShape = new ArrayList<>();
    int layers = 3 + r.nextInt(5);
    for (int i = 0; i < layers; i++) {
      String w = "w" + i;
      String out = "c" + i;
      boolean depthwise = channels >= 8 && r.nextInt(4) == 0;
      int kernel = depthwise || r.nextBoolean() ? 3 : 1;
      int stride = size >= 6 && r.nextInt(4) == 0 ? 2 : 1;
      int outChannels = depthwise ? channels : new int[] {8, 16, 24, 32, 64}[r.nextInt(5)];
      int pad = kernel / 2;
      b.initializer(w, Tensors.random(seed * 100 + i, outChannels, depthwise ? 1 : channels, kernel,
          kernel));
      b.namedNode("conv" + i, "Conv", List.of(current, w), List.of(out),
          Attr.ints("pads", pad, pad, pad, pad), Attr.ints("strides", stride, stride),
          Attr.i("group", depthwise ? channels : 1));
      size = (size + 2 * pad - kernel) / stride + 1;
      if (outChannels != channels || stride != 1) {
        sameShape.clear();
      }
      channels = outChannels;
      current = out;
      if (!sameShape.isEmpty() && r.nextBoolean()) {
        String sum = "s" + i;
        b.namedNode("add" + i, "Add", List.of(current, sameShape.get(r.nextInt(sameShape.size()))),
            List.of(sum));
        current = sum;
      } else if (r.nextBoolean()) {
        String relu = "r" + i;
        b.namedNode("relu" + i, "Relu", List.of(current), List.of(relu));
        current = relu;
      }
      sameShape.add(current);
    }
    b.output(current);
    return OnnxImporter.read(b.build().toByteArray(), "random" + seed + ".onnx", ImportOptions.DEFAULTS);
  }
}
