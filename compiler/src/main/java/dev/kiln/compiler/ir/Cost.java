package dev.kiln.compiler.ir;

/**
 * What one node costs, the numbers a roofline analysis starts from.
 *
 * @param flops floating-point operations (a multiply-add counts as two)
 * @param parameterBytes bytes of constant inputs (weights, biases)
 * @param bytesRead bytes of all inputs, parameters included, each read once
 * @param bytesWritten bytes of all outputs
 */
public record Cost(long flops, long parameterBytes, long bytesRead, long bytesWritten) {
  public static final Cost ZERO = new Cost(0, 0, 0, 0);

  public long bytesMoved() {
    return bytesRead + bytesWritten;
  }

  /** FLOPs per byte moved; 0 for a node that moves nothing. */
  public double arithmeticIntensity() {
    long bytes = bytesMoved();
    return bytes == 0 ? 0 : (double) flops / bytes;
  }

  public Cost plus(Cost other) {
    return new Cost(
        flops + other.flops,
        parameterBytes + other.parameterBytes,
        bytesRead + other.bytesRead,
        bytesWritten + other.bytesWritten);
  }
}
