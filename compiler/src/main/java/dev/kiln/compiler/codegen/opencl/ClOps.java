package dev.kiln.compiler.codegen.opencl;

import dev.kiln.runtime.kernels.ConvShape;
import dev.kiln.runtime.kernels.reference.ReferenceBinary;
import java.util.List;
import java.util.Locale;

/**
 * The device kernels of the non-convolution calls, each a transcription of its runtime-min
 * reference kernel (named in the comment above each translator) with the call's constants in place:
 * one work-item per output element, or per row for the reductions.
 */
final class ClOps {
  private ClOps() {}

  // --- ReferenceUnary.*(params..., in, inOff, out, outOff, count) ---

  static void unary(ClCall c, ClSource out) {
    String method = c.call.method();
    int first = c.count() - 5;
    String expression = switch (method) {
      case "relu" -> "kiln_relu(x)";
      case "leakyRelu" -> "kiln_leaky_relu(x, " + ClText.f(c.f(0)) + ")";
      case "clip" -> "kiln_clip(x, " + ClText.f(c.f(0)) + ", " + ClText.f(c.f(1)) + ")";
      case "sigmoid" -> "kiln_sigmoid(x)";
      case "hardSigmoid" -> "kiln_hard_sigmoid(x, " + ClText.f(c.f(0)) + ", " + ClText.f(c.f(1)) + ")";
      case "hardSwish" -> "kiln_hard_swish(x)";
      case "tanh" -> "tanh(x)";
      case "exp" -> "exp(x)";
      case "sqrt" -> "sqrt(x)";
      case "reciprocal" -> "1.0f / x";
      case "erf" -> "erf(x)";
      default -> null;
    };
    if (expression == null) {
      throw unsupported(c);
    }
    c.requireArena(first + 2);
    int count = c.i(first + 4);
    if (count == 0) {
      return;
    }
    // The count is an argument, not a constant: it only guards the tail, and one kernel then
    // serves every size (fewer kernels for the driver to build).
    String body = ClText.fill("""
          const int i = get_global_id(0);
          if (i < count) {
            const float x = ${IN}[inOffset + i];
            arena[outOffset + i] = ${EXPR};
          }
        """, "IN", c.buffer(first), "EXPR", expression);
    String name = out.kernel(method.toLowerCase(Locale.ROOT), method + " over count elements",
        List.of("inOffset", "outOffset", "count"), "", body);
    out.launch1d(c.call, name, count, c.i(first + 1), c.i(first + 3), count);
  }

  // --- ReferenceBinary.apply(op, outDims, a, aOff, aStrides, b, bOff, bStrides, out, outOff) ---

  static void binary(ClCall c, ClSource out) {
    ReferenceBinary.Op op = (ReferenceBinary.Op) c.e(0);
    int[] dims = c.ints(1);
    int[] aStrides = c.ints(4);
    int[] bStrides = c.ints(7);
    c.requireArena(8);
    long total = 1;
    for (int d : dims) {
      total *= d;
    }
    if (total == 0) {
      return;
    }
    String expression = switch (op) {
      case ADD -> "a + b";
      case SUB -> "a - b";
      case MUL -> "a * b";
      case DIV -> "a / b";
      case POW -> "pow(a, b)";
      case MAX -> "kiln_max(a, b)";
      case MIN -> "kiln_min(a, b)";
      case PRELU -> "a < 0.0f ? a * b : a";
    };
    int[] contiguous = contiguous(dims);
    if (java.util.Arrays.equals(aStrides, contiguous) && java.util.Arrays.equals(bStrides, contiguous)) {
      // No broadcasting: like a unary kernel, one kernel for every size.
      String body = ClText.fill("""
            const int i = get_global_id(0);
            if (i < count) {
              const float a = ${A}[aOffset + i];
              const float b = ${B}[bOffset + i];
              arena[outOffset + i] = ${EXPR};
            }
          """, "A", c.buffer(2), "B", c.buffer(5), "EXPR", expression);
      String name = out.kernel(op.name().toLowerCase(Locale.ROOT), op + " over count elements, same shapes",
          List.of("aOffset", "bOffset", "outOffset", "count"), "", body);
      out.launch1d(c.call, name, total, c.i(3), c.i(6), c.i(9), Math.toIntExact(total));
      return;
    }
    String body = ClText.fill("""
          const int i = get_global_id(0);
          if (i >= ${TOTAL}) {
            return;
          }
        ${INDEX}
          const float a = ${A}[aOffset + ia];
          const float b = ${B}[bOffset + ib];
          arena[outOffset + i] = ${EXPR};
        """, "TOTAL", total, "INDEX", ClText.indent(broadcastIndex(dims, aStrides, bStrides), 2),
        "A", c.buffer(2), "B", c.buffer(5), "EXPR", expression);
    String name = out.kernel(op.name().toLowerCase(Locale.ROOT),
        op + " over " + java.util.Arrays.toString(dims) + ", strides a " + java.util.Arrays.toString(aStrides)
            + " b " + java.util.Arrays.toString(bStrides),
        List.of("aOffset", "bOffset", "outOffset"), "", body);
    out.launch1d(c.call, name, total, c.i(3), c.i(6), c.i(9));
  }

  /**
   * {@code ia} and {@code ib} from the row-major output index {@code i}: an operand with the
   * output's own contiguous strides reads at {@code i}; any other decomposes {@code i} axis by axis
   * (axes of extent 1 and broadcast axes, with stride 0, drop out).
   */
  static String broadcastIndex(int[] dims, int[] aStrides, int[] bStrides) {
    boolean aDirect = java.util.Arrays.equals(aStrides, contiguous(dims));
    boolean bDirect = java.util.Arrays.equals(bStrides, contiguous(dims));
    StringBuilder sb = new StringBuilder();
    sb.append("int ia = ").append(aDirect ? "i" : "0").append(";\n");
    sb.append("int ib = ").append(bDirect ? "i" : "0").append(";\n");
    if (aDirect && bDirect) {
      return sb.toString();
    }
    sb.append("int rest = i;\n");
    for (int axis = dims.length - 1; axis >= 0; axis--) {
      if (dims[axis] == 1) {
        continue;
      }
      boolean useA = !aDirect && aStrides[axis] != 0;
      boolean useB = !bDirect && bStrides[axis] != 0;
      if (useA || useB) {
        sb.append("{\n  const int q = rest % ").append(dims[axis]).append(";\n");
        if (useA) {
          sb.append("  ia += q * ").append(aStrides[axis]).append(";\n");
        }
        if (useB) {
          sb.append("  ib += q * ").append(bStrides[axis]).append(";\n");
        }
        sb.append("}\n");
      }
      sb.append("rest /= ").append(dims[axis]).append(";\n");
    }
    return sb.toString();
  }

  static int[] contiguous(int[] dims) {
    int[] strides = new int[dims.length];
    int s = 1;
    for (int i = dims.length - 1; i >= 0; i--) {
      strides[i] = s;
      s *= dims[i];
    }
    return strides;
  }

  // --- ReferencePool ---

  /** maxPool2d(shape, in, inOff, out, outOff) and averagePool2d(shape, countIncludePad, in, ...). */
  static void pool(ClCall c, ClSource out) {
    boolean max = c.call.method().equals("maxPool2d");
    ConvShape s = c.shape(0);
    int first = max ? 1 : 2;
    c.requireArena(first + 2);
    int total = s.batch * s.inChannels * s.outH * s.outW;
    if (total == 0) {
      return;
    }
    String reduce;
    if (max) {
      reduce = """
          float acc = -INFINITY;
          for (int ky = 0; ky < ${KH}; ky++) {
            const int iy = oy * ${SH} - ${PT} + ky * ${DH};
            if (iy >= 0 && iy < ${IH}) {
              for (int kx = 0; kx < ${KW}; kx++) {
                const int ix = ox * ${SW} - ${PL} + kx * ${DW};
                if (ix >= 0 && ix < ${IW}) {
                  const float v = x[iy * ${IW} + ix];
                  if (v > acc || isnan(v)) {
                    acc = v;
                  }
                }
              }
            }
          }
          const float result = acc;
          """;
    } else {
      // The divisor counts positions inside the input, or (countIncludePad) inside the explicitly
      // padded input, never a ceil-mode overhang: ReferencePool.averagePool2d's rule.
      reduce = ClText.fill("""
          float acc = 0.0f;
          int inside = 0;
          int padded = 0;
          for (int ky = 0; ky < ${KH}; ky++) {
            const int iy = oy * ${SH} - ${PT} + ky * ${DH};
            const int rowPadded = iy >= -${PT} && iy < ${IH} + ${PB};
            for (int kx = 0; kx < ${KW}; kx++) {
              const int ix = ox * ${SW} - ${PL} + kx * ${DW};
              if (rowPadded && ix >= -${PL} && ix < ${IW} + ${PR}) {
                padded++;
              }
              if (iy >= 0 && iy < ${IH} && ix >= 0 && ix < ${IW}) {
                acc += x[iy * ${IW} + ix];
                inside++;
              }
            }
          }
          const int divisor = ${DIVISOR};
          const float result = divisor == 0 ? 0.0f : acc / divisor;
          """, "PB", s.padBottom, "PR", s.padRight, "DIVISOR", c.b(1) ? "padded" : "inside");
    }
    String body = ClText.fill("""
          const int i = get_global_id(0);
          if (i >= ${TOTAL}) {
            return;
          }
          const int ox = i % ${OW};
          const int oy = (i / ${OW}) % ${OH};
          __global const float* x = ${IN} + inOffset + (i / ${P}) * ${INPLANE};
        ${REDUCE}
          arena[outOffset + i] = result;
        """, "TOTAL", total, "OW", s.outW, "OH", s.outH, "P", s.outH * s.outW, "IN", c.buffer(first),
        "INPLANE", s.inH * s.inW, "REDUCE", ClText.indent(reduce, 2));
    body = ClText.fill(body, "KH", s.kernelH, "SH", s.strideH, "PT", s.padTop, "DH", s.dilationH,
        "IH", s.inH, "KW", s.kernelW, "SW", s.strideW, "PL", s.padLeft, "DW", s.dilationW, "IW", s.inW);
    String name = out.kernel(max ? "maxpool" : "avgpool", (max ? "MaxPool " : "AveragePool ") + s
        + (max ? "" : c.b(1) ? ", count_include_pad" : ""), List.of("inOffset", "outOffset"), "", body);
    out.launch1d(c.call, name, total, c.i(first + 1), c.i(first + 3));
  }

  /** globalAveragePool / globalMaxPool(planes, planeSize, in, inOff, out, outOff): one work-item per plane. */
  static void globalPool(ClCall c, ClSource out) {
    boolean max = c.call.method().equals("globalMaxPool");
    int planes = c.i(0);
    int planeSize = c.i(1);
    c.requireArena(4);
    if (planes == 0) {
      return;
    }
    String reduce = max
        ? "float acc = -INFINITY;\nfor (int j = 0; j < ${SIZE}; j++) {\n  const float v = x[j];\n"
            + "  if (v > acc || isnan(v)) {\n    acc = v;\n  }\n}\nconst float result = acc;"
        : "float acc = 0.0f;\nfor (int j = 0; j < ${SIZE}; j++) {\n  acc += x[j];\n}\n"
            + "const float result = acc / ${SIZE};";
    String body = ClText.fill("""
          const int p = get_global_id(0);
          if (p >= ${PLANES}) {
            return;
          }
          __global const float* x = ${IN} + inOffset + p * ${SIZE};
        ${REDUCE}
          arena[outOffset + p] = result;
        """, "PLANES", planes, "IN", c.buffer(2), "REDUCE", ClText.indent(reduce, 2));
    body = body.replace("${SIZE}", Integer.toString(planeSize));
    String name = out.kernel(max ? "global_maxpool" : "global_avgpool",
        (max ? "GlobalMaxPool" : "GlobalAveragePool") + " over " + planes + " planes of " + planeSize,
        List.of("inOffset", "outOffset"), "", body);
    out.launch1d(c.call, name, planes, c.i(3), c.i(5));
  }

  // --- ReferenceGemm ---

  /**
   * gemm(transA, transB, m, n, k, alpha, a, aOff, lda, b, bOff, ldb, beta, c, cOff, ldc): the tiled
   * GEMM once there are rows to tile; a classifier's one row (batch 1) gets one work-item per output
   * instead, since a 16-row tile would leave 15/16 of the device idle.
   */
  static void gemm(ClCall c, ClSource out) {
    boolean transA = c.b(0);
    boolean transB = c.b(1);
    int m = c.i(2);
    int n = c.i(3);
    int k = c.i(4);
    float alpha = c.f(5);
    int lda = c.i(8);
    int ldb = c.i(11);
    float beta = c.f(12);
    c.requireArena(13);
    int ldc = c.i(15);
    if (m == 0 || n == 0) {
      return;
    }
    String aAt = transA ? "a[k * " + lda + " + row]" : "a[row * " + lda + " + k]";
    String bAt = transB ? "b[col * " + ldb + " + k]" : "b[k * " + ldb + " + col]";
    String result = beta == 0f ? ClText.f(alpha) + " * v"
        : ClText.f(alpha) + " * v + " + ClText.f(beta) + " * y[row * " + ldc + " + col]";
    String pointers = ClText.fill("""
        __global const float* a = ${A} + aOffset;
        __global const float* b = ${B} + bOffset;
        __global float* y = arena + cOffset;""", "A", c.buffer(6), "B", c.buffer(9));
    String description = "Gemm M=" + m + " N=" + n + " K=" + k + (transA ? " A^T" : "") + (transB ? " B^T" : "")
        + " alpha " + alpha + " beta " + beta;
    List<String> params = List.of("aOffset", "bOffset", "cOffset");
    int[] args = {c.i(7), c.i(10), c.i(14)};
    if (m < ClGemm.SIDE) {
      String body = ClText.fill("""
            const int col = get_global_id(0);
            const int row = get_global_id(1);
            if (col >= ${N}) {
              return;
            }
          ${POINTERS}
            float v = 0.0f;
            for (int k = 0; k < ${K}; k++) {
              v += ${A_AT} * ${B_AT};
            }
            y[row * ${LDC} + col] = ${RESULT};
          """, "N", n, "POINTERS", ClText.indent(pointers, 2), "K", k, "A_AT", aAt, "B_AT", bAt,
          "LDC", ldc, "RESULT", result);
      String name = out.kernel("gemm_rows", description + "\none work-item per output", params, "", body);
      long columns = (long) ClGemm.ceil(n, ClSource.LOCAL_1D) * ClSource.LOCAL_1D;
      out.launch(c.call, name, new long[] {columns, m}, new long[] {ClSource.LOCAL_1D, 1}, args);
      return;
    }
    ClGemm.Tiling t = ClGemm.Tiling.forSize(m, n);
    String body = ClGemm.body(t, m, n, k, pointers, "v = " + aAt + ";", "v = " + bAt + ";",
        "y[row * " + ldc + " + col] = " + result + ";");
    String name = out.kernel("gemm_tiled", description + ", tile " + t.tm() + "x" + t.tn(), params,
        ClGemm.ATTRIBUTES, body);
    out.launch(c.call, name, t.global(m, n, 1), ClGemm.Tiling.local(), args);
  }

  /** addScaled(m, n, beta, c, cOff, cRowStride, cColStride, y, yOff): Gemm's broadcast C term. */
  static void addScaled(ClCall c, ClSource out) {
    int m = c.i(0);
    int n = c.i(1);
    float beta = c.f(2);
    c.requireArena(7);
    int total = m * n;
    if (total == 0) {
      return;
    }
    String body = ClText.fill("""
          const int i = get_global_id(0);
          if (i < ${TOTAL}) {
            arena[yOffset + i] += ${BETA} * ${C}[cOffset + (i / ${N}) * ${RS} + (i % ${N}) * ${CS}];
          }
        """, "TOTAL", total, "BETA", ClText.f(beta), "C", c.buffer(3), "N", n, "RS", c.i(5), "CS", c.i(6));
    String name = out.kernel("gemm_add_c", "y += " + beta + " * C over " + m + "x" + n,
        List.of("cOffset", "yOffset"), "", body);
    out.launch1d(c.call, name, total, c.i(4), c.i(8));
  }

  // --- ReferenceSoftmax.softmax / logSoftmax(outer, axisSize, inner, in, inOff, out, outOff) ---

  static void softmax(ClCall c, ClSource out) {
    boolean log = c.call.method().equals("logSoftmax");
    int outer = c.i(0);
    int axis = c.i(1);
    int inner = c.i(2);
    c.requireArena(5);
    int rows = outer * inner;
    if (rows == 0 || axis == 0) {
      return;
    }
    String finish = log
        ? "const float logSum = log(sum);\nfor (int a = 0; a < ${AXIS}; a++) {\n"
            + "  y[a * ${INNER}] = x[a * ${INNER}] - max - logSum;\n}"
        : "for (int a = 0; a < ${AXIS}; a++) {\n  y[a * ${INNER}] /= sum;\n}";
    String store = log ? "" : "y[a * ${INNER}] = e;\n  ";
    String body = ClText.fill("""
          const int r = get_global_id(0);
          if (r >= ${ROWS}) {
            return;
          }
          const int base = (r / ${INNER}) * ${AXIS} * ${INNER} + r % ${INNER};
          __global const float* x = ${IN} + inOffset + base;
          __global float* y = arena + outOffset + base;
          float max = -INFINITY;
          for (int a = 0; a < ${AXIS}; a++) {
            max = fmax(max, x[a * ${INNER}]);
          }
          float sum = 0.0f;
          for (int a = 0; a < ${AXIS}; a++) {
            const float e = exp(x[a * ${INNER}] - max);
            ${STORE}sum += e;
          }
        ${FINISH}
        """, "ROWS", rows, "IN", c.buffer(3), "STORE", store, "FINISH", ClText.indent(finish, 2));
    body = body.replace("${AXIS}", Integer.toString(axis)).replace("${INNER}", Integer.toString(inner));
    String name = out.kernel(log ? "log_softmax" : "softmax", (log ? "LogSoftmax" : "Softmax") + " over ["
        + outer + ", " + axis + ", " + inner + "], one work-item per row", List.of("inOffset", "outOffset"), "", body);
    out.launch1d(c.call, name, rows, c.i(4), c.i(6));
  }

  // --- ReferenceNormalization.batchNorm(batch, channels, spatial, eps, in, inOff, scale, scaleOff,
  //     bias, biasOff, mean, meanOff, var, varOff, out, outOff) ---

  static void batchNorm(ClCall c, ClSource out) {
    int batch = c.i(0);
    int channels = c.i(1);
    int spatial = c.i(2);
    float epsilon = c.f(3);
    c.requireArena(14);
    int total = batch * channels * spatial;
    if (total == 0) {
      return;
    }
    String body = ClText.fill("""
          const int i = get_global_id(0);
          if (i >= ${TOTAL}) {
            return;
          }
          const int ch = (i / ${SPATIAL}) % ${C};
          const float inv = 1.0f / sqrt(${VAR}[varOffset + ch] + ${EPS});
          const float mul = ${SCALE}[scaleOffset + ch] * inv;
          const float add = ${BIAS}[biasOffset + ch] - ${MEAN}[meanOffset + ch] * mul;
          arena[outOffset + i] = ${IN}[inOffset + i] * mul + add;
        """, "TOTAL", total, "SPATIAL", spatial, "C", channels, "VAR", c.buffer(12), "EPS",
        ClText.f(epsilon), "SCALE", c.buffer(6), "BIAS", c.buffer(8), "MEAN", c.buffer(10), "IN", c.buffer(4));
    String name = out.kernel("batchnorm", "BatchNormalization over [" + batch + ", " + channels + ", "
        + spatial + "], epsilon " + epsilon,
        List.of("inOffset", "scaleOffset", "biasOffset", "meanOffset", "varOffset", "outOffset"), "", body);
    out.launch1d(c.call, name, total, c.i(5), c.i(7), c.i(9), c.i(11), c.i(13), c.i(15));
  }

  // --- ReferenceNormalization.scaleShift(batch, channels, spatial, in, inOff, scale, scaleOff,
  //     shift, shiftOff, out, outOff): a BatchNormalization the optimizer could not fold ---

  static void scaleShift(ClCall c, ClSource out) {
    int batch = c.i(0);
    int channels = c.i(1);
    int spatial = c.i(2);
    c.requireArena(9);
    int total = batch * channels * spatial;
    if (total == 0) {
      return;
    }
    String body = ClText.fill("""
          const int i = get_global_id(0);
          if (i >= ${TOTAL}) {
            return;
          }
          const int ch = (i / ${SPATIAL}) % ${C};
          arena[outOffset + i] = ${IN}[inOffset + i] * ${SCALE}[scaleOffset + ch] + ${SHIFT}[shiftOffset + ch];
        """, "TOTAL", total, "SPATIAL", spatial, "C", channels, "IN", c.buffer(3),
        "SCALE", c.buffer(5), "SHIFT", c.buffer(7));
    String name = out.kernel("scale_shift", "per-channel scale-shift over [" + batch + ", " + channels
        + ", " + spatial + "]", List.of("inOffset", "scaleOffset", "shiftOffset", "outOffset"), "", body);
    out.launch1d(c.call, name, total, c.i(4), c.i(6), c.i(8), c.i(10));
  }

  // --- ReferenceLayout: stridedCopy(dims, src, srcOff, srcStrides, dst, dstOff, dstStrides) and
  //     fill(value, out, outOff, count): Concat, Split, Slice, Transpose copies ---

  static void stridedCopy(ClCall c, ClSource out) {
    int[] dims = c.ints(0);
    int[] srcStrides = c.ints(3);
    c.requireArena(4);
    int[] dstStrides = c.ints(6);
    long total = 1;
    for (int d : dims) {
      total *= d;
    }
    if (total == 0) {
      return;
    }
    StringBuilder index = new StringBuilder("int is = 0;\nint id = 0;\nint rest = i;\n");
    for (int axis = dims.length - 1; axis >= 0; axis--) {
      if (dims[axis] == 1) {
        continue;
      }
      index.append("{\n  const int q = rest % ").append(dims[axis]).append(";\n")
          .append("  is += q * ").append(srcStrides[axis]).append(";\n")
          .append("  id += q * ").append(dstStrides[axis]).append(";\n}\n")
          .append("rest /= ").append(dims[axis]).append(";\n");
    }
    String body = ClText.fill("""
          const int i = get_global_id(0);
          if (i >= ${TOTAL}) {
            return;
          }
        ${INDEX}
          arena[dstOffset + id] = ${SRC}[srcOffset + is];
        """, "TOTAL", total, "INDEX", ClText.indent(index.toString(), 2), "SRC", c.buffer(1));
    String name = out.kernel("copy", "strided copy over " + java.util.Arrays.toString(dims) + ", source strides "
        + java.util.Arrays.toString(srcStrides) + ", destination strides " + java.util.Arrays.toString(dstStrides),
        List.of("srcOffset", "dstOffset"), "", body);
    out.launch1d(c.call, name, total, c.i(2), c.i(5));
  }

  static void fill(ClCall c, ClSource out) {
    float value = c.f(0);
    c.requireArena(1);
    int count = c.i(3);
    if (count == 0) {
      return;
    }
    String body = ClText.fill("""
          const int i = get_global_id(0);
          if (i < count) {
            arena[outOffset + i] = ${VALUE};
          }
        """, "VALUE", ClText.f(value));
    String name = out.kernel("fill", "fill count elements with " + value, List.of("outOffset", "count"), "", body);
    out.launch1d(c.call, name, count, c.i(2), count);
  }

  /** The generator puts the layer's location in front. */
  static dev.kiln.compiler.KilnException unsupported(ClCall c) {
    return new dev.kiln.compiler.KilnException("the OpenCL backend has no kernel for "
        + c.call.owner().getSimpleName() + "." + c.call.method() + " yet");
  }
}
