package dev.kiln.runtime.kernels;

/**
 * The geometry of one 2-D convolution, pooling window or transposed convolution over NCHW tensors,
 * fixed at compile time. A 1-D operation is the same with {@code inH = outH = kernelH = 1}.
 *
 * <p>For a convolution the weights are {@code [outChannels, inChannels/groups, kernelH, kernelW]};
 * for a transposed convolution {@code [inChannels, outChannels/groups, kernelH, kernelW]}.
 */
public final class ConvShape {
  public final int batch;
  public final int inChannels;
  public final int inH;
  public final int inW;
  public final int outChannels;
  public final int outH;
  public final int outW;
  public final int kernelH;
  public final int kernelW;
  public final int strideH;
  public final int strideW;
  public final int padTop;
  public final int padLeft;
  public final int padBottom;
  public final int padRight;
  public final int dilationH;
  public final int dilationW;
  public final int groups;

  public ConvShape(
      int batch, int inChannels, int inH, int inW,
      int outChannels, int outH, int outW,
      int kernelH, int kernelW, int strideH, int strideW,
      int padTop, int padLeft, int padBottom, int padRight, int dilationH, int dilationW, int groups) {
    if (batch < 0 || inChannels < 1 || inH < 0 || inW < 0 || outChannels < 1 || outH < 0 || outW < 0
        || kernelH < 1 || kernelW < 1 || strideH < 1 || strideW < 1
        || padTop < 0 || padLeft < 0 || padBottom < 0 || padRight < 0
        || dilationH < 1 || dilationW < 1 || groups < 1
        || inChannels % groups != 0 || outChannels % groups != 0) {
      throw new IllegalArgumentException("invalid convolution geometry " + describe(
          batch, inChannels, inH, inW, outChannels, outH, outW, kernelH, kernelW,
          strideH, strideW, padTop, padLeft, padBottom, padRight, dilationH, dilationW, groups));
    }
    this.batch = batch;
    this.inChannels = inChannels;
    this.inH = inH;
    this.inW = inW;
    this.outChannels = outChannels;
    this.outH = outH;
    this.outW = outW;
    this.kernelH = kernelH;
    this.kernelW = kernelW;
    this.strideH = strideH;
    this.strideW = strideW;
    this.padTop = padTop;
    this.padLeft = padLeft;
    this.padBottom = padBottom;
    this.padRight = padRight;
    this.dilationH = dilationH;
    this.dilationW = dilationW;
    this.groups = groups;
  }

  /** Output size of one spatial axis, for a sliding window without ceil mode. */
  public static int outputSize(int in, int kernel, int stride, int padBegin, int padEnd, int dilation) {
    return (in + padBegin + padEnd - dilation * (kernel - 1) - 1) / stride + 1;
  }

  public int inChannelsPerGroup() {
    return inChannels / groups;
  }

  public int outChannelsPerGroup() {
    return outChannels / groups;
  }

  public boolean isDepthwise() {
    return groups == inChannels && groups == outChannels;
  }

  @Override
  public String toString() {
    return describe(batch, inChannels, inH, inW, outChannels, outH, outW, kernelH, kernelW,
        strideH, strideW, padTop, padLeft, padBottom, padRight, dilationH, dilationW, groups);
  }

  private static String describe(int batch, int inChannels, int inH, int inW,
      int outChannels, int outH, int outW, int kernelH, int kernelW, int strideH, int strideW,
      int padTop, int padLeft, int padBottom, int padRight, int dilationH, int dilationW, int groups) {
    return "n=" + batch + " c=" + inChannels + " " + inH + "x" + inW + " -> m=" + outChannels + " "
        + outH + "x" + outW + " k=" + kernelH + "x" + kernelW + " s=" + strideH + "x" + strideW
        + " p=" + padTop + "," + padLeft + "," + padBottom + "," + padRight + " d=" + dilationH + "x" + dilationW + " g=" + groups;
  }
}
