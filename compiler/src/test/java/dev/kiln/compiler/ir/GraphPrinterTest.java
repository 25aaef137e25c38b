package dev.kiln.compiler.ir;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.kiln.compiler.testing.Attr;
import dev.kiln.compiler.testing.ModelBuilder;
import dev.kiln.compiler.testing.Tensors;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The printer's text is what golden tests and --dump-after compare, so its form is pinned here. */
class GraphPrinterTest {
  @Test
  void printsASmallGraph() {
    Graph g = new ModelBuilder(13)
        .input("x", 1, 3, 4, 4)
        .initializer("w", Tensors.random(1, 2, 3, 3, 3))
        .initializer("b", Tensor.ofFloats(Shape.of(2), 0.5f, -1f))
        .initializer("hi", Tensor.scalarFloat(6f))
        .initializer("fc", Tensors.random(2, 5, 32))
        .namedNode("conv1", "Conv", List.of("x", "w", "b"), List.of("c"),
            Attr.ints("kernel_shape", 3, 3), Attr.ints("pads", 1, 1, 1, 1))
        .namedNode("relu6", "Clip", List.of("c", "", "hi"), List.of("r"))
        .namedNode("flat", "Flatten", List.of("r"), List.of("f"))
        .namedNode("fc", "Gemm", List.of("f", "fc"), List.of("g"), Attr.i("transB", 1),
            Attr.f("alpha", 0.5f))
        .namedNode("prob", "Softmax", List.of("g"), List.of("y"))
        .output("y")
        .output("c")
        .importGraph();
    assertEquals("""
        graph test (opset 13)
          input  %x: float32[1,3,4,4]
          const  %w: float32[2,3,3,3]
          const  %b: float32[2]{0.5,-1.0}
          const  %hi: float32[]{6.0}
          const  %fc: float32[5,32]
          %c: float32[1,2,4,4] = Conv 'conv1' (%x, %w, %b) {kernel_shape=[3,3], pads=[1,1,1,1]}
          %r: float32[1,2,4,4] = Clip 'relu6' (%c, _, %hi)
          %f: float32[1,32] = Flatten 'flat' (%r)
          %g: float32[1,5] = Gemm 'fc' (%f, %fc) {alpha=0.5, transB=1}
          %y: float32[1,5] = Softmax 'prob' (%g) {axis=-1}
          output %y
          output %c
        """, GraphPrinter.print(g));
  }
}
