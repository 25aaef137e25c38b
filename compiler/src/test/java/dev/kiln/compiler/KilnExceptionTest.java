package dev.kiln.compiler;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;

import org.junit.jupiter.api.Test;

class KilnExceptionTest {
  @Test
  void namesFromAModelCannotBreakTheLine() {
    KilnException e = new KilnException("m.onnx: node 'a\nb\r\tc\u2028d\u0000' (Relu)");
    assertEquals("m.onnx: node 'a\\nb\\r\\tc\\u2028d\\u0000' (Relu)", e.getMessage());
  }

  @Test
  void escapingIsIdempotentSoRewrappingChangesNothing() {
    KilnException inner = new KilnException("attribute 'x\ny' is given twice");
    KilnException outer = new KilnException("m.onnx: node 'n': " + inner.getMessage(), inner);
    assertEquals("m.onnx: node 'n': attribute 'x\\ny' is given twice", outer.getMessage());
    assertSame(inner, outer.getCause());
  }

  @Test
  void plainMessagesAreKeptAsTheyAre() {
    String message = "m.onnx: graph input 'x' — naïve ünïcode is fine";
    assertSame(message, new KilnException(message).getMessage());
  }
}
