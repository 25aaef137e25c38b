package dev.kiln.compiler.codegen;

import dev.kiln.runtime.kernels.ConvShape;
import dev.kiln.runtime.kernels.Epilogue;
import dev.kiln.runtime.parallel.ThreadTeam;

/**
 * A kernel taking one argument of every {@link dev.kiln.compiler.lower.Arg} kind and writing what it
 * received into the arena, exactly: ints as two 16-bit halves, floats as themselves (payload
 * included). Generated code that passed anything else would show up as a different output.
 */
public final class ArgProbe {
  /** Floats one probe call writes. */
  public static final int FLOATS = 41;

  /** For {@code EnumArg}. */
  public enum Mode { FIRST, SECOND, THIRD }

  /** For {@code StaticFieldArg}. */
  public static final class Token {
    public final int id;

    Token(int id) {
      this.id = id;
    }
  }

  public static final Token TOKEN = new Token(4242);

  private ArgProbe() {}

  public static void probe(float[] arena, int outOffset, float[] weights, float[] absent, int i,
      float f, boolean b, int[] ints, Mode mode, Token token, ConvShape shape, Epilogue epilogue,
      ThreadTeam team) {
    int o = outOffset;
    arena[o++] = team.threads();
    arena[o++] = weights[0];
    arena[o++] = absent == null ? 1 : 0;
    arena[o++] = i >>> 16;
    arena[o++] = i & 0xffff;
    arena[o++] = f;
    arena[o++] = b ? 1 : 0;
    arena[o++] = ints.length;
    long hash = 17;
    for (int v : ints) {
      hash = hash * 1_000_003 + v;
    }
    arena[o++] = (int) (hash >>> 48) & 0xffff;
    arena[o++] = (int) (hash >>> 32) & 0xffff;
    arena[o++] = (int) (hash >>> 16) & 0xffff;
    arena[o++] = (int) hash & 0xffff;
    arena[o++] = mode.ordinal();
    arena[o++] = token.id;
    for (int v : new int[] {shape.batch, shape.inChannels, shape.inH, shape.inW, shape.outChannels,
        shape.outH, shape.outW, shape.kernelH, shape.kernelW, shape.strideH, shape.strideW,
        shape.padTop, shape.padLeft, shape.padBottom, shape.padRight, shape.dilationH,
        shape.dilationW, shape.groups}) {
      arena[o++] = v;
    }
    // 4 channels x 2 values through the epilogue, with the weights' start as the residual.
    for (int c = 0; c < 4; c++) {
      arena[o + 2 * c] = (c - 1.5f) * 0.75f;
      arena[o + 2 * c + 1] = (c - 1.25f) * -2.5f;
      epilogue.apply(c, arena, o + 2 * c, 2, weights, 2 * c);
    }
    o += 8;
    arena[o] = epilogue == Epilogue.NONE ? 1 : 0;
  }
}
