package dev.kiln.compiler.codegen;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kiln.compiler.exec.ProgramModel;
import dev.kiln.compiler.lower.Arg;
import dev.kiln.compiler.lower.EpilogueSpec;
import dev.kiln.compiler.lower.KernelCall;
import dev.kiln.compiler.lower.Program;
import dev.kiln.runtime.KilnModel;
import dev.kiln.runtime.kernels.ConvShape;
import dev.kiln.runtime.kernels.Epilogue;
import dev.kiln.runtime.parallel.ThreadTeam;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * Every {@link Arg} kind, with awkward values, through both backends: each call's {@link ArgProbe}
 * output must equal a direct Java call with the same values, bit for bit. The backends treat every
 * kernel call generically, so this is what lets new lowerings work without backend changes.
 */
class ArgKindsTest {
  private static final int[] INTS = {0, -1, 5, 6, 127, 128, -128, -129, 32767, 32768, -32768, -32769,
      65535, 65536, Integer.MAX_VALUE, Integer.MIN_VALUE};
  private static final float[] FLOATS = {0f, -0f, 1f, 2f, 3f, -1f, 1e-5f, 0.1f, 3.4028235e38f,
      Float.MIN_VALUE, Float.MIN_NORMAL, Float.NaN, Float.intBitsToFloat(0x7fc00001),
      Float.intBitsToFloat(0xffc12345), Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY};

  @Test
  void everyArgKindRoundTripsThroughBothBackends() {
    float[] weights = new float[64];
    SplittableRandom random = new SplittableRandom(7);
    for (int w = 0; w < weights.length; w++) {
      weights[w] = (float) random.nextDouble(-2, 2);
    }
    List<EpilogueSpec> epilogues = epilogues();
    List<int[]> arrays = List.of(new int[0], new int[] {3, -7, Integer.MIN_VALUE},
        ramp(ModelClass.MAX_INLINE_INTS), ramp(ModelClass.MAX_INLINE_INTS + 1),
        ramp(ModelClass.INTS_PER_PIECE * 2 + 5));
    int count = Math.max(Math.max(INTS.length, FLOATS.length), Math.max(epilogues.size(), arrays.size()));
    List<KernelCall> calls = new ArrayList<>();
    List<Object[]> direct = new ArrayList<>();
    for (int c = 0; c < count; c++) {
      int i = INTS[c % INTS.length];
      float f = FLOATS[c % FLOATS.length];
      boolean b = c % 2 == 0;
      int[] ints = arrays.get(c % arrays.size());
      ArgProbe.Mode mode = ArgProbe.Mode.values()[c % 3];
      ConvShape shape = new ConvShape(1, 2 * (c + 1), 7 + c, 9, 2, 5, 3 + c, 3, 1, 1, 2, c % 3, 0, 1,
          0, 1, 2, 2);
      EpilogueSpec epilogue = epilogues.get(c % epilogues.size());
      calls.add(new KernelCall("probe " + c, "Probe", "call " + c, ArgProbe.class, "probe", List.of(
          new Arg.Arena(), new Arg.IntArg(c * ArgProbe.FLOATS, "outOffset"), new Arg.Weights(),
          new Arg.NullArray(), new Arg.IntArg(i, "i"), new Arg.FloatArg(f, "f"),
          new Arg.BoolArg(b, "b"), new Arg.IntArrayArg(ints, "ints"), new Arg.EnumArg(mode),
          new Arg.StaticFieldArg(ArgProbe.class, "TOKEN", ArgProbe.Token.class),
          new Arg.ConvShapeArg(shape, "shape"), new Arg.EpilogueArg(epilogue, "epilogue"),
          new Arg.Team())));
      direct.add(new Object[] {c * ArgProbe.FLOATS, i, f, b, ints, mode, shape, epilogue.build(weights)});
    }
    Set<Class<?>> kinds = calls.stream().flatMap(k -> k.args().stream()).map(Object::getClass)
        .collect(Collectors.toSet());
    assertEquals(Set.of(Arg.class.getPermittedSubclasses()), kinds, "every Arg kind is exercised");

    int arenaFloats = count * ArgProbe.FLOATS;
    float[] expected = new float[arenaFloats];
    // Generated models run these probes from a one-thread session.
    try (ThreadTeam oneThread = new ThreadTeam(1)) {
      for (Object[] d : direct) {
        ArgProbe.probe(expected, (int) d[0], weights, null, (int) d[1], (float) d[2], (boolean) d[3],
            (int[]) d[4], (ArgProbe.Mode) d[5], ArgProbe.TOKEN, (ConvShape) d[6], (Epilogue) d[7],
            oneThread);
      }
    }
    Program program = HandMadePrograms.of("probes", calls, arenaFloats, weights);
    CodegenOptions options = CodegenOptions.of("dev.kiln.generated.probe", "Probes");
    GeneratedModel source = Codegen.generate(program, Target.JAVA, options);
    GeneratedModel bytecode = Codegen.generate(program, Target.BYTECODE, options);
    assertTrue(source.source().contains("ints(\""), "long arrays are encoded");
    assertTrue(source.source().contains("Float.intBitsToFloat(0x7fc00001)"), "NaN payloads are kept");

    float[] input = {0f};
    Bits.assertBitIdentical(expected, new ProgramModel(program).run(input), "interpreter");
    for (KilnModel m : List.of(GeneratedClasses.loadSource(source), GeneratedClasses.loadBytecode(bytecode))) {
      Bits.assertBitIdentical(expected, m.run(input), "generated " + m.getClass().getName());
    }
  }

  /** Identity (passed as Epilogue.NONE), bias only, every activation, scale-shift and residual. */
  private static List<EpilogueSpec> epilogues() {
    List<EpilogueSpec> specs = new ArrayList<>();
    specs.add(new EpilogueSpec(4, -1, List.of()));
    specs.add(EpilogueSpec.biasOnly(4, 8));
    for (Epilogue.Activation a : EnumSet.allOf(Epilogue.Activation.class)) {
      specs.add(new EpilogueSpec(4, a.ordinal() % 2 == 0 ? 12 : -1, List.of(
          new EpilogueSpec.Activation(a, 0.125f * (a.ordinal() + 1), -0.5f))));
    }
    specs.add(new EpilogueSpec(4, 16, List.of(new EpilogueSpec.ResidualAdd(),
        new EpilogueSpec.Activation(Epilogue.Activation.RELU, 0f, 0f),
        new EpilogueSpec.ScaleShift(20, 24))));
    return specs;
  }

  private static int[] ramp(int n) {
    int[] values = new int[n];
    for (int i = 0; i < n; i++) {
      values[i] = (i * 0x9E3779B9) ^ (i << 7);
    }
    return values;
  }
}
