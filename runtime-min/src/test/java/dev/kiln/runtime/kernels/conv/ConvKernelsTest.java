package dev.kiln.runtime.kernels.conv;

import static dev.kiln.runtime.kernels.KernelAssert.assertBitIdentical;
import static dev.kiln.runtime.kernels.KernelAssert.assertClose;
import static dev.kiln.runtime.kernels.KernelAssert.random;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.kiln.runtime.kernels.ConvShape;
import dev.kiln.runtime.kernels.Epilogue;
import dev.kiln.runtime.kernels.Epilogue.Activation;
import dev.kiln.runtime.kernels.KernelInfo;
import dev.kiln.runtime.kernels.gemm.GemmMicrokernel;
import dev.kiln.runtime.kernels.reference.ReferenceConv;
import dev.kiln.runtime.parallel.ThreadTeam;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every registered convolution algorithm against {@link ReferenceConv} plus {@link Epilogue#apply},
 * over awkward geometries, on whichever kernel path this JVM runs (the build runs this class twice:
 * with the Vector API and with {@code -Dkiln.vector=false}).
 */
class ConvKernelsTest {
  /** Outside the output region: must survive untouched. */
  private static final float SENTINEL = 12345.5f;
  private static final int GUARD = 7;

  /** {@code n c h w -> m, kernel, stride, pads (top, left, bottom, right), dilation, groups}. */
  static ConvShape conv(int n, int c, int h, int w, int m, int kh, int kw, int sh, int sw,
      int pt, int pl, int pb, int pr, int dh, int dw, int g) {
    int oh = ConvShape.outputSize(h, kh, sh, pt, pb, dh);
    int ow = ConvShape.outputSize(w, kw, sw, pl, pr, dw);
    return new ConvShape(n, c, h, w, m, oh, ow, kh, kw, sh, sw, pt, pl, pb, pr, dh, dw, g);
  }

  static ConvShape simple(int n, int c, int h, int w, int m, int k, int stride, int pad) {
    return conv(n, c, h, w, m, k, k, stride, stride, pad, pad, pad, pad, 1, 1, 1);
  }

  static final List<ConvShape> SHAPES = List.of(
      // 1×1: the smallest case, primes, channels that are no multiple of 8 or 16, batches, groups.
      simple(1, 1, 1, 1, 1, 1, 1, 0),
      simple(1, 3, 5, 7, 24, 1, 1, 0),
      simple(2, 17, 13, 11, 9, 1, 1, 0),
      simple(1, 37, 23, 29, 41, 1, 1, 0),
      conv(1, 4, 6, 5, 6, 1, 1, 1, 1, 0, 0, 0, 0, 1, 1, 2),
      // K longer than one block (300 > 256) and M longer than one task's rows (300 > 256).
      simple(1, 300, 3, 5, 7, 1, 1, 0),
      simple(1, 5, 4, 4, 300, 1, 1, 0),
      // 1000 output channels (a classifier as a 1×1 convolution) on a 2×3 map.
      simple(1, 7, 2, 3, 1000, 1, 1, 0),
      // Row blocks of one column tile share each packed B block: the sharing must stop at the
      // image and at the group (two images, two groups of 260 channels).
      simple(2, 6, 3, 4, 300, 3, 1, 1),
      conv(1, 8, 3, 5, 520, 1, 1, 1, 1, 0, 0, 0, 0, 1, 1, 2),
      // N longer than one task's columns (21·21 = 441 > 256).
      simple(1, 8, 21, 21, 10, 1, 1, 0),
      // 1×1 reading whole B panels in place (at most 64 outputs, at least 64 inputs per group):
      // over two K blocks (K = 300; 72 outputs, two panels and an 8-wide packed edge), and two
      // images of two groups on a map of exactly two panels (nothing packed).
      simple(1, 300, 8, 9, 20, 1, 1, 0),
      // A last column tile exactly half a tile wide (48 = 32 + 16 outputs), written by the
      // half-width tile straight into the output over two K blocks; the 4-row edge via scratch.
      simple(1, 300, 4, 12, 20, 1, 1, 0),
      conv(2, 128, 8, 8, 10, 1, 1, 1, 1, 0, 0, 0, 0, 1, 1, 2),
      // 3×3 padded, stride 1: K = 9C, odd spatial sizes.
      simple(1, 3, 7, 7, 8, 3, 1, 1),
      simple(2, 5, 11, 9, 13, 3, 1, 1),
      simple(1, 64, 9, 10, 19, 3, 1, 1),
      // Stride 1 with outputs as wide as the input ("same"): tiled packs them as flat runs. Two
      // column tiles (437 and 306 outputs > 256), a K block starting mid-channel (K = 279 in two
      // blocks of 140), 5×5 with the padding shifted to the right and the bottom.
      simple(1, 4, 23, 19, 12, 3, 1, 1),
      simple(1, 31, 17, 18, 9, 3, 1, 1),
      conv(1, 3, 20, 15, 6, 5, 5, 1, 1, 2, 1, 2, 3, 1, 1, 1),
      // Stride 2, including the ResNet stem's 7×7/2 pad 3, and a strided 1×1.
      simple(1, 6, 10, 9, 5, 3, 2, 1),
      simple(1, 3, 23, 23, 16, 7, 2, 3),
      simple(1, 7, 9, 9, 11, 1, 2, 0),
      // Stride 2 packed from phase rows over several column tiles (23² = 529 outputs; the second
      // tile starts inside output row 11): a 3×3 whose second K block starts mid-channel (K = 333
      // in blocks of 167), and a 7×7 with the stem's padding of 3.
      simple(1, 37, 46, 46, 8, 3, 2, 1),
      simple(1, 3, 46, 46, 4, 7, 2, 3),
      // Different padding on every side, non-square kernel and strides.
      conv(1, 3, 8, 11, 5, 2, 3, 1, 2, 0, 1, 2, 3, 1, 1, 1),
      // Dilation.
      conv(1, 4, 12, 10, 6, 3, 3, 1, 1, 2, 2, 2, 2, 2, 2, 1),
      conv(1, 2, 9, 13, 3, 3, 2, 2, 1, 1, 0, 3, 1, 3, 2, 1),
      // Groups, and depthwise (groups = channels = outputs).
      conv(1, 6, 7, 8, 4, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1, 2),
      conv(2, 12, 5, 6, 9, 3, 3, 2, 2, 1, 1, 1, 1, 1, 1, 3),
      conv(1, 5, 9, 7, 5, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1, 5),
      // 1-D convolution (H = 1), and a kernel larger than the unpadded input.
      conv(1, 4, 1, 17, 3, 1, 5, 1, 1, 0, 2, 0, 2, 1, 1, 1),
      simple(1, 3, 1, 1, 4, 3, 1, 1),
      simple(1, 2, 2, 3, 3, 5, 1, 2));

  static Stream<Arguments> kernelsAndShapes() {
    List<Arguments> args = new ArrayList<>();
    for (ConvKernel k : ConvKernels.all()) {
      for (ConvShape s : SHAPES) {
        if (k.supports(s)) {
          args.add(Arguments.of(k.name(), s));
        }
      }
    }
    return args.stream();
  }

  @ParameterizedTest(name = "{0} {1}")
  @MethodSource("kernelsAndShapes")
  void matchesReference(String name, ConvShape s) {
    Epilogue bias = Epilogue.builder().bias(random(11, s.outChannels)).build();
    check(ConvKernels.byName(name), s, bias, 2);
  }

  static Stream<Arguments> epilogues() {
    float[] scale = new float[64];
    float[] shift = new float[64];
    for (int i = 0; i < 64; i++) {
      scale[i] = 0.5f + i / 64f;
      shift[i] = (i % 5) - 2f;
    }
    List<Arguments> args = new ArrayList<>();
    List<Epilogue> list = List.of(
        Epilogue.NONE,
        Epilogue.builder().activation(Activation.RELU).build(),
        Epilogue.builder().bias(random(3, 64)).activation(Activation.RELU).build(),
        Epilogue.builder().bias(random(4, 64)).activation(Activation.CLIP, 0f, 6f).build(),
        Epilogue.builder().bias(random(5, 64)).activation(Activation.CLIP, -0.25f, 0.5f).build(),
        Epilogue.builder().bias(random(6, 64)).residualAdd().build(),
        Epilogue.builder().bias(random(7, 64)).residualAdd().activation(Activation.RELU).build(),
        Epilogue.builder().residualAdd().activation(Activation.CLIP, 0f, 6f).build(),
        Epilogue.builder().bias(random(8, 64)).activation(Activation.LEAKY_RELU, 0.1f, 0f).build(),
        Epilogue.builder().bias(random(9, 64)).activation(Activation.RELU).scaleShift(scale, shift)
            .build(),
        Epilogue.builder().activation(Activation.RELU).residualAdd().build(),
        Epilogue.builder().bias(random(10, 64)).activation(Activation.HARD_SWISH).build(),
        Epilogue.builder().bias(random(12, 64)).activation(Activation.SIGMOID).build());
    List<ConvShape> shapes = List.of(
        simple(1, 13, 9, 11, 21, 1, 1, 0),
        simple(1, 64, 9, 11, 21, 1, 1, 0),
        simple(2, 5, 10, 9, 19, 3, 2, 1),
        conv(1, 6, 7, 8, 4, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1, 2));
    for (ConvKernel k : ConvKernels.all()) {
      for (ConvShape s : shapes) {
        if (k.supports(s)) {
          for (Epilogue e : list) {
            args.add(Arguments.of(k.name(), s, e));
          }
        }
      }
    }
    return args.stream();
  }

  @ParameterizedTest(name = "{0} {1} {2}")
  @MethodSource("epilogues")
  void fusedEpilogueMatchesApply(String name, ConvShape s, Epilogue e) {
    check(ConvKernels.byName(name), s, e, 1);
  }

  /**
   * Runs {@code kernel} on seeded data with its tasks split between {@code workers} simulated
   * workers, every array offset and guarded, and compares with the reference convolution.
   */
  static void check(ConvKernel kernel, ConvShape s, Epilogue e, int workers) {
    String context = kernel.name() + " [" + s + "] epilogue " + e + " on " + KernelInfo.shortDescription();
    int inSize = s.batch * s.inChannels * s.inH * s.inW;
    int outSize = s.batch * s.outChannels * s.outH * s.outW;
    int wSize = s.outChannels * s.inChannelsPerGroup() * s.kernelH * s.kernelW;
    int reduction = s.inChannelsPerGroup() * s.kernelH * s.kernelW;
    float[] input = random(1, inSize);
    float[] weights = random(2, wSize);
    float[] residual = random(3, outSize);

    float[] expected = new float[outSize];
    ReferenceConv.conv2d(s, input, 0, weights, 0, null, 0, expected, 0);
    int plane = s.outH * s.outW;
    for (int n = 0; n < s.batch; n++) {
      for (int m = 0; m < s.outChannels; m++) {
        int off = (n * s.outChannels + m) * plane;
        e.apply(m, expected, off, plane, residual, off);
      }
    }

    float[] in = new float[inSize + 5];
    System.arraycopy(input, 0, in, 5, inSize);
    int packedSize = kernel.packedWeightFloats(s);
    float[] packed = new float[packedSize + 3];
    Arrays.fill(packed, Float.NaN);
    kernel.packWeights(s, weights, 0, packed, 3);
    for (int i = 3; i < packed.length; i++) {
      if (Float.isNaN(packed[i])) {
        fail(context + ": packWeights left packed float " + (i - 3) + " of " + packedSize + " unwritten");
      }
    }
    float[] res = new float[outSize + 9];
    System.arraycopy(residual, 0, res, 9, outSize);
    float[] out = new float[outSize + 2 * GUARD];
    Arrays.fill(out, SENTINEL);
    Arrays.fill(out, GUARD, GUARD + outSize, Float.NaN);
    int wsSize = kernel.workspaceFloats(s, workers);
    float[] ws = new float[wsSize + 4];
    // Unwritten workspace reads as NaN and would poison the result.
    Arrays.fill(ws, Float.NaN);

    int tasks = kernel.tasks(s);
    for (int w = 0; w < workers; w++) {
      kernel.run(s, e, in, 5, packed, 3, out, GUARD, res, 9, ws, 4,
          ThreadTeam.shareStart(tasks, workers, w), ThreadTeam.shareStart(tasks, workers, w + 1), w);
    }
    for (int i = 0; i < GUARD; i++) {
      assertEquals(SENTINEL, out[i], context + ": wrote before the output at " + (i - GUARD));
      assertEquals(SENTINEL, out[GUARD + outSize + i], context + ": wrote past the output at +" + i);
    }
    float[] actual = Arrays.copyOfRange(out, GUARD, GUARD + outSize);
    assertClose(context, reduction, expected, actual,
        new int[] {s.batch, s.outChannels, s.outH, s.outW});
  }

  static Stream<Arguments> determinismCases() {
    List<ConvShape> shapes = List.of(
        simple(2, 8, 40, 40, 12, 3, 1, 1),
        simple(1, 16, 72, 72, 16, 3, 1, 1),
        simple(1, 8, 120, 120, 8, 3, 1, 1),
        simple(1, 20, 30, 31, 300, 1, 1, 0),
        // Two images of five row blocks on one column tile: the splits cut runs of row blocks that
        // share packed B blocks, and one worker's range spans the images (3 threads: tasks 3-5).
        simple(2, 16, 6, 6, 1100, 1, 1, 0),
        conv(1, 24, 21, 23, 24, 3, 3, 2, 2, 1, 1, 1, 1, 1, 1, 24),
        conv(5, 6, 17, 19, 6, 3, 3, 2, 1, 1, 1, 1, 1, 1, 1, 2));
    List<Arguments> args = new ArrayList<>();
    for (ConvKernel k : ConvKernels.all()) {
      for (ConvShape s : shapes) {
        // Only cases with enough tasks to spread over 8 workers say anything about the split.
        if (k.supports(s) && k.tasks(s) >= 8) {
          args.add(Arguments.of(k.name(), s));
        }
      }
    }
    return args.stream();
  }

  /** Which thread computes which outputs must never change them: 1, 2, 3 and 8 threads agree bit for bit. */
  @ParameterizedTest(name = "{0} {1}")
  @MethodSource("determinismCases")
  void bitIdenticalForEveryThreadCount(String name, ConvShape s) {
    ConvKernel kernel = ConvKernels.byName(name);
    assertTrue(kernel.tasks(s) >= 8, "the case must split over 8 workers: " + kernel.tasks(s) + " tasks");
    Epilogue e = Epilogue.builder().bias(random(5, s.outChannels)).residualAdd()
        .activation(Activation.RELU).build();
    int outSize = s.batch * s.outChannels * s.outH * s.outW;
    float[] in = random(1, s.batch * s.inChannels * s.inH * s.inW);
    float[] w = random(2, s.outChannels * s.inChannelsPerGroup() * s.kernelH * s.kernelW);
    float[] residual = random(3, outSize);
    float[] packed = new float[kernel.packedWeightFloats(s)];
    kernel.packWeights(s, w, 0, packed, 0);
    float[] first = null;
    for (int threads : new int[] {1, 2, 3, 8}) {
      float[] out = new float[outSize];
      float[] ws = new float[kernel.workspaceFloats(s, threads)];
      try (ThreadTeam team = new ThreadTeam(threads)) {
        ConvCall call = new ConvCall(kernel, s, e, in, 0, packed, 0, out, 0, residual, 0, ws, 0);
        // Split over every worker regardless of size (ConvCall.runOn would keep small layers whole).
        team.run(kernel.tasks(s), call);
      }
      if (first == null) {
        first = out;
      } else {
        assertBitIdentical(name + " [" + s + "] with " + threads + " threads vs 1", first, out,
            new int[] {s.batch, s.outChannels, s.outH, s.outW});
      }
    }
  }

  @Test
  void genericAlgorithmSupportsEveryShape() {
    ConvKernel generic = ConvKernels.generic();
    for (ConvShape s : SHAPES) {
      assertTrue(generic.supports(s), s.toString());
    }
    assertSame(generic, ConvKernels.byName("tiled"));
  }

  /**
   * Which stride-2 layers tiled packs from phase planes (the kernel shapes in {@link #SHAPES} then
   * check the results): the ResNet-18 stem and its 3×3/2 layers, not its 1×1/2 downsamples, nor
   * SqueezeNet's unpadded 3×3/2 stem, whose last taps reach past twice the output.
   */
  @Test
  void tiledPacksStrideTwoLayersFromPhasesWhereTheyFit() {
    assertTrue(TiledConv.phased(simple(1, 3, 224, 224, 64, 7, 2, 3)));
    assertTrue(TiledConv.phased(simple(1, 64, 56, 56, 128, 3, 2, 1)));
    assertTrue(TiledConv.phased(simple(1, 3, 23, 23, 16, 7, 2, 3)), "the stem's case above");
    assertFalse(TiledConv.phased(simple(1, 64, 56, 56, 128, 1, 2, 0)), "1x1/2");
    assertFalse(TiledConv.phased(simple(1, 3, 224, 224, 64, 3, 2, 0)), "224 > 2 x 111");
    assertFalse(TiledConv.phased(simple(1, 3, 56, 56, 8, 3, 1, 1)), "stride 1");
    ConvShape s = simple(1, 64, 56, 56, 128, 3, 2, 1);
    assertEquals(128 * 64 * 9 + 50 * 9, ConvKernels.TILED.packedWeightFloats(s),
        "A panels, then a mask per tap per 16 outputs (784 outputs: 49 vectors, rounded to 50)");
  }

  @Test
  void gemm1x1ReadsWholePanelsInPlaceUpTo64OutputsFrom64Inputs() {
    assumeTrue(GemmMicrokernel.get().readsBInPlace(), GemmMicrokernel.get() + " packs B");
    Gemm1x1Conv k = Gemm1x1Conv.INSTANCE;
    assertEquals(64, k.inPlaceColumns(simple(1, 64, 8, 9, 64, 1, 1, 0), 72), "the 8-wide edge is packed");
    assertEquals(0, k.inPlaceColumns(simple(1, 64, 8, 9, 64, 1, 1, 0), 31), "no whole panel");
    assertEquals(0, k.inPlaceColumns(simple(1, 64, 8, 9, 65, 1, 1, 0), 72), "65 outputs pack B");
    assertEquals(0, k.inPlaceColumns(simple(1, 63, 8, 9, 64, 1, 1, 0), 72), "63 inputs pack B");
    assertEquals(64, k.inPlaceColumns(conv(1, 128, 8, 8, 128, 1, 1, 1, 1, 0, 0, 0, 0, 1, 1, 2), 64),
        "64 inputs and outputs per group");
  }

  @Test
  void gemm1x1RejectsWhatItCannotCompute() {
    ConvKernel k = ConvKernels.byName("gemm-1x1");
    assertTrue(k.supports(simple(1, 3, 5, 5, 4, 1, 1, 0)));
    assertFalse(k.supports(simple(1, 3, 5, 5, 4, 3, 1, 1)), "3x3");
    assertFalse(k.supports(simple(1, 3, 5, 5, 4, 1, 2, 0)), "stride 2");
    assertFalse(k.supports(conv(1, 3, 5, 5, 4, 1, 1, 1, 1, 1, 0, 0, 0, 1, 1, 1)), "padding");
  }

  @Test
  void convCallChecksItsBuffersOnce() {
    ConvShape s = simple(1, 3, 5, 5, 4, 3, 1, 1);
    ConvKernel k = ConvKernels.generic();
    float[] packed = new float[k.packedWeightFloats(s)];
    float[] ws = new float[k.workspaceFloats(s, 1)];
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new ConvCall(k, s,
        Epilogue.NONE, new float[75], 1, packed, 0, new float[100], 0, null, 0, ws, 0));
    assertEquals("input needs 75 floats at offset 1 but the array holds 75 (" + s + ")", e.getMessage());
    e = assertThrows(IllegalArgumentException.class, () -> new ConvCall(k, s,
        Epilogue.builder().residualAdd().build(), new float[75], 0, packed, 0, new float[100], 0,
        null, 0, ws, 0));
    assertEquals("epilogue ADD_RESIDUAL needs a residual tensor", e.getMessage());
    e = assertThrows(IllegalArgumentException.class, () -> new ConvCall(ConvKernels.byName("gemm-1x1"),
        s, Epilogue.NONE, new float[75], 0, packed, 0, new float[100], 0, null, 0, ws, 0));
    assertEquals("gemm-1x1 does not support " + s, e.getMessage());
  }

  /** An empty batch is legal geometry: every algorithm must run it without touching a buffer. */
  @Test
  void emptyBatchRunsWithoutWork() {
    ConvShape s = simple(0, 3, 5, 5, 4, 3, 1, 1);
    for (ConvKernel k : ConvKernels.all()) {
      if (k.supports(s)) {
        float[] packed = new float[k.packedWeightFloats(s)];
        k.packWeights(s, random(1, 4 * 3 * 9), 0, packed, 0);
        k.run(s, Epilogue.NONE, new float[0], 0, packed, 0, new float[0], 0, null, 0,
            new float[k.workspaceFloats(s, 1)], 0, 0, k.tasks(s), 0);
      }
    }
  }

  @Test
  void unknownAlgorithmNamesTheKnownOnes() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> ConvKernels.byName("fft"));
    assertTrue(e.getMessage().startsWith("no convolution algorithm 'fft' (known: ")
        && e.getMessage().contains("tiled"), e.getMessage());
  }

  /** Generated code refers to each algorithm by its constant; every registered one must have it. */
  @Test
  void everyAlgorithmHasItsPublicConstant() throws ReflectiveOperationException {
    for (ConvKernel k : ConvKernels.all()) {
      org.junit.jupiter.api.Assertions.assertSame(k,
          ConvKernels.class.getField(ConvKernels.constantName(k)).get(null), k.name());
      org.junit.jupiter.api.Assertions.assertSame(k, ConvKernels.byName(k.name()));
    }
  }

  /** The thread-count determinism test must cover every registered algorithm. */
  @Test
  void everyAlgorithmHasADeterminismCase() {
    java.util.Set<String> covered = new java.util.TreeSet<>();
    determinismCases().forEach(a -> covered.add((String) a.get()[0]));
    java.util.Set<String> all = new java.util.TreeSet<>();
    ConvKernels.all().forEach(k -> all.add(k.name()));
    assertEquals(all, covered);
  }
}
