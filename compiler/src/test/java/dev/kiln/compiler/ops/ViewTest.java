package dev.kiln.compiler.ops;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.kiln.compiler.ir.Graph;
import dev.kiln.compiler.ir.Node;
import dev.kiln.compiler.testing.Attr;
import dev.kiln.compiler.testing.ModelBuilder;
import dev.kiln.compiler.testing.Tensors;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Which operators the memory planner may alias: their output is their input's buffer. */
class ViewTest {
  @Test
  void reshapesAreViewsAndNothingElseIs() {
    Graph g = new ModelBuilder(13).input("x", 1, 4, 2, 2)
        .initializer("shape", Tensors.int64(1, 16)).initializer("axes", Tensors.int64(0))
        .initializer("axes2", Tensors.int64(2))
        .namedNode("id", "Identity", List.of("x"), List.of("a"))
        .namedNode("flatten", "Flatten", List.of("a"), List.of("b"))
        .namedNode("reshape", "Reshape", List.of("b", "shape"), List.of("c"))
        .namedNode("unsqueeze", "Unsqueeze", List.of("c", "axes2"), List.of("d"))
        .namedNode("squeeze", "Squeeze", List.of("d", "axes"), List.of("e"))
        .namedNode("transpose", "Transpose", List.of("e"), List.of("f"), Attr.ints("perm", 1, 0))
        .namedNode("relu", "Relu", List.of("f"), List.of("out"))
        .output("out").importGraph();
    assertEquals(List.of("id", "flatten", "reshape", "unsqueeze", "squeeze"),
        g.nodes().stream().filter(n -> n.op().isView()).map(Node::name).toList());
  }
}
