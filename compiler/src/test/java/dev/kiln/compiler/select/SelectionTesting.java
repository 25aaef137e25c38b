package dev.kiln.compiler.select;

import dev.kiln.compiler.api.CompileOptions;
import dev.kiln.compiler.api.CompileResult;
import dev.kiln.compiler.api.Compiler;
import dev.kiln.compiler.api.MemoryMode;
import dev.kiln.compiler.ir.Graph;
import dev.kiln.compiler.testing.Attr;
import dev.kiln.compiler.testing.ModelBuilder;
import dev.kiln.compiler.testing.Tensors;
import java.util.List;

/** A small network with every kind of convolution the selection distinguishes, and compile helpers. */
public final class SelectionTesting {
  /** The threads every selection test compiles for: the workspace, and so the peak, depends on it. */
  public static final int THREADS = 2;

  private SelectionTesting() {}

  /**
   * 16×24×24 → conv 3×3 16→32 (Winograd-able) → ReLU → conv 3×3/2 32→32 (not) → conv 1×1 32→48
   * → conv 3×3 48→48 (Winograd-able) + residual → depthwise 3×3 48 → global average pool → fc 48→10.
   */
  public static byte[] smallNet() {
    return new ModelBuilder(13)
        .input("image", 1, 16, 24, 24)
        .initializer("w1", Tensors.random(1, 32, 16, 3, 3))
        .initializer("b1", Tensors.random(2, 32))
        .initializer("w2", Tensors.random(3, 32, 32, 3, 3))
        .initializer("w3", Tensors.random(4, 48, 32, 1, 1))
        .initializer("w4", Tensors.random(5, 48, 48, 3, 3))
        .initializer("w5", Tensors.random(6, 48, 1, 3, 3))
        .initializer("fc.weight", Tensors.random(7, 10, 48))
        .initializer("fc.bias", Tensors.random(8, 10))
        .namedNode("conv1", "Conv", List.of("image", "w1", "b1"), List.of("c1"),
            Attr.ints("pads", 1, 1, 1, 1))
        .namedNode("relu1", "Relu", List.of("c1"), List.of("r1"))
        .namedNode("conv2", "Conv", List.of("r1", "w2"), List.of("c2"), Attr.ints("pads", 1, 1, 1, 1),
            Attr.ints("strides", 2, 2))
        .namedNode("conv3", "Conv", List.of("c2", "w3"), List.of("c3"))
        .namedNode("conv4", "Conv", List.of("c3", "w4"), List.of("c4"), Attr.ints("pads", 1, 1, 1, 1))
        .namedNode("add", "Add", List.of("c4", "c3"), List.of("s"))
        .namedNode("dw", "Conv", List.of("s", "w5"), List.of("d"), Attr.ints("pads", 1, 1, 1, 1),
            Attr.i("group", 48))
        .namedNode("gap", "GlobalAveragePool", List.of("d"), List.of("g"))
        .namedNode("flatten", "Flatten", List.of("g"), List.of("f"))
        .namedNode("fc", "Gemm", List.of("f", "fc.weight", "fc.bias"), List.of("logits"),
            Attr.i("transB", 1))
        .output("logits")
        .build().toByteArray();
  }

  public static Graph smallNetGraph() {
    return dev.kiln.compiler.importer.onnx.OnnxImporter.read(smallNet(), "small.onnx",
        dev.kiln.compiler.importer.ImportOptions.DEFAULTS);
  }

  /** Options pinned for reproducible selections: the threads and the built-in machine figures. */
  public static CompileOptions.Builder options() {
    return CompileOptions.builder().threads(THREADS).machineProfile(MachineProfile.BUILT_IN);
  }

  public static CompileResult compile(Graph graph, MemoryMode mode) {
    return Compiler.compile(graph, options().memoryMode(mode).build());
  }

  public static CompileResult compile(Graph graph, long budget) {
    return Compiler.compile(graph, options().memoryBudget(budget).build());
  }
}
