package dev.kiln.compiler.ops;

import dev.kiln.compiler.ir.OpException;
import dev.kiln.runtime.kernels.ConvShape;
import java.util.Arrays;
import java.util.List;

/**
 * The sliding-window geometry shared by Conv, ConvTranspose and the pools: the attributes as given
 * (empty lists mean the spec's defaults) and their resolution against an input's spatial size.
 *
 * <p>Output size per axis, with d the dilation and k' = d·(k−1)+1 the dilated kernel:
 * <ul>
 *   <li>explicit pads: ⌊(in + pb + pe − k') / s⌋ + 1, or with ceil_mode ⌈·⌉ + 1, dropping a last window
 *       that would start beyond the input and its leading pad (as ONNX Runtime and PyTorch do);
 *   <li>SAME_UPPER/SAME_LOWER: ⌈in / s⌉, with total pad max(0, (out−1)·s + k' − in) split evenly and
 *       the odd one at the end (UPPER) or the beginning (LOWER);
 *   <li>VALID: no padding.
 * </ul>
 */
public record Window(List<Integer> kernelShape, List<Integer> strides, List<Integer> pads,
    List<Integer> dilations, AutoPad autoPad, boolean ceilMode) {

  public Window {
    kernelShape = List.copyOf(kernelShape);
    strides = List.copyOf(strides);
    pads = List.copyOf(pads);
    dilations = List.copyOf(dilations);
  }

  /** The resolved geometry of one application: per spatial axis. */
  public record Resolved(int[] kernel, int[] strides, int[] dilations, int[] padsBegin,
      int[] padsEnd, int[] inDims, int[] outDims) {

    public int rank() {
      return kernel.length;
    }

    /**
     * As a runtime-min {@link ConvShape}; a 1-D window becomes a 2-D one of height 1.
     */
    public ConvShape toConvShape(int batch, int inChannels, int outChannels, int groups) {
      if (rank() == 1) {
        return new ConvShape(batch, inChannels, 1, inDims[0], outChannels, 1, outDims[0],
            1, kernel[0], 1, strides[0], 0, padsBegin[0], 0, padsEnd[0], 1, dilations[0], groups);
      }
      return new ConvShape(batch, inChannels, inDims[0], inDims[1], outChannels, outDims[0],
          outDims[1], kernel[0], kernel[1], strides[0], strides[1], padsBegin[0], padsBegin[1],
          padsEnd[0], padsEnd[1], dilations[0], dilations[1], groups);
    }

    @Override
    public String toString() {
      return "kernel=" + Arrays.toString(kernel) + " strides=" + Arrays.toString(strides)
          + " pads=" + Arrays.toString(padsBegin) + Arrays.toString(padsEnd);
    }
  }

  /** Reads the window attributes; {@code ceil_mode} only where {@code withCeilMode}. */
  public static Window fromAttributes(dev.kiln.compiler.ir.Attributes a, boolean withCeilMode) {
    return new Window(
        list(a.getInts("kernel_shape")),
        list(a.getInts("strides")),
        list(a.getInts("pads")),
        list(a.getInts("dilations")),
        AutoPad.parse(a.getString("auto_pad", "NOTSET")),
        withCeilMode && a.getInt("ceil_mode", 0) != 0);
  }

  /** Writes the attributes that differ from the defaults. */
  public void writeTo(dev.kiln.compiler.ir.Attributes.Builder b, boolean withCeilMode) {
    if (!kernelShape.isEmpty()) {
      b.putInts("kernel_shape", ints(kernelShape));
    }
    if (!strides.isEmpty()) {
      b.putInts("strides", ints(strides));
    }
    if (!pads.isEmpty()) {
      b.putInts("pads", ints(pads));
    }
    if (!dilations.isEmpty()) {
      b.putInts("dilations", ints(dilations));
    }
    if (autoPad != AutoPad.NOTSET) {
      b.putString("auto_pad", autoPad.name());
    }
    if (withCeilMode && ceilMode) {
      b.putInt("ceil_mode", 1);
    }
  }

  /** A copy with explicit pads (and auto_pad cleared). */
  public Window withPads(int[] newPads) {
    return new Window(kernelShape, strides, list(newPads), dilations, AutoPad.NOTSET, ceilMode);
  }

  static List<Integer> list(int[] values) {
    if (values == null) {
      return List.of();
    }
    Integer[] boxed = new Integer[values.length];
    for (int i = 0; i < values.length; i++) {
      boxed[i] = values[i];
    }
    return List.of(boxed);
  }

  static int[] ints(List<Integer> values) {
    int[] out = new int[values.size()];
    for (int i = 0; i < out.length; i++) {
      out[i] = values.get(i);
    }
    return out;
  }

  /**
   * Resolves the window for an input with the given spatial dimensions.
   *
   * @param kernelFromWeights the kernel size the weights imply, or {@code null} for pools
   */
  public Resolved resolve(int[] inDims, int[] kernelFromWeights) {
    int rank = inDims.length;
    int[] kernel;
    if (kernelShape.isEmpty()) {
      if (kernelFromWeights == null) {
        throw new OpException("attribute 'kernel_shape' is required");
      }
      kernel = kernelFromWeights;
    } else {
      kernel = ints(kernelShape);
      if (kernelFromWeights != null && !Arrays.equals(kernel, kernelFromWeights)) {
        throw new OpException("kernel_shape " + Arrays.toString(kernel)
            + " does not match the weights' spatial shape " + Arrays.toString(kernelFromWeights));
      }
    }
    int[] s = orDefault(strides, rank, 1, "strides");
    int[] d = orDefault(dilations, rank, 1, "dilations");
    if (kernel.length != rank) {
      throw new OpException("kernel_shape has " + kernel.length + " dimensions but the input has "
          + rank + " spatial dimensions");
    }
    int[] padsBegin = new int[rank];
    int[] padsEnd = new int[rank];
    int[] out = new int[rank];
    if (!pads.isEmpty() && pads.size() != 2 * rank) {
      throw new OpException("pads has " + pads.size() + " values, expected " + 2 * rank);
    }
    for (int i = 0; i < rank; i++) {
      if (kernel[i] < 1 || s[i] < 1 || d[i] < 1) {
        throw new OpException("kernel, strides and dilations must be positive, got kernel="
            + Arrays.toString(kernel) + " strides=" + Arrays.toString(s) + " dilations="
            + Arrays.toString(d));
      }
      // In long arithmetic: attribute values up to 2^31 - 1 must not wrap into a small window,
      // and the kernels index with ints, so the padded extent has to fit one.
      long dilatedKernel = (long) d[i] * (kernel[i] - 1) + 1;
      long padded;
      switch (autoPad) {
        case NOTSET -> {
          padsBegin[i] = pads.isEmpty() ? 0 : pads.get(i);
          padsEnd[i] = pads.isEmpty() ? 0 : pads.get(i + rank);
          if (padsBegin[i] < 0 || padsEnd[i] < 0) {
            throw new OpException("negative pads " + pads + " are not supported");
          }
          padded = (long) inDims[i] + padsBegin[i] + padsEnd[i];
          long span = padded - dilatedKernel;
          if (span < 0) {
            throw new OpException("kernel " + Arrays.toString(kernel) + " is larger than the padded input "
                + Arrays.toString(inDims));
          }
          if (ceilMode) {
            long windows = (span + s[i] - 1) / s[i] + 1;
            if ((windows - 1) * s[i] >= inDims[i] + padsBegin[i]) {
              windows--;
            }
            out[i] = (int) windows;
          } else {
            out[i] = (int) (span / s[i] + 1);
          }
        }
        case VALID -> {
          padded = inDims[i];
          long span = inDims[i] - dilatedKernel;
          if (span < 0) {
            throw new OpException("kernel " + Arrays.toString(kernel) + " is larger than the input "
                + Arrays.toString(inDims));
          }
          out[i] = (int) (ceilMode ? (span + s[i] - 1) / s[i] + 1 : span / s[i] + 1);
        }
        default -> { // SAME_UPPER, SAME_LOWER
          out[i] = (int) (((long) inDims[i] + s[i] - 1) / s[i]);
          long total = Math.max(0, (long) (out[i] - 1) * s[i] + dilatedKernel - inDims[i]);
          padded = inDims[i] + total;
          if (padded <= Integer.MAX_VALUE) {
            int small = (int) (total / 2);
            int large = (int) (total - small);
            padsBegin[i] = autoPad == AutoPad.SAME_UPPER ? small : large;
            padsEnd[i] = autoPad == AutoPad.SAME_UPPER ? large : small;
          }
        }
      }
      if (padded > Integer.MAX_VALUE || dilatedKernel > Integer.MAX_VALUE) {
        throw new OpException("window too large: kernel " + Arrays.toString(kernel) + ", dilations "
            + Arrays.toString(d) + " and pads over input " + Arrays.toString(inDims)
            + " span more than " + Integer.MAX_VALUE + " positions");
      }
    }
    return new Resolved(kernel, s, d, padsBegin, padsEnd, inDims.clone(), out);
  }

  private static int[] orDefault(List<Integer> values, int rank, int fill, String name) {
    if (values.isEmpty()) {
      int[] out = new int[rank];
      Arrays.fill(out, fill);
      return out;
    }
    if (values.size() != rank) {
      throw new OpException(name + " has " + values.size() + " values, expected " + rank);
    }
    return ints(values);
  }
}
