package dev.kiln.compiler.codegen;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.kiln.compiler.api.CompileOptions;
import dev.kiln.compiler.api.Compiler;
import dev.kiln.compiler.importer.ImportOptions;
import dev.kiln.compiler.importer.onnx.OnnxImporter;
import dev.kiln.compiler.lower.Program;
import dev.kiln.compiler.testing.Attr;
import dev.kiln.compiler.testing.ModelBuilder;
import dev.kiln.compiler.testing.Tensors;
import dev.kiln.runtime.KilnModel;
import dev.kiln.runtime.Session;
import java.nio.FloatBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;

/**
 * 8 threads, each with its own session (and thread count), 100 runs each, concurrently on one
 * ResNet-18-shaped model per backend: every output must equal a single-thread run bit for bit.
 */
class DeterminismTest {
  private static final int THREADS = 8;
  private static final int RUNS = 100;

  @Test
  void concurrentSessionsGiveBitIdenticalOutputs() throws Exception {
    Program program = Compiler.compile(OnnxImporter.read(resnet18Shaped(), "resnet18_shaped.onnx",
        ImportOptions.DEFAULTS), CompileOptions.DEFAULTS).program();
    CodegenOptions options = CodegenOptions.of("dev.kiln.generated.det", "ResNet18Shaped");
    KilnModel fromBytecode = GeneratedClasses.loadBytecode(
        Codegen.generate(program, Target.BYTECODE, options));
    KilnModel fromSource = GeneratedClasses.loadSource(Codegen.generate(program, Target.JAVA, options));
    float[][] inputs = {Tensors.random(1, 1, 3, 16, 16).toFloatArray(),
        Tensors.random(2, 1, 3, 16, 16).toFloatArray()};
    float[][] expected = new float[inputs.length][];
    try (Session single = fromBytecode.newSession(1)) {
      for (int i = 0; i < inputs.length; i++) {
        expected[i] = new float[1000];
        single.run(inputs[i], 0, expected[i], 0);
      }
    }

    ExecutorService pool = Executors.newFixedThreadPool(THREADS);
    CyclicBarrier start = new CyclicBarrier(THREADS);
    try {
      List<Future<Integer>> results = new ArrayList<>();
      for (int t = 0; t < THREADS; t++) {
        int thread = t;
        KilnModel model = t % 2 == 0 ? fromBytecode : fromSource;
        results.add(pool.submit(() -> {
          start.await();
          int compared = 0;
          try (Session session = model.newSession(1 + thread % 4)) {
            float[] out = new float[1000];
            for (int r = 0; r < RUNS; r++) {
              int which = (r + thread) % inputs.length;
              String what = "thread " + thread + " run " + r + " input " + which;
              switch ((r + thread) % 3) {
                case 0 -> session.run(inputs[which], 0, out, 0);
                case 1 -> {
                  FloatBuffer buffer = FloatBuffer.allocate(1000);
                  session.run(FloatBuffer.wrap(inputs[which]), buffer);
                  out = buffer.array();
                }
                default -> out = model.run(inputs[which]);
              }
              Bits.assertBitIdentical(expected[which], out, what);
              compared++;
            }
          }
          return compared;
        }));
      }
      int total = 0;
      for (Future<Integer> f : results) {
        total += f.get();
      }
      assertEquals(THREADS * RUNS, total);
    } finally {
      pool.shutdownNow();
    }
  }

  /**
   * ResNet-18's layers (7x7 stem, max pool, four stages of two basic blocks with batch norms and
   * projection shortcuts, global average pool, 1000-way Gemm) on a 16x16 image, seeded weights.
   */
  static byte[] resnet18Shaped() {
    ModelBuilder b = new ModelBuilder(13).input("image", 1, 3, 16, 16);
    int[] seed = {100};
    String x = convBn(b, "stem", "image", 3, 64, 7, 2, 3, seed);
    b.namedNode("stem.relu", "Relu", List.of(x), List.of("stem.out"));
    b.namedNode("maxpool", "MaxPool", List.of("stem.out"), List.of("pool"),
        Attr.ints("kernel_shape", 3, 3), Attr.ints("strides", 2, 2), Attr.ints("pads", 1, 1, 1, 1));
    x = "pool";
    int in = 64;
    int[] widths = {64, 128, 256, 512};
    for (int stage = 0; stage < 4; stage++) {
      for (int block = 0; block < 2; block++) {
        String name = "layer" + (stage + 1) + "." + block;
        int stride = stage > 0 && block == 0 ? 2 : 1;
        int out = widths[stage];
        String a = convBn(b, name + ".conv1", x, in, out, 3, stride, 1, seed);
        b.namedNode(name + ".relu1", "Relu", List.of(a), List.of(name + ".r1"));
        String c = convBn(b, name + ".conv2", name + ".r1", out, out, 3, 1, 1, seed);
        String shortcut = stride != 1 || in != out
            ? convBn(b, name + ".downsample", x, in, out, 1, stride, 0, seed) : x;
        b.namedNode(name + ".add", "Add", List.of(c, shortcut), List.of(name + ".sum"));
        b.namedNode(name + ".relu2", "Relu", List.of(name + ".sum"), List.of(name + ".out"));
        x = name + ".out";
        in = out;
      }
    }
    b.namedNode("avgpool", "GlobalAveragePool", List.of(x), List.of("gap"));
    b.namedNode("flatten", "Flatten", List.of("gap"), List.of("features"));
    b.initializer("fc.weight", Tensors.uniform(seed[0]++, -0.05f, 0.05f, 1000, 512));
    b.initializer("fc.bias", Tensors.random(seed[0]++, 1000));
    b.namedNode("fc", "Gemm", List.of("features", "fc.weight", "fc.bias"), List.of("logits"),
        Attr.i("transB", 1));
    return b.output("logits").build().toByteArray();
  }

  private static String convBn(ModelBuilder b, String name, String x, int in, int out, int k,
      int stride, int pad, int[] seed) {
    float scale = (float) Math.sqrt(2.0 / (in * k * k));
    b.initializer(name + ".weight", Tensors.uniform(seed[0]++, -scale, scale, out, in, k, k));
    b.namedNode(name, "Conv", List.of(x, name + ".weight"), List.of(name + ".y"),
        Attr.ints("kernel_shape", k, k), Attr.ints("strides", stride, stride),
        Attr.ints("pads", pad, pad, pad, pad));
    b.initializer(name + ".bn.scale", Tensors.uniform(seed[0]++, 0.5f, 1.5f, out));
    b.initializer(name + ".bn.bias", Tensors.uniform(seed[0]++, -0.1f, 0.1f, out));
    b.initializer(name + ".bn.mean", Tensors.uniform(seed[0]++, -0.1f, 0.1f, out));
    b.initializer(name + ".bn.var", Tensors.uniform(seed[0]++, 0.5f, 1.5f, out));
    b.namedNode(name + ".bn", "BatchNormalization", List.of(name + ".y", name + ".bn.scale",
        name + ".bn.bias", name + ".bn.mean", name + ".bn.var"), List.of(name + ".bn.y"));
    return name + ".bn.y";
  }
}
