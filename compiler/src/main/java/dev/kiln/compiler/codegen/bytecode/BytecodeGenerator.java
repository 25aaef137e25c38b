package dev.kiln.compiler.codegen.bytecode;

import static org.objectweb.asm.Opcodes.AASTORE;
import static org.objectweb.asm.Opcodes.ACC_FINAL;
import static org.objectweb.asm.Opcodes.ACC_PRIVATE;
import static org.objectweb.asm.Opcodes.ACC_PROTECTED;
import static org.objectweb.asm.Opcodes.ACC_PUBLIC;
import static org.objectweb.asm.Opcodes.ACC_STATIC;
import static org.objectweb.asm.Opcodes.ACC_SUPER;
import static org.objectweb.asm.Opcodes.ACONST_NULL;
import static org.objectweb.asm.Opcodes.ALOAD;
import static org.objectweb.asm.Opcodes.ANEWARRAY;
import static org.objectweb.asm.Opcodes.BIPUSH;
import static org.objectweb.asm.Opcodes.DUP2;
import static org.objectweb.asm.Opcodes.DUP;
import static org.objectweb.asm.Opcodes.GETFIELD;
import static org.objectweb.asm.Opcodes.GETSTATIC;
import static org.objectweb.asm.Opcodes.IASTORE;
import static org.objectweb.asm.Opcodes.ICONST_0;
import static org.objectweb.asm.Opcodes.ICONST_1;
import static org.objectweb.asm.Opcodes.ILOAD;
import static org.objectweb.asm.Opcodes.INVOKEINTERFACE;
import static org.objectweb.asm.Opcodes.INVOKESPECIAL;
import static org.objectweb.asm.Opcodes.INVOKESTATIC;
import static org.objectweb.asm.Opcodes.INVOKEVIRTUAL;
import static org.objectweb.asm.Opcodes.IRETURN;
import static org.objectweb.asm.Opcodes.LADD;
import static org.objectweb.asm.Opcodes.LALOAD;
import static org.objectweb.asm.Opcodes.LASTORE;
import static org.objectweb.asm.Opcodes.LLOAD;
import static org.objectweb.asm.Opcodes.LRETURN;
import static org.objectweb.asm.Opcodes.LSTORE;
import static org.objectweb.asm.Opcodes.LSUB;
import static org.objectweb.asm.Opcodes.NEW;
import static org.objectweb.asm.Opcodes.NEWARRAY;
import static org.objectweb.asm.Opcodes.POP2;
import static org.objectweb.asm.Opcodes.POP;
import static org.objectweb.asm.Opcodes.PUTFIELD;
import static org.objectweb.asm.Opcodes.PUTSTATIC;
import static org.objectweb.asm.Opcodes.RETURN;
import static org.objectweb.asm.Opcodes.SIPUSH;
import static org.objectweb.asm.Opcodes.T_INT;
import static org.objectweb.asm.Opcodes.V17;

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
import dev.kiln.runtime.TensorInfo;
import dev.kiln.runtime.Weights;
import dev.kiln.runtime.kernels.ConvShape;
import dev.kiln.runtime.kernels.Epilogue;
import java.lang.reflect.Constructor;
import java.lang.reflect.Method;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.objectweb.asm.ClassWriter;
import org.objectweb.asm.MethodVisitor;
import org.objectweb.asm.Type;

/**
 * The bytecode backend: a {@link ModelClass} as class files written directly with ASM, no javac.
 * It walks the same layout as the Java source backend and emits the same members making the same
 * calls with the same values, so both compute the same results bit for bit. Frames are computed by
 * ASM ({@code COMPUTE_FRAMES}); class file version 61 (Java 17).
 */
public final class BytecodeGenerator {
  private static final String OBJECT = "java/lang/Object";
  private static final String STRING = "java/lang/String";
  private static final String EPILOGUE = Type.getInternalName(Epilogue.class);
  private static final String EPILOGUE_DESC = Type.getDescriptor(Epilogue.class);
  private static final String EXECUTE_DESC = executeDescriptor();
  private static final String PROFILED_DESC = profiledDescriptor();
  private static final String LAP_DESC = "([JIJ)J";

  private BytecodeGenerator() {}

  /** The class files by internal name ({@code p/Name}, {@code p/Name$Part0}, ...), model class first. */
  public static Map<String, byte[]> generate(ModelClass model) {
    Map<String, byte[]> classes = new LinkedHashMap<>();
    String self = model.options().internalName();
    classes.put(self, modelClass(model, self));
    if (model.isSplit()) {
      for (Part part : model.parts()) {
        String name = self + "$" + part.className();
        classes.put(name, partClass(part, self, name));
      }
    }
    return classes;
  }

  private static ClassWriter newClassWriter() {
    return new ClassWriter(ClassWriter.COMPUTE_FRAMES | ClassWriter.COMPUTE_MAXS) {
      // Generated code merges no two different reference types at a branch, so no class needs
      // loading to find a common superclass.
      @Override
      protected String getCommonSuperClass(String type1, String type2) {
        return OBJECT;
      }
    };
  }

  private static byte[] modelClass(ModelClass model, String self) {
    ClassWriter cw = newClassWriter();
    cw.visit(V17, ACC_PUBLIC | ACC_FINAL | ACC_SUPER, self, null, Type.getInternalName(KilnModel.class),
        null);
    if (model.isSplit()) {
      for (Part part : model.parts()) {
        cw.visitNestMember(self + "$" + part.className());
      }
      for (Part part : model.parts()) {
        cw.visitInnerClass(self + "$" + part.className(), self, part.className(),
            ACC_PRIVATE | ACC_STATIC | ACC_FINAL);
      }
    }
    Program program = model.program();
    int constant = ACC_PUBLIC | ACC_STATIC | ACC_FINAL;
    cw.visitField(constant, "WEIGHTS_RESOURCE", "Ljava/lang/String;", null,
        model.options().weightsResource()).visitEnd();
    cw.visitField(constant, "WEIGHT_FLOATS", "I", null, program.weightFloats()).visitEnd();
    cw.visitField(constant, "WEIGHTS_CRC32", "J", null, model.weightsCrc32()).visitEnd();
    cw.visitField(constant, "RUNTIME_FORMAT", "I", null, KilnModel.FORMAT).visitEnd();
    cw.visitField(constant, "ARENA_FLOATS", "I", null, program.arenaFloats()).visitEnd();
    cw.visitField(constant, "MAX_THREADS", "I", null, program.maxThreads()).visitEnd();

    Part single = model.isSplit() ? null : model.parts().get(0);
    if (single != null) {
      addPartFields(cw, single);
    } else {
      for (Part part : model.parts()) {
        cw.visitField(ACC_PRIVATE | ACC_FINAL, part.fieldName(), "L" + self + "$" + part.className() + ";",
            null, null).visitEnd();
      }
    }

    // public Name(): this(Weights.fromResource(Name.class, WEIGHTS_RESOURCE, WEIGHT_FLOATS, WEIGHTS_CRC32))
    MethodVisitor mv = cw.visitMethod(ACC_PUBLIC, "<init>", "()V", null, null);
    mv.visitCode();
    mv.visitVarInsn(ALOAD, 0);
    mv.visitLdcInsn(Type.getObjectType(self));
    mv.visitLdcInsn(model.options().weightsResource());
    pushInt(mv, program.weightFloats());
    mv.visitLdcInsn(model.weightsCrc32());
    invoke(mv, method(Weights.class, "fromResource", Class.class, String.class, int.class, long.class));
    mv.visitMethodInsn(INVOKESPECIAL, self, "<init>", "([F)V", false);
    mv.visitInsn(RETURN);
    endMethod(mv);

    // public Name(Path weightsFile): this(Weights.fromFile(weightsFile, WEIGHT_FLOATS, WEIGHTS_CRC32))
    mv = cw.visitMethod(ACC_PUBLIC, "<init>", Type.getMethodDescriptor(Type.VOID_TYPE,
        Type.getType(Path.class)), null, null);
    mv.visitCode();
    mv.visitVarInsn(ALOAD, 0);
    mv.visitVarInsn(ALOAD, 1);
    pushInt(mv, program.weightFloats());
    mv.visitLdcInsn(model.weightsCrc32());
    invoke(mv, method(Weights.class, "fromFile", Path.class, int.class, long.class));
    mv.visitMethodInsn(INVOKESPECIAL, self, "<init>", "([F)V", false);
    mv.visitInsn(RETURN);
    endMethod(mv);

    // private Name(float[] weights): super(...); then the epilogues or the parts.
    mv = cw.visitMethod(ACC_PRIVATE, "<init>", "([F)V", null, null);
    mv.visitCode();
    mv.visitVarInsn(ALOAD, 0);
    pushString(mv, program.name());
    pushInt(mv, KilnModel.FORMAT);
    pushTensorInfos(mv, program.inputs());
    pushTensorInfos(mv, program.outputs());
    pushInt(mv, program.arenaFloats());
    pushInt(mv, program.maxThreads());
    mv.visitVarInsn(ALOAD, 1);
    Constructor<?> superConstructor = constructor(KilnModel.class, String.class, int.class,
        TensorInfo[].class, TensorInfo[].class, int.class, int.class, float[].class);
    mv.visitMethodInsn(INVOKESPECIAL, Type.getInternalName(KilnModel.class), "<init>",
        Type.getConstructorDescriptor(superConstructor), false);
    if (single != null) {
      buildEpilogues(mv, self, single.epilogues());
    } else {
      for (Part part : model.parts()) {
        String partName = self + "$" + part.className();
        mv.visitVarInsn(ALOAD, 0);
        mv.visitTypeInsn(NEW, partName);
        mv.visitInsn(DUP);
        mv.visitVarInsn(ALOAD, 1);
        mv.visitMethodInsn(INVOKESPECIAL, partName, "<init>", "([F)V", false);
        mv.visitFieldInsn(PUTFIELD, self, part.fieldName(), "L" + partName + ";");
      }
    }
    mv.visitInsn(RETURN);
    endMethod(mv);

    mv = cw.visitMethod(ACC_PROTECTED, "execute", EXECUTE_DESC, null, null);
    mv.visitCode();
    if (single != null) {
      callLayers(mv, self, single.layers());
    } else {
      for (Part part : model.parts()) {
        String partName = self + "$" + part.className();
        mv.visitVarInsn(ALOAD, 0);
        mv.visitFieldInsn(GETFIELD, self, part.fieldName(), "L" + partName + ";");
        loadExecuteParams(mv);
        mv.visitMethodInsn(INVOKEVIRTUAL, partName, "run", EXECUTE_DESC, false);
      }
    }
    mv.visitInsn(RETURN);
    endMethod(mv);

    mv = cw.visitMethod(ACC_PROTECTED, "executeProfiled", PROFILED_DESC, null, null);
    mv.visitCode();
    if (single != null) {
      callLayersTimed(mv, self, single.layers());
    } else {
      for (Part part : model.parts()) {
        String partName = self + "$" + part.className();
        mv.visitVarInsn(ALOAD, 0);
        mv.visitFieldInsn(GETFIELD, self, part.fieldName(), "L" + partName + ";");
        loadExecuteParams(mv);
        mv.visitVarInsn(ALOAD, layerNanosSlot());
        mv.visitMethodInsn(INVOKEVIRTUAL, partName, "runProfiled", PROFILED_DESC, false);
      }
    }
    mv.visitInsn(RETURN);
    endMethod(mv);

    mv = cw.visitMethod(ACC_PUBLIC, "layerCount", "()I", null, null);
    mv.visitCode();
    pushInt(mv, model.layerCount());
    mv.visitInsn(IRETURN);
    endMethod(mv);

    if (single != null) {
      addLayerMethods(cw, self, single.layers());
      if (!single.layers().isEmpty()) {
        addLap(cw);
      }
      addStaticInitializer(cw, self, single);
    }
    cw.visitEnd();
    return cw.toByteArray();
  }

  private static byte[] partClass(Part part, String outer, String self) {
    ClassWriter cw = newClassWriter();
    cw.visit(V17, ACC_FINAL | ACC_SUPER, self, null, OBJECT, null);
    cw.visitNestHost(outer);
    cw.visitInnerClass(self, outer, part.className(), ACC_PRIVATE | ACC_STATIC | ACC_FINAL);
    addPartFields(cw, part);

    MethodVisitor mv = cw.visitMethod(0, "<init>", "([F)V", null, null);
    mv.visitCode();
    mv.visitVarInsn(ALOAD, 0);
    mv.visitMethodInsn(INVOKESPECIAL, OBJECT, "<init>", "()V", false);
    buildEpilogues(mv, self, part.epilogues());
    mv.visitInsn(RETURN);
    endMethod(mv);

    mv = cw.visitMethod(0, "run", EXECUTE_DESC, null, null);
    mv.visitCode();
    callLayers(mv, self, part.layers());
    mv.visitInsn(RETURN);
    endMethod(mv);

    mv = cw.visitMethod(0, "runProfiled", PROFILED_DESC, null, null);
    mv.visitCode();
    callLayersTimed(mv, self, part.layers());
    mv.visitInsn(RETURN);
    endMethod(mv);

    addLayerMethods(cw, self, part.layers());
    addLap(cw);
    addStaticInitializer(cw, self, part);
    cw.visitEnd();
    return cw.toByteArray();
  }

  private static void addPartFields(ClassWriter cw, Part part) {
    for (Constant c : part.constants()) {
      cw.visitField(ACC_PRIVATE | ACC_STATIC | ACC_FINAL, c.name(), Type.getDescriptor(c.type()), null,
          null).visitEnd();
    }
    for (EpilogueField e : part.epilogues()) {
      cw.visitField(ACC_PRIVATE | ACC_FINAL, e.name(), EPILOGUE_DESC, null, null).visitEnd();
    }
  }

  private static void addStaticInitializer(ClassWriter cw, String self, Part part) {
    if (part.constants().isEmpty()) {
      return;
    }
    MethodVisitor mv = cw.visitMethod(ACC_STATIC, "<clinit>", "()V", null, null);
    mv.visitCode();
    for (Constant c : part.constants()) {
      if (c.value() instanceof Arg.ConvShapeArg s) {
        ConvShape g = s.shape();
        String owner = Type.getInternalName(ConvShape.class);
        mv.visitTypeInsn(NEW, owner);
        mv.visitInsn(DUP);
        for (int v : new int[] {g.batch, g.inChannels, g.inH, g.inW, g.outChannels, g.outH, g.outW,
            g.kernelH, g.kernelW, g.strideH, g.strideW, g.padTop, g.padLeft, g.padBottom, g.padRight,
            g.dilationH, g.dilationW, g.groups}) {
          pushInt(mv, v);
        }
        Class<?>[] ints = new Class<?>[18];
        Arrays.fill(ints, int.class);
        mv.visitMethodInsn(INVOKESPECIAL, owner, "<init>",
            Type.getConstructorDescriptor(constructor(ConvShape.class, ints)), false);
      } else {
        int[] values = ((Arg.IntArrayArg) c.value()).values();
        if (c.encoded()) {
          List<String> pieces = ModelClass.encodeInts(values);
          pushInt(mv, pieces.size());
          mv.visitTypeInsn(ANEWARRAY, STRING);
          for (int i = 0; i < pieces.size(); i++) {
            mv.visitInsn(DUP);
            pushInt(mv, i);
            mv.visitLdcInsn(pieces.get(i));
            mv.visitInsn(AASTORE);
          }
          mv.visitMethodInsn(INVOKESTATIC, "dev/kiln/runtime/Tables", "ints", "([Ljava/lang/String;)[I",
              false);
        } else {
          pushIntArray(mv, values);
        }
      }
      mv.visitFieldInsn(PUTSTATIC, self, c.name(), Type.getDescriptor(c.type()));
    }
    mv.visitInsn(RETURN);
    endMethod(mv);
  }

  /** The same builder calls as {@link EpilogueSpec#build}, with the weights in local 1. */
  private static void buildEpilogues(MethodVisitor mv, String self, List<EpilogueField> epilogues) {
    for (EpilogueField e : epilogues) {
      EpilogueSpec spec = e.spec();
      mv.visitVarInsn(ALOAD, 0);
      invoke(mv, method(Epilogue.class, "builder"));
      if (spec.biasOffset() >= 0) {
        pushWeightsSlice(mv, spec.biasOffset(), spec.channels());
        invoke(mv, method(Epilogue.Builder.class, "bias", float[].class));
      }
      for (EpilogueSpec.Step step : spec.steps()) {
        if (step instanceof EpilogueSpec.Activation a) {
          mv.visitFieldInsn(GETSTATIC, Type.getInternalName(Epilogue.Activation.class), a.kind().name(),
              Type.getDescriptor(Epilogue.Activation.class));
          pushFloat(mv, a.alpha());
          pushFloat(mv, a.beta());
          invoke(mv, method(Epilogue.Builder.class, "activation", Epilogue.Activation.class,
              float.class, float.class));
        } else if (step instanceof EpilogueSpec.ResidualAdd) {
          invoke(mv, method(Epilogue.Builder.class, "residualAdd"));
        } else if (step instanceof EpilogueSpec.ScaleShift ss) {
          pushWeightsSlice(mv, ss.scaleOffset(), spec.channels());
          pushWeightsSlice(mv, ss.shiftOffset(), spec.channels());
          invoke(mv, method(Epilogue.Builder.class, "scaleShift", float[].class, float[].class));
        } else {
          throw new AssertionError(step);
        }
      }
      invoke(mv, method(Epilogue.Builder.class, "build"));
      mv.visitFieldInsn(PUTFIELD, self, e.name(), EPILOGUE_DESC);
    }
  }

  private static void pushWeightsSlice(MethodVisitor mv, int offset, int length) {
    mv.visitVarInsn(ALOAD, 1);
    pushInt(mv, offset);
    pushInt(mv, offset + length);
    invoke(mv, method(Arrays.class, "copyOfRange", float[].class, int.class, int.class));
  }

  private static void callLayers(MethodVisitor mv, String self, List<Layer> layers) {
    for (Layer l : layers) {
      mv.visitVarInsn(ALOAD, 0);
      loadExecuteParams(mv);
      mv.visitMethodInsn(INVOKESPECIAL, self, l.methodName(), EXECUTE_DESC, false);
    }
  }

  /**
   * As the source backend writes it: {@code long start = System.nanoTime();} then each layer call
   * followed by {@code start = lap(layerNanos, index, start);} (the last result dropped).
   */
  private static void callLayersTimed(MethodVisitor mv, String self, List<Layer> layers) {
    if (layers.isEmpty()) {
      return;
    }
    int start = layerNanosSlot() + 1;
    mv.visitMethodInsn(INVOKESTATIC, "java/lang/System", "nanoTime", "()J", false);
    mv.visitVarInsn(LSTORE, start);
    for (int i = 0; i < layers.size(); i++) {
      Layer l = layers.get(i);
      mv.visitVarInsn(ALOAD, 0);
      loadExecuteParams(mv);
      mv.visitMethodInsn(INVOKESPECIAL, self, l.methodName(), EXECUTE_DESC, false);
      mv.visitVarInsn(ALOAD, layerNanosSlot());
      pushInt(mv, l.index());
      mv.visitVarInsn(LLOAD, start);
      mv.visitMethodInsn(INVOKESTATIC, self, "lap", LAP_DESC, false);
      if (i < layers.size() - 1) {
        mv.visitVarInsn(LSTORE, start);
      } else {
        mv.visitInsn(POP2);
      }
    }
  }

  /**
   * {@code private static long lap(long[] layerNanos, int layer, long start)}: {@code long now =
   * System.nanoTime(); layerNanos[layer] += now - start; return now;}
   */
  private static void addLap(ClassWriter cw) {
    MethodVisitor mv = cw.visitMethod(ACC_PRIVATE | ACC_STATIC, "lap", LAP_DESC, null, null);
    mv.visitCode();
    final int layerNanos = 0;
    final int layer = 1;
    final int start = 2;
    final int now = 4;
    mv.visitMethodInsn(INVOKESTATIC, "java/lang/System", "nanoTime", "()J", false);
    mv.visitVarInsn(LSTORE, now);
    mv.visitVarInsn(ALOAD, layerNanos);
    mv.visitVarInsn(ILOAD, layer);
    mv.visitInsn(DUP2);
    mv.visitInsn(LALOAD);
    mv.visitVarInsn(LLOAD, now);
    mv.visitVarInsn(LLOAD, start);
    mv.visitInsn(LSUB);
    mv.visitInsn(LADD);
    mv.visitInsn(LASTORE);
    mv.visitVarInsn(LLOAD, now);
    mv.visitInsn(LRETURN);
    endMethod(mv);
  }

  /** The slot of {@code layerNanos} in an instance method taking the profiled parameters. */
  private static int layerNanosSlot() {
    int slot = 1;
    for (ModelClass.Param p : ModelClass.EXECUTE_PARAMS) {
      slot += Type.getType(p.type()).getSize();
    }
    return slot;
  }

  private static void addLayerMethods(ClassWriter cw, String self, List<Layer> layers) {
    for (Layer l : layers) {
      MethodVisitor mv = cw.visitMethod(ACC_PRIVATE, l.methodName(), EXECUTE_DESC, null, null);
      mv.visitCode();
      for (Call call : l.calls()) {
        for (Operand op : call.operands()) {
          push(mv, self, op);
        }
        Method m = call.method();
        invoke(mv, m);
        Class<?> returned = m.getReturnType();
        if (returned != void.class) {
          mv.visitInsn(returned == long.class || returned == double.class ? POP2 : POP);
        }
      }
      mv.visitInsn(RETURN);
      endMethod(mv);
    }
  }

  private static void push(MethodVisitor mv, String self, Operand op) {
    if (op instanceof Operand.ExecuteParam p) {
      loadExecuteParam(mv, p.index());
    } else if (op instanceof Operand.Null) {
      mv.visitInsn(ACONST_NULL);
    } else if (op instanceof Operand.IntValue i) {
      pushInt(mv, i.value());
    } else if (op instanceof Operand.FloatValue f) {
      pushFloat(mv, f.value());
    } else if (op instanceof Operand.BoolValue b) {
      mv.visitInsn(b.value() ? ICONST_1 : ICONST_0);
    } else if (op instanceof Operand.EnumValue e) {
      Class<?> type = e.value().getDeclaringClass();
      mv.visitFieldInsn(GETSTATIC, Type.getInternalName(type), e.value().name(), Type.getDescriptor(type));
    } else if (op instanceof Operand.StaticField f) {
      mv.visitFieldInsn(GETSTATIC, Type.getInternalName(f.field().getDeclaringClass()),
          f.field().getName(), Type.getDescriptor(f.field().getType()));
    } else if (op instanceof Operand.ConstantRef c) {
      mv.visitFieldInsn(GETSTATIC, self, c.constant().name(), Type.getDescriptor(c.constant().type()));
    } else if (op instanceof Operand.EpilogueRef e) {
      mv.visitVarInsn(ALOAD, 0);
      mv.visitFieldInsn(GETFIELD, self, e.field().name(), EPILOGUE_DESC);
    } else {
      throw new AssertionError(op);
    }
  }

  private static void loadExecuteParams(MethodVisitor mv) {
    for (int i = 0; i < ModelClass.EXECUTE_PARAMS.size(); i++) {
      loadExecuteParam(mv, i);
    }
  }

  /** Loads parameter {@code index} of an instance method with {@link ModelClass#EXECUTE_PARAMS}. */
  private static void loadExecuteParam(MethodVisitor mv, int index) {
    int slot = 1;
    for (int i = 0; i < index; i++) {
      slot += Type.getType(ModelClass.EXECUTE_PARAMS.get(i).type()).getSize();
    }
    Type type = Type.getType(ModelClass.EXECUTE_PARAMS.get(index).type());
    mv.visitVarInsn(type.getOpcode(ILOAD), slot);
  }

  private static String executeDescriptor() {
    Type[] params = ModelClass.EXECUTE_PARAMS.stream().map(p -> Type.getType(p.type()))
        .toArray(Type[]::new);
    return Type.getMethodDescriptor(Type.VOID_TYPE, params);
  }

  private static String profiledDescriptor() {
    List<Type> params = new java.util.ArrayList<>();
    ModelClass.EXECUTE_PARAMS.forEach(p -> params.add(Type.getType(p.type())));
    params.add(Type.getType(ModelClass.LAYER_NANOS_PARAM.type()));
    return Type.getMethodDescriptor(Type.VOID_TYPE, params.toArray(Type[]::new));
  }

  private static void pushTensorInfos(MethodVisitor mv, List<Program.IoSlot> slots) {
    String info = Type.getInternalName(TensorInfo.class);
    pushInt(mv, slots.size());
    mv.visitTypeInsn(ANEWARRAY, info);
    for (int i = 0; i < slots.size(); i++) {
      Program.IoSlot s = slots.get(i);
      mv.visitInsn(DUP);
      pushInt(mv, i);
      mv.visitTypeInsn(NEW, info);
      mv.visitInsn(DUP);
      pushString(mv, s.name());
      pushIntArray(mv, s.shape());
      pushInt(mv, s.arenaOffset());
      mv.visitMethodInsn(INVOKESPECIAL, info, "<init>", Type.getConstructorDescriptor(
          constructor(TensorInfo.class, String.class, int[].class, int.class)), false);
      mv.visitInsn(AASTORE);
    }
  }

  /** Like the source backend's string expression: literal pieces joined with {@code concat}. */
  private static void pushString(MethodVisitor mv, String s) {
    List<String> pieces = JavaText.literalPieces(s);
    mv.visitLdcInsn(pieces.get(0));
    for (int i = 1; i < pieces.size(); i++) {
      mv.visitLdcInsn(pieces.get(i));
      mv.visitMethodInsn(INVOKEVIRTUAL, STRING, "concat", "(Ljava/lang/String;)Ljava/lang/String;", false);
    }
  }

  private static void pushIntArray(MethodVisitor mv, int[] values) {
    pushInt(mv, values.length);
    mv.visitIntInsn(NEWARRAY, T_INT);
    for (int i = 0; i < values.length; i++) {
      mv.visitInsn(DUP);
      pushInt(mv, i);
      pushInt(mv, values[i]);
      mv.visitInsn(IASTORE);
    }
  }

  private static void pushInt(MethodVisitor mv, int v) {
    if (v >= -1 && v <= 5) {
      mv.visitInsn(ICONST_0 + v);
    } else if (v >= Byte.MIN_VALUE && v <= Byte.MAX_VALUE) {
      mv.visitIntInsn(BIPUSH, v);
    } else if (v >= Short.MIN_VALUE && v <= Short.MAX_VALUE) {
      mv.visitIntInsn(SIPUSH, v);
    } else {
      mv.visitLdcInsn(v);
    }
  }

  /**
   * Pushes exactly {@code v}. A NaN other than the canonical one goes through {@link
   * Float#intBitsToFloat}, as in the source backend: a NaN constant's payload is not guaranteed to
   * survive the constant pool.
   */
  private static void pushFloat(MethodVisitor mv, float v) {
    int bits = Float.floatToRawIntBits(v);
    if (Float.isNaN(v) && bits != Float.floatToRawIntBits(Float.NaN)) {
      pushInt(mv, bits);
      mv.visitMethodInsn(INVOKESTATIC, "java/lang/Float", "intBitsToFloat", "(I)F", false);
    } else {
      mv.visitLdcInsn(v);
    }
  }

  private static void invoke(MethodVisitor mv, Method m) {
    Class<?> owner = m.getDeclaringClass();
    boolean isStatic = java.lang.reflect.Modifier.isStatic(m.getModifiers());
    mv.visitMethodInsn(isStatic ? INVOKESTATIC : owner.isInterface() ? INVOKEINTERFACE : INVOKEVIRTUAL,
        Type.getInternalName(owner), m.getName(), Type.getMethodDescriptor(m), owner.isInterface());
  }

  private static Method method(Class<?> owner, String name, Class<?>... params) {
    try {
      return owner.getMethod(name, params);
    } catch (NoSuchMethodException e) {
      throw new IllegalStateException("runtime-min changed: no " + owner.getName() + "." + name, e);
    }
  }

  private static Constructor<?> constructor(Class<?> owner, Class<?>... params) {
    try {
      return owner.getConstructor(params);
    } catch (NoSuchMethodException e) {
      try {
        return owner.getDeclaredConstructor(params);
      } catch (NoSuchMethodException e2) {
        throw new IllegalStateException("runtime-min changed: no constructor " + owner.getName(), e2);
      }
    }
  }

  private static void endMethod(MethodVisitor mv) {
    mv.visitMaxs(0, 0);
    mv.visitEnd();
  }

}
