package dev.kiln.compiler.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.kiln.compiler.io.Npy;
import dev.kiln.compiler.ir.Tensor;
import dev.kiln.compiler.testing.Attr;
import dev.kiln.compiler.testing.ModelBuilder;
import dev.kiln.compiler.testing.TensorAssert;
import dev.kiln.compiler.testing.Tensors;
import dev.kiln.runtime.opencl.OpenClContext;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code kiln run --target opencl} runs a model the way the CPU target does. */
class RunCommandOpenClTest {
  @TempDir Path dir;

  private Path model;
  private Path input;
  private String err;

  @BeforeEach
  void writeModel() throws IOException {
    model = dir.resolve("model.onnx");
    Files.write(model, new ModelBuilder(13)
        .input("x", 1, 3, 8, 8)
        .initializer("w", Tensors.random(1, 4, 3, 3, 3))
        .initializer("b", Tensors.random(2, 4))
        .node("Conv", List.of("x", "w", "b"), List.of("y"), Attr.ints("pads", 1, 1, 1, 1))
        .node("Relu", List.of("y"), List.of("z"))
        .output("z")
        .build()
        .toByteArray());
    input = dir.resolve("x.npy");
    Npy.write(input, Tensors.random(3, 1, 3, 8, 8));
  }

  private int kiln(String... args) {
    StringWriter o = new StringWriter();
    StringWriter e = new StringWriter();
    int status = Main.execute(args, new PrintWriter(o), new PrintWriter(e));
    err = e.toString();
    return status;
  }

  @Test
  void openClTargetWritesWhatTheCpuTargetWrites() {
    String reason = OpenClContext.unavailableReason();
    assumeTrue(reason == null, () -> "OpenCL tests skipped: " + reason);
    Path cpu = dir.resolve("cpu.npy");
    Path device = dir.resolve("opencl.npy");
    assertEquals(Main.OK, kiln("run", model.toString(), "-i", input.toString(), "-o", cpu.toString()), err);
    assertEquals(Main.OK, kiln("run", model.toString(), "--target", "opencl", "-i", input.toString(),
        "-o", device.toString()), err);
    Tensor expected = Npy.read(cpu);
    TensorAssert.assertClose(expected, Npy.read(device), 1e-5, "kiln run --target opencl");
  }

  @Test
  void unknownTargetIsAUserError() {
    assertEquals(Main.USER_ERROR, kiln("run", model.toString(), "--target", "gpu", "-i", input.toString()));
    assertEquals("kiln: --target must be cpu or opencl, got 'gpu'\n", err);
  }
}
