package dev.kiln.compiler.codegen.opencl;

import dev.kiln.compiler.lower.EpilogueSpec;
import dev.kiln.runtime.kernels.ConvShape;
import dev.kiln.runtime.kernels.conv.ConvKernel;
import dev.kiln.runtime.kernels.conv.DirectConv;
import java.util.ArrayList;
import java.util.List;

/**
 * {@code ConvRunner.run(kernel, shape, epilogue, in, inOff, packed, pOff, out, outOff, residual,
 * residualOff, workspace, workspaceOff)} on the device, by the algorithm the call names: the tiled
 * implicit GEMM or the depthwise kernel over ONNX-layout weights ({@link ClTiledConv}, or the CPU's
 * {@link DirectConv}, whose weights are the same), or Winograd F(2×2, 3×3) ({@link ClWinogradConv}).
 */
final class ClConv {
  private ClConv() {}

  static void translate(ClCall c, ClSource out) {
    if (c.count() != 13) {
      throw new IllegalStateException("OpenCL template bug: ConvRunner.run takes 13 arguments: " + c.call);
    }
    ConvKernel kernel = (ConvKernel) c.staticField(0);
    ConvShape s = c.shape(1);
    EpilogueSpec spec = c.epilogue(2);
    String in = c.buffer(3);
    int inOffset = c.i(4);
    if (!c.buffer(5).equals("weights")) {
      throw new IllegalStateException("lowering bug: convolution weights outside the weights array: " + c.call);
    }
    int weightOffset = c.i(6);
    c.requireArena(7);
    int outOffset = c.i(8);
    ClEpilogue epilogue = new ClEpilogue(spec, c.isNull(9) ? null : c.buffer(9), c.i(10));
    if (kernel == ClWinogradConv.INSTANCE) {
      c.requireArena(11);
      winograd(c, out, s, in, inOffset, weightOffset, outOffset, epilogue, c.i(12));
    } else if (kernel == ClTiledConv.INSTANCE || kernel == DirectConv.INSTANCE) {
      if (s.isDepthwise()) {
        depthwise(c, out, s, in, inOffset, weightOffset, outOffset, epilogue);
      } else {
        tiled(c, out, s, in, inOffset, weightOffset, outOffset, epilogue);
      }
    } else {
      throw new dev.kiln.compiler.KilnException("the OpenCL backend cannot run the CPU convolution"
          + " algorithm '" + kernel.name() + "', whose weights are packed for the CPU; compile for the"
          + " OpenCL target so the device algorithms are chosen");
    }
  }

  static String geometry(ConvShape s, String epilogue) {
    return "Conv " + s + ", epilogue " + epilogue;
  }

  /**
   * The implicit GEMM per (image, group): {@code out[m][p] = Σ_k W[m][k]·X̂[k][p]}, with {@code k =
   * (c, ky, kx)} and X̂ gathered from the input on the fly (zero in the padding).
   */
  private static void tiled(ClCall c, ClSource out, ConvShape s, String in, int inOffset,
      int weightOffset, int outOffset, ClEpilogue epilogue) {
    int mg = s.outChannelsPerGroup();
    int cg = s.inChannelsPerGroup();
    int kernelSize = s.kernelH * s.kernelW;
    int k = cg * kernelSize;
    int p = s.outH * s.outW;
    ClGemm.Tiling t = ClGemm.Tiling.forSize(mg, p);
    String prologue = ClText.fill("""
        const int n = batch / ${G};
        const int g = batch % ${G};
        __global const float* x = ${IN} + inOffset + (n * ${C} + g * ${CG}) * ${INPLANE};
        __global const float* w = weights + weightOffset + g * ${MG} * ${K};
        __global float* y = arena + outOffset + (n * ${M} + g * ${MG}) * ${P};""",
        "G", s.groups, "IN", in, "C", s.inChannels, "CG", cg, "INPLANE", s.inH * s.inW, "MG", mg,
        "K", k, "M", s.outChannels, "P", p);
    String loadA = "v = w[row * " + k + " + k];";
    String loadB;
    boolean pointwise = s.kernelH == 1 && s.kernelW == 1 && s.strideH == 1 && s.strideW == 1
        && s.padTop == 0 && s.padLeft == 0 && s.inH == s.outH && s.inW == s.outW;
    if (pointwise) {
      loadB = "v = x[k * " + p + " + col];";
    } else {
      loadB = ClText.fill("""
          const int ci = k / ${KS};
          const int ky = (k % ${KS}) / ${KW};
          const int kx = k % ${KW};
          const int iy = (col / ${OW}) * ${SH} - ${PT} + ky * ${DH};
          const int ix = (col % ${OW}) * ${SW} - ${PL} + kx * ${DW};
          if (iy >= 0 && iy < ${IH} && ix >= 0 && ix < ${IW}) {
            v = x[(ci * ${IH} + iy) * ${IW} + ix];
          }""",
          "KS", kernelSize, "KW", s.kernelW, "OW", s.outW, "SH", s.strideH, "PT", s.padTop,
          "DH", s.dilationH, "SW", s.strideW, "PL", s.padLeft, "DW", s.dilationW, "IH", s.inH, "IW", s.inW);
    }
    String store = ClText.fill("""
        const int ch = g * ${MG} + row;
        const int idx = (n * ${M} + ch) * ${P} + col;
        ${EPILOGUE}y[row * ${P} + col] = v;""",
        "MG", mg, "M", s.outChannels, "P", p, "EPILOGUE", epilogue.code);
    List<String> params = new ArrayList<>(List.of("inOffset", "weightOffset", "outOffset"));
    params.addAll(epilogue.params);
    String name = out.kernel(pointwise ? "conv1x1" : "conv_tiled",
        geometry(s, epilogue.description) + "\nimplicit GEMM per (image, group): M=" + mg + " N=" + p
            + " K=" + k + ", tile " + t.tm() + "x" + t.tn(),
        params, ClGemm.ATTRIBUTES, ClGemm.body(t, mg, p, k, prologue, loadA, loadB, store));
    out.launch(c.call, name, t.global(mg, p, s.batch * s.groups), ClGemm.Tiling.local(),
        concat(new int[] {inOffset, weightOffset, outOffset}, epilogue.argArray()));
  }

  /** One work-item per output: each channel convolves only itself, so there is no GEMM to tile. */
  private static void depthwise(ClCall c, ClSource out, ConvShape s, String in, int inOffset,
      int weightOffset, int outOffset, ClEpilogue epilogue) {
    int total = s.batch * s.outChannels * s.outH * s.outW;
    String body = ClText.fill("""
          const int i = get_global_id(0);
          if (i >= ${TOTAL}) {
            return;
          }
          const int ox = i % ${OW};
          const int oy = (i / ${OW}) % ${OH};
          const int plane = i / ${P};
          const int ch = plane % ${C};
          const int idx = i;
          __global const float* x = ${IN} + inOffset + plane * ${INPLANE};
          __global const float* w = weights + weightOffset + ch * ${KS};
          float v = 0.0f;
          for (int ky = 0; ky < ${KH}; ky++) {
            const int iy = oy * ${SH} - ${PT} + ky * ${DH};
            if (iy >= 0 && iy < ${IH}) {
              for (int kx = 0; kx < ${KW}; kx++) {
                const int ix = ox * ${SW} - ${PL} + kx * ${DW};
                if (ix >= 0 && ix < ${IW}) {
                  v += x[iy * ${IW} + ix] * w[ky * ${KW} + kx];
                }
              }
            }
          }
        ${EPILOGUE}
          arena[outOffset + i] = v;
        """,
        "TOTAL", total, "OW", s.outW, "OH", s.outH, "P", s.outH * s.outW, "C", s.outChannels,
        "IN", in, "INPLANE", s.inH * s.inW, "KS", s.kernelH * s.kernelW, "KH", s.kernelH,
        "SH", s.strideH, "PT", s.padTop, "DH", s.dilationH, "IH", s.inH, "KW", s.kernelW,
        "SW", s.strideW, "PL", s.padLeft, "DW", s.dilationW, "IW", s.inW,
        "EPILOGUE", ClText.indent(epilogue.code, 2));
    List<String> params = new ArrayList<>(List.of("inOffset", "weightOffset", "outOffset"));
    params.addAll(epilogue.params);
    String name = out.kernel("conv_depthwise", geometry(s, epilogue.description), params, "", body);
    out.launch1d(c.call, name, total, concat(new int[] {inOffset, weightOffset, outOffset}, epilogue.argArray()));
  }

  /** The three Winograd kernels; see {@link ClWinogradConv} for the math and the layouts. */
  private static void winograd(ClCall c, ClSource out, ConvShape s, String in, int inOffset,
      int weightOffset, int outOffset, ClEpilogue epilogue, int workspaceOffset) {
    int tiles = ClWinogradConv.tiles(s);
    int tilesW = ClWinogradConv.tilesW(s);
    int tilesH = ClWinogradConv.tilesH(s);
    int channels = s.inChannels;
    int maps = s.outChannels;
    int vOffset = workspaceOffset;
    int mOffset = workspaceOffset + 16 * channels * tiles;
    String geometry = geometry(s, epilogue.description) + "\nWinograd F(2x2,3x3): " + tiles + " tiles";

    String input = ClText.fill("""
          const int t = get_global_id(0);
          const int ci = get_global_id(1);
          if (t >= ${T}) {
            return;
          }
          const int n = t / ${TILES_PER_IMAGE};
          const int iy0 = (t / ${TW}) % ${TH} * 2 - ${PT};
          const int ix0 = t % ${TW} * 2 - ${PL};
          __global const float* x = ${IN} + inOffset + (n * ${C} + ci) * ${INPLANE};
          float d[4][4];
          for (int i = 0; i < 4; i++) {
            const int iy = iy0 + i;
            for (int j = 0; j < 4; j++) {
              const int ix = ix0 + j;
              d[i][j] = iy >= 0 && iy < ${IH} && ix >= 0 && ix < ${IW} ? x[iy * ${IW} + ix] : 0.0f;
            }
          }
          float r[4][4];
          for (int j = 0; j < 4; j++) {
            r[0][j] = d[0][j] - d[2][j];
            r[1][j] = d[1][j] + d[2][j];
            r[2][j] = d[2][j] - d[1][j];
            r[3][j] = d[1][j] - d[3][j];
          }
          __global float* v = arena + vOffset + ci * ${T} + t;
          for (int i = 0; i < 4; i++) {
            v[(i * 4 + 0) * ${VSTRIDE}] = r[i][0] - r[i][2];
            v[(i * 4 + 1) * ${VSTRIDE}] = r[i][1] + r[i][2];
            v[(i * 4 + 2) * ${VSTRIDE}] = r[i][2] - r[i][1];
            v[(i * 4 + 3) * ${VSTRIDE}] = r[i][1] - r[i][3];
          }
        """,
        "T", tiles, "TILES_PER_IMAGE", tilesH * tilesW, "TW", tilesW, "TH", tilesH, "PT", s.padTop,
        "PL", s.padLeft, "IN", in, "C", channels, "INPLANE", s.inH * s.inW, "IH", s.inH, "IW", s.inW,
        "VSTRIDE", channels * tiles);
    String inputKernel = out.kernel("winograd_input", geometry + "\nV[xi][c][t] = (B^T d B)[xi]",
        List.of("inOffset", "vOffset"), "", input);
    long tileGroups = (long) ClGemm.ceil(tiles, ClSource.LOCAL_1D) * ClSource.LOCAL_1D;
    out.launch(c.call, inputKernel, new long[] {tileGroups, channels}, new long[] {ClSource.LOCAL_1D, 1},
        inOffset, vOffset);

    ClGemm.Tiling t = ClGemm.Tiling.forSize(maps, tiles);
    String prologue = ClText.fill("""
        __global const float* u = weights + uOffset + batch * ${MC};
        __global const float* vv = arena + vOffset + batch * ${CT};
        __global float* mm = arena + mOffset + batch * ${MT};""",
        "MC", maps * channels, "CT", channels * tiles, "MT", maps * tiles);
    String gemm = ClGemm.body(t, maps, tiles, channels, prologue,
        "v = u[row * " + channels + " + k];", "v = vv[k * " + tiles + " + col];",
        "mm[row * " + tiles + " + col] = v;");
    String gemmKernel = out.kernel("winograd_gemm", geometry + "\nM[xi] = U[xi] V[xi] for 16 xi: M="
        + maps + " N=" + tiles + " K=" + channels + ", tile " + t.tm() + "x" + t.tn(),
        List.of("uOffset", "vOffset", "mOffset"), ClGemm.ATTRIBUTES, gemm);
    out.launch(c.call, gemmKernel, t.global(maps, tiles, 16), ClGemm.Tiling.local(),
        weightOffset, vOffset, mOffset);

    String output = ClText.fill("""
          const int t = get_global_id(0);
          const int ch = get_global_id(1);
          if (t >= ${T}) {
            return;
          }
          const int n = t / ${TILES_PER_IMAGE};
          const int oy0 = (t / ${TW}) % ${TH} * 2;
          const int ox0 = t % ${TW} * 2;
          __global const float* m = arena + mOffset + ch * ${T} + t;
          float r[2][4];
          for (int j = 0; j < 4; j++) {
            const float m0 = m[(0 + j) * ${MSTRIDE}];
            const float m1 = m[(4 + j) * ${MSTRIDE}];
            const float m2 = m[(8 + j) * ${MSTRIDE}];
            const float m3 = m[(12 + j) * ${MSTRIDE}];
            r[0][j] = m0 + m1 + m2;
            r[1][j] = m1 - m2 - m3;
          }
          for (int dy = 0; dy < 2; dy++) {
            const int oy = oy0 + dy;
            for (int dx = 0; dx < 2; dx++) {
              const int ox = ox0 + dx;
              if (oy < ${OH} && ox < ${OW}) {
                float v = dx == 0 ? r[dy][0] + r[dy][1] + r[dy][2] : r[dy][1] - r[dy][2] - r[dy][3];
                const int idx = (n * ${M} + ch) * ${P} + oy * ${OW} + ox;
        ${EPILOGUE}
                arena[outOffset + idx] = v;
              }
            }
          }
        """,
        "T", tiles, "TILES_PER_IMAGE", tilesH * tilesW, "TW", tilesW, "TH", tilesH,
        "MSTRIDE", maps * tiles, "OH", s.outH, "OW", s.outW, "M", maps, "P", s.outH * s.outW,
        "EPILOGUE", ClText.indent(epilogue.code, 8));
    List<String> params = new ArrayList<>(List.of("mOffset", "outOffset"));
    params.addAll(epilogue.params);
    String outputKernel = out.kernel("winograd_output", geometry + "\ny = (A^T M A) + epilogue",
        params, "", output);
    out.launch(c.call, outputKernel, new long[] {tileGroups, maps}, new long[] {ClSource.LOCAL_1D, 1},
        concat(new int[] {mOffset, outOffset}, epilogue.argArray()));
  }

  static int[] concat(int[] a, int[] b) {
    int[] out = java.util.Arrays.copyOf(a, a.length + b.length);
    System.arraycopy(b, 0, out, a.length, b.length);
    return out;
  }
}
