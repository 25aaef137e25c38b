package dev.kiln.compiler.importer.onnx;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kiln.compiler.KilnException;
import dev.kiln.compiler.exec.GraphInterpreter;
import dev.kiln.compiler.importer.ImportOptions;
import dev.kiln.compiler.importer.onnx.proto.OnnxProto.AttributeProto;
import dev.kiln.compiler.importer.onnx.proto.OnnxProto.ModelProto;
import dev.kiln.compiler.ir.Graph;
import dev.kiln.compiler.ir.GraphVerifier;
import dev.kiln.compiler.ir.Shape;
import dev.kiln.compiler.ir.Tensor;
import dev.kiln.compiler.ir.TensorType;
import dev.kiln.compiler.ir.Value;
import dev.kiln.compiler.testing.Attr;
import dev.kiln.compiler.testing.ModelBuilder;
import dev.kiln.compiler.testing.Tensors;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.junit.jupiter.api.Test;

/**
 * Mutates small valid models thousands of times, byte by byte and field by field ({@link
 * ModelMutator}), and imports each mutant (then, when that succeeds, verifies and runs it). A model file is untrusted input: the only acceptable
 * failure is a {@link KilnException}; anything else escaping, an OutOfMemoryError or a mutant that
 * hangs is a bug in Kiln.
 *
 * <p>Mutant {@code i} depends only on the seed and {@code i}, so a failure is reproduced with
 * {@code -Dkiln.fuzz.seed=S -Dkiln.fuzz.iteration=I}. {@code -Dkiln.fuzz.seconds} sets the time
 * budget (default 20).
 */
class OnnxImporterFuzzTest {
  private static final long SEED = Long.getLong("kiln.fuzz.seed", 0x6b696c6eL);
  private static final double SECONDS =
      Double.parseDouble(System.getProperty("kiln.fuzz.seconds", "20"));
  private static final long ONLY_ITERATION = Long.getLong("kiln.fuzz.iteration", -1);

  /** A case that takes longer than this to import and run is reported as a hang. */
  private static final long CASE_TIMEOUT_SECONDS = 10;

  /**
   * Mutants whose values hold more elements than this in total are imported and verified but not
   * run: a model may legitimately declare a huge input, and allocating it proves nothing.
   */
  private static final long MAX_RUN_ELEMENTS = 1 << 20;

  /** Fixes the symbolic batch of {@link FuzzModels#shapes}, whatever a mutant renames it to. */
  private static final ImportOptions OPTIONS =
      new ImportOptions(Map.of(), Map.of(ImportOptions.SOLE_INPUT, Shape.of(2, 3)));

  private static final List<ModelProto> SEED_MODELS = List.of(FuzzModels.cnn(), FuzzModels.shapes());

  /** The seed models themselves import, verify and run: otherwise the fuzzing proves little. */
  @Test
  void seedModelsAreValid() {
    for (ModelProto model : SEED_MODELS) {
      assertEquals(Outcome.RAN, importAndRun(model.toByteArray(), 1));
    }
  }

  enum Outcome { REJECTED, IMPORTED, RAN }

  @Test
  void mutantsFailOnlyWithKilnException() {
    long start = System.nanoTime();
    long deadline = start + (long) (SECONDS * 1e9);
    long[] outcomes = new long[Outcome.values().length];
    long iterations = 0;
    try (Worker worker = new Worker()) {
      for (long i = ONLY_ITERATION >= 0 ? ONLY_ITERATION : 0; ; i++) {
        if (ONLY_ITERATION >= 0 ? i > ONLY_ITERATION : System.nanoTime() > deadline) {
          break;
        }
        long iteration = i;
        byte[] mutant = mutate(iteration);
        Outcome outcome = worker.run(reproduce(iteration), () -> importAndRun(mutant, iteration));
        outcomes[outcome.ordinal()]++;
        iterations++;
      }
    }
    System.out.printf("fuzz: %d mutants in %.1f s (seed %d): %d rejected, %d imported only,"
            + " %d ran%n", iterations, (System.nanoTime() - start) / 1e9, SEED, outcomes[0],
        outcomes[1], outcomes[2]);
    if (ONLY_ITERATION < 0) {
      assertTrue(iterations >= 1000, "only " + iterations + " mutants in " + SECONDS + " s");
      // Mutations that keep the model importable are the ones that reach shape inference and the
      // kernels; if none did, the mutator would only be testing the protobuf parser.
      assertTrue(outcomes[Outcome.RAN.ordinal()] > 0, "no mutant imported and ran");
      assertTrue(outcomes[Outcome.REJECTED.ordinal()] > 0, "no mutant was rejected");
    }
  }

  /**
   * Every window attribute of Conv and the pools at values near the limits of an int, with each
   * padding mode: random mutation rarely combines a huge kernel with SAME padding, which once made
   * a few-byte model loop 2^31 times per output.
   */
  @Test
  void extremeWindowAttributesFailOnlyWithKilnException() {
    long[] values = {0, -1, 2, 65536, 1 << 30, Integer.MAX_VALUE - 8, Integer.MAX_VALUE, 1L << 31};
    long[] outcomes = new long[Outcome.values().length];
    try (Worker worker = new Worker()) {
      for (String op : List.of("Conv", "MaxPool", "AveragePool")) {
        for (String attribute : List.of("kernel_shape", "strides", "pads", "dilations")) {
          for (long value : values) {
            for (String autoPad : List.of("NOTSET", "SAME_UPPER", "SAME_LOWER", "VALID")) {
              for (int position = 0; position < 4; position++) {
                byte[] model = windowModel(op, attribute, position, value, autoPad);
                String what = op + " " + attribute + "[" + position + "]=" + value + " " + autoPad;
                outcomes[worker.run(what, () -> importAndRun(model, 0)).ordinal()]++;
              }
            }
          }
        }
      }
    }
    assertTrue(outcomes[Outcome.RAN.ordinal()] > 0 && outcomes[Outcome.REJECTED.ordinal()] > 0,
        "the sweep should both run and reject models: " + Arrays.toString(outcomes));
  }

  private static byte[] windowModel(String op, String attribute, int position, long value,
      String autoPad) {
    Map<String, long[]> window = new LinkedHashMap<>();
    window.put("kernel_shape", new long[] {3, 3});
    window.put("strides", new long[] {1, 2});
    window.put("pads", new long[] {1, 0, 1, 2});
    window.put("dilations", new long[] {1, 1});
    long[] edited = window.get(attribute);
    edited[position % edited.length] = value;
    ModelBuilder b = new ModelBuilder(19).input("x", 1, 2, 9, 9);
    List<AttributeProto> attributes = new ArrayList<>();
    window.forEach((name, v) -> {
      if (!name.equals("pads") || autoPad.equals("NOTSET")) {
        attributes.add(Attr.ints(name, v));
      }
    });
    attributes.add(Attr.s("auto_pad", autoPad));
    List<String> inputs = new ArrayList<>(List.of("x"));
    if (op.equals("Conv")) {
      b.initializer("w", Tensors.random(1, 3, 2, 3, 3));
      inputs.add("w");
    } else {
      attributes.add(Attr.i("ceil_mode", position % 2));
    }
    return b.node(op, inputs, List.of("y"), attributes.toArray(new AttributeProto[0]))
        .output("y").build().toByteArray();
  }

  /**
   * Runs each case on one worker thread, so that a case that hangs is reported (with how to
   * reproduce it) instead of stalling the build.
   */
  private static final class Worker implements AutoCloseable {
    private final ExecutorService executor = Executors.newSingleThreadExecutor(r -> {
      Thread t = new Thread(r, "fuzz-worker");
      t.setDaemon(true);
      return t;
    });

    Outcome run(String what, Callable<Outcome> task) {
      Future<Outcome> result = executor.submit(task);
      try {
        return result.get(CASE_TIMEOUT_SECONDS, TimeUnit.SECONDS);
      } catch (TimeoutException e) {
        throw new AssertionError(what + ": hangs (no result after " + CASE_TIMEOUT_SECONDS + " s)");
      } catch (ExecutionException e) {
        Throwable cause = e.getCause();
        StringWriter trace = new StringWriter();
        cause.printStackTrace(new PrintWriter(trace));
        throw new AssertionError(what + ": " + cause + " escaped instead of a KilnException\n"
            + trace);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new AssertionError(what + ": interrupted", e);
      }
    }

    @Override
    public void close() {
      executor.shutdownNow();
    }
  }

  private static String reproduce(long iteration) {
    return "mutant " + iteration + " (reproduce with -Dkiln.fuzz.seed=" + SEED
        + " -Dkiln.fuzz.iteration=" + iteration + ")";
  }

  /**
   * Imports, verifies and runs a mutant. A KilnException is the expected rejection; anything else
   * propagates to the caller as a bug.
   */
  private static Outcome importAndRun(byte[] model, long seed) {
    Graph graph;
    try {
      graph = OnnxImporter.read(model, "fuzz.onnx", OPTIONS);
    } catch (KilnException e) {
      assertOneLine(e);
      return Outcome.REJECTED;
    }
    try {
      GraphVerifier.verify(graph);
      long elements = 0;
      for (TensorType t : graph.types().values()) {
        elements += t.elementCount();
      }
      if (elements > MAX_RUN_ELEMENTS) {
        return Outcome.IMPORTED;
      }
      Map<String, Tensor> inputs = new LinkedHashMap<>();
      for (Value in : graph.inputs()) {
        inputs.put(in.name(), input(in.type(), seed));
      }
      GraphInterpreter.run(graph, inputs);
      return Outcome.RAN;
    } catch (KilnException e) {
      assertOneLine(e);
      return Outcome.IMPORTED;
    }
  }

  private static void assertOneLine(KilnException e) {
    String message = e.getMessage();
    if (message == null || message.isEmpty() || message.indexOf('\n') >= 0
        || !message.startsWith("fuzz.onnx")) {
      throw new AssertionError("a user error must be one line naming"
          + " the file, got: " + message, e);
    }
  }

  private static Tensor input(TensorType type, long seed) {
    if (type.dtype().isFloat()) {
      return Tensors.random(seed, type.shape().dims());
    }
    return Tensor.zeros(type);
  }

  /**
   * Mutant {@code iteration}: one of the seed models with one to three structure-aware edits
   * (half of the mutants), then one to four byte-level mutations (most of the rest, and a few of
   * the structural ones).
   */
  static byte[] mutate(long iteration) {
    SplittableRandom r = new SplittableRandom(SEED ^ (iteration * 0x9E3779B97F4A7C15L));
    ModelProto model = SEED_MODELS.get(r.nextInt(SEED_MODELS.size()));
    boolean structural = r.nextBoolean();
    if (structural) {
      int edits = 1 + r.nextInt(3);
      for (int e = 0; e < edits; e++) {
        model = ModelMutator.mutateStructure(model, r);
      }
    }
    byte[] bytes = model.toByteArray();
    if (!structural || r.nextInt(8) == 0) {
      int mutations = 1 + r.nextInt(4);
      for (int m = 0; m < mutations; m++) {
        bytes = ModelMutator.mutateBytes(bytes, r);
      }
    }
    return bytes;
  }
}
