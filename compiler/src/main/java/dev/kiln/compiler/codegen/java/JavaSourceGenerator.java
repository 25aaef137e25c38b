package dev.kiln.compiler.codegen.java;

import com.palantir.javapoet.ArrayTypeName;
import com.palantir.javapoet.ClassName;
import com.palantir.javapoet.CodeBlock;
import com.palantir.javapoet.FieldSpec;
import com.palantir.javapoet.JavaFile;
import com.palantir.javapoet.MethodSpec;
import com.palantir.javapoet.ParameterSpec;
import com.palantir.javapoet.TypeSpec;
import dev.kiln.compiler.codegen.JavaText;
import dev.kiln.compiler.codegen.ModelClass;
import dev.kiln.compiler.codegen.ModelClass.Call;
import dev.kiln.compiler.codegen.ModelClass.Constant;
import dev.kiln.compiler.codegen.ModelClass.EpilogueField;
import dev.kiln.compiler.codegen.ModelClass.Layer;
import dev.kiln.compiler.codegen.ModelClass.Operand;
import dev.kiln.compiler.codegen.ModelClass.Part;
import dev.kiln.compiler.lower.Arg;
import dev.kiln.compiler.lower.EpilogueSpec;
import dev.kiln.compiler.lower.Program;
import dev.kiln.runtime.KilnModel;
import dev.kiln.runtime.Tables;
import dev.kiln.runtime.TensorInfo;
import dev.kiln.runtime.Weights;
import dev.kiln.runtime.kernels.ConvShape;
import dev.kiln.runtime.kernels.Epilogue;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.stream.Collectors;
import javax.lang.model.element.Modifier;

/**
 * The Java source backend: a {@link ModelClass} as a {@code .java} file that reads like careful
 * hand-written code. Everything from the model reaches the source through {@link JavaText} (comments
 * and string literals) or the layout's name allocator (identifiers).
 */
public final class JavaSourceGenerator {
  private static final String INDENT = "  ";

  private JavaSourceGenerator() {}

  /** The source of the model class (and its nested parts). */
  public static String generate(ModelClass model) {
    ClassName self = ClassName.get(model.options().packageName(), model.options().className());
    TypeSpec.Builder type = TypeSpec.classBuilder(self)
        .addJavadoc("$L", classDoc(model))
        .addModifiers(Modifier.PUBLIC, Modifier.FINAL)
        .superclass(KilnModel.class);
    Program program = model.program();
    type.addField(FieldSpec.builder(String.class, "WEIGHTS_RESOURCE", Modifier.PUBLIC, Modifier.STATIC,
            Modifier.FINAL)
        .addJavadoc("The weights resource, next to this class on the class path.\n")
        .initializer("$L", stringExpression(model.options().weightsResource()))
        .build());
    type.addField(FieldSpec.builder(int.class, "WEIGHT_FLOATS", Modifier.PUBLIC, Modifier.STATIC,
            Modifier.FINAL)
        .addJavadoc("Floats in the weights resource.\n")
        .initializer("$L", program.weightFloats())
        .build());
    type.addField(FieldSpec.builder(long.class, "WEIGHTS_CRC32", Modifier.PUBLIC, Modifier.STATIC,
            Modifier.FINAL)
        .addJavadoc("CRC-32 of the weights resource: weights from another model or build are refused.\n")
        .initializer("0x$LL", String.format(Locale.ROOT, "%08x", model.weightsCrc32()))
        .build());
    type.addField(FieldSpec.builder(int.class, "RUNTIME_FORMAT", Modifier.PUBLIC, Modifier.STATIC,
            Modifier.FINAL)
        .addJavadoc("The kiln-runtime-min format the weights were packed for: another runtime refuses"
            + " this class.\n")
        .initializer("$L", KilnModel.FORMAT)
        .build());
    type.addField(FieldSpec.builder(int.class, "ARENA_FLOATS", Modifier.PUBLIC, Modifier.STATIC,
            Modifier.FINAL)
        .addJavadoc("Floats in one session's arena: activations and scratch at the offsets below.\n")
        .initializer("$L", program.arenaFloats())
        .build());
    type.addField(FieldSpec.builder(int.class, "MAX_THREADS", Modifier.PUBLIC, Modifier.STATIC,
            Modifier.FINAL)
        .addJavadoc("The most threads a session uses: the arena holds kernel workspace for that many.\n")
        .initializer("$L", program.maxThreads())
        .build());

    MethodSpec.Builder loadingConstructor = MethodSpec.constructorBuilder()
        .addModifiers(Modifier.PRIVATE)
        .addParameter(float[].class, "weights")
        .addStatement("super($L,$WRUNTIME_FORMAT,$W$L,$W$L,$WARENA_FLOATS,$WMAX_THREADS,$Wweights)",
            stringExpression(program.name()), tensorInfos(program.inputs()),
            tensorInfos(program.outputs()));
    MethodSpec.Builder execute = MethodSpec.methodBuilder("execute")
        .addAnnotation(Override.class)
        .addModifiers(Modifier.PROTECTED)
        .returns(void.class);
    addExecuteParams(execute);
    MethodSpec.Builder executeProfiled = MethodSpec.methodBuilder("executeProfiled")
        .addAnnotation(Override.class)
        .addModifiers(Modifier.PROTECTED)
        .returns(void.class);
    addProfiledParams(executeProfiled);

    if (!model.isSplit()) {
      Part part = model.parts().get(0);
      addPartMembers(type, part);
      addEpilogues(loadingConstructor, part.epilogues());
      addLayerCalls(execute, part.layers());
      addTimedLayerCalls(executeProfiled, part.layers());
    } else {
      for (Part part : model.parts()) {
        ClassName partName = self.nestedClass(part.className());
        type.addField(FieldSpec.builder(partName, part.fieldName(), Modifier.PRIVATE, Modifier.FINAL)
            .build());
        loadingConstructor.addStatement("$N = new $T(weights)", part.fieldName(), partName);
        execute.addStatement("$N.run($L)", part.fieldName(), executeArgs());
        executeProfiled.addStatement("$N.runProfiled($L, $N)", part.fieldName(), executeArgs(),
            ModelClass.LAYER_NANOS_PARAM.name());
        type.addType(partType(part));
      }
    }

    type.addMethod(MethodSpec.constructorBuilder()
        .addJavadoc("Loads the weights from {@link #WEIGHTS_RESOURCE} next to this class on the class"
            + " path.\n")
        .addModifiers(Modifier.PUBLIC)
        .addStatement("this($T.fromResource($T.class, WEIGHTS_RESOURCE, WEIGHT_FLOATS, WEIGHTS_CRC32))",
            Weights.class, self)
        .build());
    type.addMethod(MethodSpec.constructorBuilder()
        .addJavadoc("Loads the weights from a file (a copy of {@link #WEIGHTS_RESOURCE}).\n")
        .addModifiers(Modifier.PUBLIC)
        .addParameter(Path.class, "weightsFile")
        .addStatement("this($T.fromFile(weightsFile, WEIGHT_FLOATS, WEIGHTS_CRC32))", Weights.class)
        .build());
    type.addMethod(loadingConstructor.build());
    type.addMethod(execute.build());
    type.addMethod(executeProfiled.build());
    type.addMethod(MethodSpec.methodBuilder("layerCount")
        .addAnnotation(Override.class)
        .addModifiers(Modifier.PUBLIC)
        .returns(int.class)
        .addStatement("return $L", model.layerCount())
        .build());
    if (!model.isSplit()) {
      Part part = model.parts().get(0);
      addLayerMethods(type, part.layers(), Modifier.PRIVATE);
      if (!part.layers().isEmpty()) {
        type.addMethod(lap());
      }
    }

    JavaFile.Builder file = JavaFile.builder(model.options().packageName(), type.build())
        .skipJavaLangImports(true)
        .indent(INDENT);
    file.addFileComment("$L", String.join("\n", model.header()));
    return file.build().toString();
  }

  private static String classDoc(ModelClass model) {
    String name = model.options().className();
    return "The model '" + JavaText.javadoc(model.program().name()) + "' compiled ahead of time by"
        + " Kiln.\n\n"
        + "<p>Immutable and thread-safe: the weights are loaded once and shared by every session.\n"
        + "The same input gives bit-identical output in every session, on every thread.\n\n"
        + "<pre>\n"
        + "try (" + name + " model = new " + name + "(); Session session = model.newSession()) {\n"
        + "  session.run(input, 0, output, 0);   // no allocation\n"
        + "}\n"
        + "</pre>\n";
  }

  private static TypeSpec partType(Part part) {
    TypeSpec.Builder type = TypeSpec.classBuilder(part.className())
        .addJavadoc("$L", "Layers '" + JavaText.javadoc(part.layers().get(0).layer()) + "' to '"
            + JavaText.javadoc(part.layers().get(part.layers().size() - 1).layer()) + "' ("
            + part.layers().size() + " layers).\n")
        .addModifiers(Modifier.PRIVATE, Modifier.STATIC, Modifier.FINAL);
    addPartMembers(type, part);
    MethodSpec.Builder constructor = MethodSpec.constructorBuilder()
        .addParameter(float[].class, "weights");
    addEpilogues(constructor, part.epilogues());
    type.addMethod(constructor.build());
    MethodSpec.Builder run = MethodSpec.methodBuilder("run").returns(void.class);
    addExecuteParams(run);
    addLayerCalls(run, part.layers());
    type.addMethod(run.build());
    MethodSpec.Builder runProfiled = MethodSpec.methodBuilder("runProfiled").returns(void.class);
    addProfiledParams(runProfiled);
    addTimedLayerCalls(runProfiled, part.layers());
    type.addMethod(runProfiled.build());
    addLayerMethods(type, part.layers(), Modifier.PRIVATE);
    type.addMethod(lap());
    return type.build();
  }

  /** The part's constants and epilogue fields. */
  private static void addPartMembers(TypeSpec.Builder type, Part part) {
    for (Constant c : part.constants()) {
      FieldSpec.Builder f = FieldSpec.builder(c.type(), c.name(), Modifier.PRIVATE, Modifier.STATIC,
          Modifier.FINAL);
      if (c.value() instanceof Arg.ConvShapeArg s) {
        ConvShape g = s.shape();
        f.addJavadoc("$L", JavaText.javadoc(g.toString()) + "\n");
        f.initializer("new $T($L, $L, $L, $L,$W$L, $L, $L,$W$L, $L, $L, $L,$W$L, $L, $L, $L,$W$L, $L, $L)",
            ConvShape.class, g.batch, g.inChannels, g.inH, g.inW, g.outChannels, g.outH, g.outW,
            g.kernelH, g.kernelW, g.strideH, g.strideW, g.padTop, g.padLeft, g.padBottom,
            g.padRight, g.dilationH, g.dilationW, g.groups);
      } else {
        int[] values = ((Arg.IntArrayArg) c.value()).values();
        if (c.encoded()) {
          f.addJavadoc("$L", values.length + " ints, encoded (see Tables.ints).\n");
          f.initializer("$T.ints($L)", Tables.class, ModelClass.encodeInts(values).stream()
              .map(p -> "\"" + JavaText.literalBody(p) + "\"")
              .collect(Collectors.joining(",\n")));
        } else {
          f.initializer("{$L}", Arrays.stream(values).mapToObj(v -> CodeBlock.of("$L", v))
              .collect(CodeBlock.joining(",$W")));
        }
      }
      type.addField(f.build());
    }
    for (EpilogueField e : part.epilogues()) {
      type.addField(FieldSpec.builder(Epilogue.class, e.name(), Modifier.PRIVATE, Modifier.FINAL)
          .addJavadoc("$L", JavaText.javadoc(e.spec().describe()) + "\n")
          .build());
    }
  }

  /** Reproduces {@link EpilogueSpec#build}: the same builder calls with the same values. */
  private static void addEpilogues(MethodSpec.Builder constructor, List<EpilogueField> epilogues) {
    for (EpilogueField e : epilogues) {
      EpilogueSpec spec = e.spec();
      CodeBlock.Builder b = CodeBlock.builder().add("$N = $T.builder()", e.name(), Epilogue.class);
      if (spec.biasOffset() >= 0) {
        b.add("\n.bias($L)", weightsSlice(spec.biasOffset(), spec.channels()));
      }
      for (EpilogueSpec.Step step : spec.steps()) {
        if (step instanceof EpilogueSpec.Activation a) {
          b.add("\n.activation($T.$L, $L, $L)", Epilogue.Activation.class, a.kind().name(),
              floatLiteral(a.alpha()), floatLiteral(a.beta()));
        } else if (step instanceof EpilogueSpec.ResidualAdd) {
          b.add("\n.residualAdd()");
        } else if (step instanceof EpilogueSpec.ScaleShift ss) {
          b.add("\n.scaleShift($L,$W$L)", weightsSlice(ss.scaleOffset(), spec.channels()),
              weightsSlice(ss.shiftOffset(), spec.channels()));
        } else {
          throw new AssertionError(step);
        }
      }
      b.add("\n.build()");
      constructor.addStatement("$L", b.build());
    }
  }

  private static CodeBlock weightsSlice(int offset, int length) {
    return CodeBlock.of("$T.copyOfRange(weights, $L, $L)", Arrays.class, offset, offset + length);
  }

  private static void addExecuteParams(MethodSpec.Builder method) {
    for (ModelClass.Param p : ModelClass.EXECUTE_PARAMS) {
      method.addParameter(ParameterSpec.builder(p.type(), p.name()).build());
    }
  }

  private static void addProfiledParams(MethodSpec.Builder method) {
    addExecuteParams(method);
    method.addParameter(ParameterSpec.builder(ModelClass.LAYER_NANOS_PARAM.type(),
        ModelClass.LAYER_NANOS_PARAM.name()).build());
  }

  /**
   * The layer calls of {@code execute}, each followed by {@code lap}: one clock reading per layer
   * boundary, so the layers' times add up to the whole run's.
   */
  private static void addTimedLayerCalls(MethodSpec.Builder method, List<Layer> layers) {
    if (layers.isEmpty()) {
      return;
    }
    String nanos = ModelClass.LAYER_NANOS_PARAM.name();
    method.addStatement("long start = $T.nanoTime()", System.class);
    for (int i = 0; i < layers.size(); i++) {
      Layer l = layers.get(i);
      method.addStatement("$N($L)", l.methodName(), executeArgs());
      if (i < layers.size() - 1) {
        method.addStatement("start = lap($N, $L, start)", nanos, l.index());
      } else {
        method.addStatement("lap($N, $L, start)", nanos, l.index());
      }
    }
  }

  private static MethodSpec lap() {
    return MethodSpec.methodBuilder("lap")
        .addJavadoc("Adds the nanoseconds since {@code start} to layer {@code layer}'s total and"
            + " returns the time now,\nthe next layer's start.\n")
        .addModifiers(Modifier.PRIVATE, Modifier.STATIC)
        .returns(long.class)
        .addParameter(long[].class, ModelClass.LAYER_NANOS_PARAM.name())
        .addParameter(int.class, "layer")
        .addParameter(long.class, "start")
        .addStatement("long now = $T.nanoTime()", System.class)
        .addStatement("$N[layer] += now - start", ModelClass.LAYER_NANOS_PARAM.name())
        .addStatement("return now")
        .build();
  }

  private static String executeArgs() {
    return ModelClass.EXECUTE_PARAMS.stream().map(ModelClass.Param::name)
        .collect(Collectors.joining(", "));
  }

  private static void addLayerCalls(MethodSpec.Builder method, List<Layer> layers) {
    for (Layer l : layers) {
      method.addStatement("$N($L)", l.methodName(), executeArgs());
    }
  }

  private static void addLayerMethods(TypeSpec.Builder type, List<Layer> layers, Modifier access) {
    for (Layer l : layers) {
      MethodSpec.Builder m = MethodSpec.methodBuilder(l.methodName())
          .addJavadoc("$L", JavaText.javadoc(ModelClass.describe(l)) + "\n")
          .addModifiers(access)
          .returns(void.class);
      addExecuteParams(m);
      for (Call call : l.calls()) {
        List<CodeBlock> args = new ArrayList<>();
        for (Operand op : call.operands()) {
          args.add(operand(op));
        }
        m.addStatement("$T.$N($L)", call.method().getDeclaringClass(), call.method().getName(),
            CodeBlock.join(args, ",$W"));
      }
      type.addMethod(m.build());
    }
  }

  private static CodeBlock operand(Operand op) {
    if (op instanceof Operand.ExecuteParam p) {
      return CodeBlock.of("$N", ModelClass.EXECUTE_PARAMS.get(p.index()).name());
    } else if (op instanceof Operand.Null) {
      return CodeBlock.of("null");
    } else if (op instanceof Operand.IntValue i) {
      return CodeBlock.of("$L$L", role(i.role()), i.value());
    } else if (op instanceof Operand.FloatValue f) {
      return CodeBlock.of("$L$L", role(f.role()), floatLiteral(f.value()));
    } else if (op instanceof Operand.BoolValue b) {
      return CodeBlock.of("$L$L", role(b.role()), b.value());
    } else if (op instanceof Operand.EnumValue e) {
      return CodeBlock.of("$T.$L", e.value().getDeclaringClass(), e.value().name());
    } else if (op instanceof Operand.StaticField f) {
      return CodeBlock.of("$T.$L", f.field().getDeclaringClass(), f.field().getName());
    } else if (op instanceof Operand.ConstantRef c) {
      return CodeBlock.of("$N", c.constant().name());
    } else if (op instanceof Operand.EpilogueRef e) {
      return CodeBlock.of("$N", e.field().name());
    }
    throw new AssertionError(op);
  }

  private static String role(String role) {
    return role.isEmpty() ? "" : "/* " + JavaText.comment(role) + " */ ";
  }

  /**
   * A float literal that evaluates to exactly {@code v}, NaN payloads included: {@link
   * Float#toString} gives the shortest decimal that reads back as the same float.
   */
  static String floatLiteral(float v) {
    if (Float.isNaN(v)) {
      int bits = Float.floatToRawIntBits(v);
      return bits == Float.floatToRawIntBits(Float.NaN) ? "Float.NaN"
          : String.format(Locale.ROOT, "Float.intBitsToFloat(0x%08x)", bits);
    }
    if (Float.isInfinite(v)) {
      return v > 0 ? "Float.POSITIVE_INFINITY" : "Float.NEGATIVE_INFINITY";
    }
    return Float.toString(v) + "f";
  }

  /**
   * A {@code String} expression for untrusted text: one literal, or for very long text literal pieces
   * joined with {@code concat} (not {@code +}, which javac would fold into one over-long constant).
   */
  static String stringExpression(String s) {
    List<String> pieces = JavaText.literalPieces(s);
    StringBuilder sb = new StringBuilder("\"").append(JavaText.literalBody(pieces.get(0))).append('"');
    for (int i = 1; i < pieces.size(); i++) {
      sb.append(".concat(\"").append(JavaText.literalBody(pieces.get(i))).append("\")");
    }
    return sb.toString();
  }

  private static CodeBlock tensorInfos(List<Program.IoSlot> slots) {
    List<CodeBlock> infos = new ArrayList<>();
    for (Program.IoSlot s : slots) {
      infos.add(CodeBlock.of("new $T($L, new int[] {$L}, $L)", TensorInfo.class,
          stringExpression(s.name()),
          Arrays.stream(s.shape()).mapToObj(Integer::toString).collect(Collectors.joining(", ")),
          s.arenaOffset()));
    }
    return CodeBlock.of("new $T {$L}", ArrayTypeName.of(TensorInfo.class), CodeBlock.join(infos, ",$W"));
  }
}
