package dev.kiln.compiler.passes;

import static dev.kiln.compiler.passes.PassTesting.assertSameOutputs;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kiln.compiler.ir.DType;
import dev.kiln.compiler.ir.Graph;
import dev.kiln.compiler.ir.Shape;
import dev.kiln.compiler.ir.Tensor;
import dev.kiln.compiler.testing.Attr;
import dev.kiln.compiler.testing.ModelBuilder;
import dev.kiln.compiler.testing.Tensors;
import java.util.List;
import org.junit.jupiter.api.Test;

class FoldConstantsTest {
  private final FoldConstants pass = new FoldConstants();

  @Test
  void foldsConstantThenCastIntoClipBounds() {
    Graph g = new ModelBuilder(13).input("x", 1, 4)
        .namedNode("six", "Constant", List.of(), List.of("c"),
            Attr.tensor("value", Tensor.ofLongs(DType.INT64, Shape.SCALAR, 6)))
        .namedNode("cast", "Cast", List.of("c"), List.of("hi"), Attr.i("to", DType.FLOAT32.onnxCode()))
        .initializer("lo", Tensors.scalar(0f))
        .namedNode("clip", "Clip", List.of("x", "lo", "hi"), List.of("out"))
        .output("out").importGraph();
    PassTesting.Result r = PassTesting.run(pass, g);
    assertEquals(List.of("Clip"), r.opTypes());
    assertEquals(Tensor.scalarFloat(6f), r.graph().constant("hi"));
    assertEquals(List.of("FoldConstants: folded Constant 'six' to constant int64[]{6}",
        "FoldConstants: folded Cast 'cast' to constant float32[]{6.0}"), r.trace());
    assertSameOutputs(g, r.graph());
  }

  @Test
  void foldsAShapeOfARunTimeValue() {
    Graph g = new ModelBuilder(13).input("x", 1, 4, 2, 2).input("flat", 1, 16)
        .namedNode("shape", "Shape", List.of("x"), List.of("s"))
        .namedNode("reshape", "Reshape", List.of("flat", "s"), List.of("out"))
        .output("out").importGraph();
    PassTesting.Result r = PassTesting.run(pass, g);
    assertEquals(List.of("Reshape"), r.opTypes());
    assertTrue(r.graph().isConstant("s"));
    assertEquals(List.of("FoldConstants: folded Shape 'shape' to constant int64[4]{1,4,2,2}"), r.trace());
    assertSameOutputs(g, r.graph());
  }

  @Test
  void foldsConstantOfShapeFedByAShape() {
    Graph g = new ModelBuilder(13).input("x", 1, 2, 3)
        .namedNode("shape", "Shape", List.of("x"), List.of("s"))
        .namedNode("fill", "ConstantOfShape", List.of("s"), List.of("ones"),
            Attr.tensor("value", Tensor.ofFloats(Shape.of(1), 1.5f)))
        .namedNode("add", "Add", List.of("x", "ones"), List.of("out"))
        .output("out").importGraph();
    PassTesting.Result r = PassTesting.run(pass, g);
    assertEquals(List.of("Add"), r.opTypes());
    assertEquals(List.of("FoldConstants: folded Shape 'shape' to constant int64[3]{1,2,3}",
        "FoldConstants: folded ConstantOfShape 'fill' to constant float32[1,2,3]{1.5,1.5,1.5,1.5,1.5,1.5}"),
        r.trace());
    assertSameOutputs(g, r.graph());
  }

  @Test
  void evaluatesAnyOperatorOnConstants() {
    Graph g = new ModelBuilder(13).input("x", 1, 2, 3, 3)
        .initializer("base", Tensors.random(1, 1, 2, 3, 3))
        .initializer("w", Tensors.random(2, 2, 2, 1, 1))
        .namedNode("precomputed", "Conv", List.of("base", "w"), List.of("p"))
        .namedNode("add", "Add", List.of("x", "p"), List.of("out"))
        .output("out").importGraph();
    PassTesting.Result r = PassTesting.run(pass, g);
    assertEquals(List.of("Add"), r.opTypes());
    assertSameOutputs(g, r.graph());
  }

  @Test
  void leavesNodesReadingRunTimeValues() {
    Graph g = new ModelBuilder(13).input("x", 1, 4).initializer("c", Tensors.random(1, 1, 4))
        .namedNode("mul", "Mul", List.of("x", "c"), List.of("out"))
        .output("out").importGraph();
    assertEquals(List.of(), PassTesting.runUnchanged(pass, g).trace());
  }
}
