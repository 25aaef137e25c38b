package dev.kiln.runtime.kernels.conv;

import dev.kiln.runtime.kernels.ConvShape;
import dev.kiln.runtime.kernels.Epilogue;
import java.util.Arrays;

/**
 * Depthwise convolution (one filter per channel, {@code groups == C == M}), 3×3 or 5×5, stride 1 or
 * 2, any padding: {@code out[n,c,y,x] = Σ_{i,j} w[c,i,j] · in[n, c, s·y − pt + i, s·x − pl + j]}.
 *
 * <p>It does 2·k² flops per output and reads each input about once, so it is bound by memory, not
 * arithmetic; the goal is to stream each plane once at the bandwidth roof. NCHW, a plane at a time,
 * in bands of output rows: the band's input rows are copied into a zero-padded scratch band (an L1
 * copy of data the convolution reads anyway), so every window lies inside it and there is no border
 * code at all: padding is read as zeros, as the ONNX definition has it. Outputs at least {@link
 * #ROW_WISE_WIDTH} wide are then computed row by row ({@link DepthwiseOps#row}, vectorized along
 * x) straight into the output; narrower ones in one call over the whole band, its output rows as far
 * apart as the padded rows (so that a stride-s step in the band is a step of one output), then
 * copied out; that keeps planes like 7×7 from paying a call per row. Narrow 3×3 stride-1 planes
 * whose output rows are as wide as the input's skip the band when the JVM has 16-lane vectors
 * ({@link DepthwiseOps#plane}): output and input then differ by a constant offset per tap, so the
 * plane is one flat run of vectors straight from the input, border taps masked by a table made with
 * the weights. Mid-sized 3×3 stride-2 planes do the same after splitting the input plane into its
 * four even/odd phases ({@link DepthwiseOps#phasePlane}, {@link PhaseTaps}), which turns every tap
 * into a flat run too. Every output sums its k² taps in row-major order with fused multiply-adds
 * from 0 (a padded tap as 0 · w), so the scalar and vector paths, and the band and plane paths,
 * agree bit for bit. Bias with ReLU or CLIP (ReLU6), MobileNet's epilogue, is applied in registers
 * before the store; other epilogues run over each band (or plane) while it is in L1.
 *
 * <p>Weights keep the ONNX layout {@code [C, 1, k, k]}, followed by the plane path's mask table
 * where the shape allows that path. A task is one (image, channel) plane.
 */
public final class DepthwiseConv implements ConvKernel {
  /** Outputs at least this wide are computed row by row, straight into the output. */
  private static final int ROW_WISE_WIDTH = 32;
  /** Floats of padded input per band: 32 KiB, so the band is read from L1. */
  private static final int BAND_FLOATS = 8192;
  /** Fusion flags meaning "store the raw sums, run the epilogue afterwards". */
  private static final int UNFUSED = 0;
  /** Largest plane {@link #planeWise} takes: 32×32 outputs, a 576-float mask table. */
  private static final int PLANE_PIXELS = 1024;
  /**
   * Planes {@link #phaseWise} takes: 512 to 1024 outputs. Below, the split's fixed cost per plane
   * outweighs the shuffles it saves (MobileNet-V2's 14×14 and 7×7 outputs ran 1.07-1.14× slower
   * than the band path); above, a plane streams from memory either way (its 112→56 layer: 0.85×
   * alone, 1.03× inside the model), and the band path keeps its input in L1.
   */
  private static final int PHASE_MIN_PIXELS = 512;
  private static final int PHASE_MAX_PIXELS = 1024;
  /** Lanes a vector may reach past the last output (any vector up to 512 bits). */
  private static final int VECTOR_SLACK = 16;

  /** The kernel, on the Vector API when the JVM has it. */
  public static final DepthwiseConv INSTANCE =
      new DepthwiseConv(DepthwiseOps.get(), EpilogueOps.get());

  private final DepthwiseOps ops;
  private final EpilogueOps epilogueOps;

  DepthwiseConv(DepthwiseOps ops, EpilogueOps epilogueOps) {
    this.ops = ops;
    this.epilogueOps = epilogueOps;
  }

  @Override
  public String name() {
    return "depthwise";
  }

  @Override
  public boolean supports(ConvShape s) {
    return s.isDepthwise() && s.kernelH == s.kernelW && (s.kernelH == 3 || s.kernelH == 5)
        && s.strideH == s.strideW && (s.strideH == 1 || s.strideH == 2)
        && s.dilationH == 1 && s.dilationW == 1
        && s.outH == ConvShape.outputSize(s.inH, s.kernelH, s.strideH, s.padTop, s.padBottom, 1)
        && s.outW == ConvShape.outputSize(s.inW, s.kernelW, s.strideW, s.padLeft, s.padRight, 1);
  }

  @Override
  public int packedWeightFloats(ConvShape s) {
    int masks = planeWise(s) ? FlatTaps.maskFloats(s) : phaseWise(s) ? PhaseTaps.maskFloats(s) : 0;
    return s.outChannels * s.kernelH * s.kernelW + masks;
  }

  /**
   * The ONNX weights, then the load masks: {@link FlatTaps#masks} for {@link #planeWise} shapes,
   * {@link PhaseTaps#masks} for {@link #phaseWise} ones.
   */
  @Override
  public void packWeights(ConvShape s, float[] w, int wOff, float[] packed, int pOff) {
    int weights = s.outChannels * s.kernelH * s.kernelW;
    System.arraycopy(w, wOff, packed, pOff, weights);
    if (planeWise(s)) {
      FlatTaps.masks(s, packed, pOff + weights);
    } else if (phaseWise(s)) {
      PhaseTaps.masks(s, packed, pOff + weights);
    }
  }

  /**
   * Planes computed whole by {@link DepthwiseOps#plane} when the ops take them: 3×3, stride 1, output
   * rows as wide as the input's and narrower than {@link #ROW_WISE_WIDTH}, at most {@link
   * #PLANE_PIXELS} outputs (its mask table grows with the plane). 5×5 planes gained nothing
   * (measured on 14×14), and stride 2 does not map outputs to inputs by a constant offset.
   */
  static boolean planeWise(ConvShape s) {
    return s.kernelH == 3 && FlatTaps.applies(s) && s.outW < ROW_WISE_WIDTH
        && s.outH * s.outW <= PLANE_PIXELS;
  }

  /**
   * Planes computed whole by {@link DepthwiseOps#phasePlane} when the ops take them: 3×3, stride 2,
   * the {@link PhaseTaps} geometry, {@link #PHASE_MIN_PIXELS} to {@link #PHASE_MAX_PIXELS} outputs.
   */
  static boolean phaseWise(ConvShape s) {
    int pixels = s.outH * s.outW;
    return s.kernelH == 3 && PhaseTaps.applies(s) && pixels >= PHASE_MIN_PIXELS
        && pixels <= PHASE_MAX_PIXELS;
  }

  /** The band path's scratch even where planes are whole: whether they are depends on the JVM. */
  @Override
  public int workspaceFloats(ConvShape s, int threads) {
    return threads * workerFloats(s);
  }

  @Override
  public int tasks(ConvShape s) {
    return s.batch * s.outChannels;
  }

  @Override
  public void run(ConvShape s, Epilogue epilogue, float[] in, int inOff, float[] packed, int pOff,
      float[] out, int outOff, float[] residual, int residualOff, float[] workspace, int workspaceOff,
      int taskFrom, int taskTo, int worker) {
    int k = s.kernelH;
    int stride = s.strideH;
    int paddedW = paddedWidth(s);
    int band = bandRows(s);
    int padded = workspaceOff + worker * workerFloats(s);
    int flat = padded + paddedFloats(s);
    boolean rowWise = s.outW >= ROW_WISE_WIDTH;
    int fuse = fusable(epilogue);
    float lo = 0f;
    float hi = 0f;
    if ((fuse & DepthwiseOps.CLIP) != 0) {
      Epilogue.ActivationStep clip = (Epilogue.ActivationStep) epilogue.step(0);
      lo = clip.alpha;
      hi = clip.beta;
    }
    boolean phases = phaseWise(s);
    if ((planeWise(s) || phases) && ops.wholePlanes()) {
      int masks = pOff + s.outChannels * k * k;
      int pixels = s.outH * s.outW;
      for (int task = taskFrom; task < taskTo; task++) {
        int c = task % s.outChannels;
        int inPlane = inOff + task * s.inH * s.inW;
        int outPlane = outOff + task * pixels;
        if (phases) {
          ops.phasePlane(s, in, inPlane, packed, pOff + c * k * k, packed, masks, workspace,
              flat + flatFloats(s), fuse, epilogue.bias(c), lo, hi, out, outPlane);
        } else {
          ops.plane(s, in, inPlane, packed, pOff + c * k * k, packed, masks, fuse,
              epilogue.bias(c), lo, hi, out, outPlane);
        }
        if (fuse == UNFUSED) {
          epilogueOps.apply(epilogue, c, out, outPlane, pixels, residual,
              residualOff + outPlane - outOff);
        }
      }
      return;
    }
    for (int task = taskFrom; task < taskTo; task++) {
      int c = task % s.outChannels;
      int inPlane = inOff + task * s.inH * s.inW;
      int outPlane = outOff + task * s.outH * s.outW;
      int w = pOff + c * k * k;
      float bias = epilogue.bias(c);
      for (int y0 = 0; y0 < s.outH; y0 += band) {
        int y1 = Math.min(s.outH, y0 + band);
        int firstRow = y0 * stride - s.padTop;
        pad(s, in, inPlane, firstRow, (y1 - y0 - 1) * stride + k, workspace, padded, paddedW);
        if (rowWise) {
          for (int y = y0; y < y1; y++) {
            ops.row(k, stride, workspace, padded + (y - y0) * stride * paddedW, paddedW, packed, w,
                fuse, bias, lo, hi, out, outPlane + y * s.outW, s.outW);
          }
        } else {
          // One call for the band, output rows paddedW apart (columns past outW are junk).
          ops.row(k, stride, workspace, padded, paddedW, packed, w, fuse, bias, lo, hi,
              workspace, flat, (y1 - y0 - 1) * paddedW + s.outW);
          for (int y = y0; y < y1; y++) {
            System.arraycopy(workspace, flat + (y - y0) * paddedW, out, outPlane + y * s.outW,
                s.outW);
          }
        }
        if (fuse == UNFUSED) {
          int first = outPlane + y0 * s.outW;
          epilogueOps.apply(epilogue, c, out, first, (y1 - y0) * s.outW, residual,
              residualOff + first - outOff);
        }
      }
    }
  }

  /**
   * The {@link DepthwiseOps} flags for an epilogue of an optional bias and at most one ReLU or CLIP,
   * which the row loop applies in registers; {@link #UNFUSED} for anything else (and for no epilogue
   * at all), which runs as a pass over each band afterwards.
   */
  private static int fusable(Epilogue e) {
    int fuse = e.hasBias() ? DepthwiseOps.BIAS : 0;
    if (e.stepCount() > 1) {
      return UNFUSED;
    }
    if (e.stepCount() == 1) {
      if (!(e.step(0) instanceof Epilogue.ActivationStep)) {
        return UNFUSED;
      }
      Epilogue.Activation a = ((Epilogue.ActivationStep) e.step(0)).activation;
      if (a == Epilogue.Activation.RELU) {
        fuse |= DepthwiseOps.RELU;
      } else if (a == Epilogue.Activation.CLIP) {
        fuse |= DepthwiseOps.CLIP;
      } else {
        return UNFUSED;
      }
    }
    return fuse;
  }

  /**
   * Copies input rows {@code [firstRow, firstRow + rows)} of a plane into the padded band, {@code
   * padLeft} zeros to the left of each and zeros to {@code paddedW}; rows outside the input are zero.
   */
  private static void pad(ConvShape s, float[] in, int inPlane, int firstRow, int rows,
      float[] ws, int padded, int paddedW) {
    for (int r = 0; r < rows; r++) {
      int y = firstRow + r;
      int dst = padded + r * paddedW;
      if (y < 0 || y >= s.inH) {
        Arrays.fill(ws, dst, dst + paddedW, 0f);
      } else {
        for (int x = 0; x < s.padLeft; x++) {
          ws[dst + x] = 0f;
        }
        System.arraycopy(in, inPlane + y * s.inW, ws, dst + s.padLeft, s.inW);
        for (int x = s.padLeft + s.inW; x < paddedW; x++) {
          ws[dst + x] = 0f;
        }
      }
    }
  }

  /** Columns of the padded band: the left padding, the input, and whatever the last window reaches. */
  private static int paddedWidth(ConvShape s) {
    return Math.max(s.padLeft + s.inW, (s.outW - 1) * s.strideW + s.kernelW);
  }

  /** Output rows per band: its padded input rows within {@link #BAND_FLOATS}, at least one. */
  private static int bandRows(ConvShape s) {
    int inputRows = Math.max(s.kernelH, BAND_FLOATS / paddedWidth(s));
    return Math.max(1, Math.min(s.outH, (inputRows - s.kernelH) / s.strideH + 1));
  }

  /** The padded band, plus what a vector may read past its last window. */
  private static int paddedFloats(ConvShape s) {
    int rows = (bandRows(s) - 1) * s.strideH + s.kernelH;
    return (rows + 1) * paddedWidth(s) + 2 * (s.strideW * VECTOR_SLACK + s.kernelW);
  }

  /**
   * Per worker: the padded band, for narrow outputs the band's output rows at its width, and for
   * {@link #phaseWise} shapes the phase planes.
   */
  private static int workerFloats(ConvShape s) {
    return paddedFloats(s) + flatFloats(s) + (phaseWise(s) ? PhaseTaps.scratchFloats(s) : 0);
  }

  /** The band's output rows at its width, for outputs narrower than {@link #ROW_WISE_WIDTH}. */
  private static int flatFloats(ConvShape s) {
    return s.outW >= ROW_WISE_WIDTH ? 0 : bandRows(s) * paddedWidth(s);
  }
}
