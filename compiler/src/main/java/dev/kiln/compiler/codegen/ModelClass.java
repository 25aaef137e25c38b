package dev.kiln.compiler.codegen;

import com.palantir.javapoet.NameAllocator;
import dev.kiln.compiler.lower.Arg;
import dev.kiln.compiler.lower.EpilogueSpec;
import dev.kiln.compiler.lower.KernelCall;
import dev.kiln.compiler.lower.Program;
import dev.kiln.compiler.memory.MemoryPlan;
import dev.kiln.runtime.kernels.Epilogue;
import java.lang.reflect.Field;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * The shape of a generated model class, decided once for both backends: every name (through one
 * {@link NameAllocator}, since node names are untrusted), every constant, epilogue field and layer
 * method, the header comment, and how the layers are split into parts. The Java source backend and
 * the bytecode backend walk this same structure, so their classes have the same members and compute
 * the same results bit for bit.
 *
 * <p>Layers are grouped one private method per layer. A class file caps each method at 64 KiB of
 * code and its constant pool at 65,535 entries, and the static initializer (which builds the
 * geometry constants) and the constructor (which builds the epilogues) grow with the layer count.
 * So layers are packed into {@link Part}s by a conservative estimate of what each adds: a model
 * whose layers fit in one part (every CNN up to ResNet-50 and well beyond) is one readable class;
 * a larger one gets one nested class per part, each with its own constants and initializers.
 */
public final class ModelClass {
  /** A parameter of {@code KilnModel.execute}; every layer method takes the same ones. */
  public record Param(String name, Class<?> type) {}

  /**
   * The parameters of {@code KilnModel.execute}, in order, as generated methods declare and pass
   * them: the one place to change when that signature changes (a thread team replacing the thread
   * count), together with the {@link Arg} kind that refers to the new parameter in {@link #operand}.
   * A test checks this against {@code KilnModel}.
   */
  public static final List<Param> EXECUTE_PARAMS = List.of(
      new Param("arena", float[].class), new Param("weights", float[].class),
      new Param("team", dev.kiln.runtime.parallel.ThreadTeam.class));

  /**
   * The parameter {@code KilnModel.executeProfiled} takes after {@link #EXECUTE_PARAMS}: each
   * layer's nanoseconds are added to {@code layerNanos[}{@link Layer#index}{@code ]}.
   */
  public static final Param LAYER_NANOS_PARAM = new Param("layerNanos", long[].class);

  private static final int ARENA_PARAM = 0;
  private static final int WEIGHTS_PARAM = 1;
  private static final int TEAM_PARAM = 2;

  /** Longest {@code int[]} constant written as an array literal; longer ones are encoded in strings. */
  public static final int MAX_INLINE_INTS = 64;

  /** Ints per string piece of an encoded {@code int[]} (two chars each, see {@link #encodeInts}). */
  public static final int INTS_PER_PIECE = JavaText.MAX_LITERAL_CHARS / 2;

  /** Per-part budgets, far enough under the class-file limits that the estimate may be rough. */
  static final int MAX_CONSTANT_POOL_ESTIMATE = 24_000;
  static final int MAX_INITIALIZER_BYTES_ESTIMATE = 24_000;
  static final int MAX_LAYERS_PER_PART = 1_000;

  /** How a kernel-call argument is produced at run time. */
  public sealed interface Operand {
    /** One of {@link #EXECUTE_PARAMS}, e.g. the arena. */
    record ExecuteParam(int index) implements Operand {}

    record Null() implements Operand {}

    record IntValue(int value, String role) implements Operand {}

    record FloatValue(float value, String role) implements Operand {}

    record BoolValue(boolean value, String role) implements Operand {}

    record EnumValue(Enum<?> value) implements Operand {}

    /** A public static field of a runtime class: a kernel singleton, {@code Epilogue.NONE}. */
    record StaticField(Field field) implements Operand {}

    /** A static final constant of the part's class ({@link Constant}). */
    record ConstantRef(Constant constant) implements Operand {}

    /** An epilogue instance field of the part's class. */
    record EpilogueRef(EpilogueField field) implements Operand {}
  }

  /**
   * A {@code private static final} constant: a {@code ConvShape} ({@link Arg.ConvShapeArg}) or an
   * {@code int[]} ({@link Arg.IntArrayArg}).
   */
  public record Constant(String name, Arg value) {
    public Constant {
      if (!(value instanceof Arg.ConvShapeArg) && !(value instanceof Arg.IntArrayArg)) {
        throw new IllegalArgumentException("not a constant argument: " + value);
      }
    }

    public Class<?> type() {
      return value.javaType();
    }

    /** Whether this is an {@code int[]} too long for an array literal (see {@link #encodeInts}). */
    public boolean encoded() {
      return value instanceof Arg.IntArrayArg a && a.values().length > MAX_INLINE_INTS;
    }
  }

  /** A {@code private final Epilogue} built in the constructor from the weights. */
  public record EpilogueField(String name, EpilogueSpec spec) {}

  /** One kernel call: the resolved static method and how each argument is produced. */
  public record Call(Method method, List<Operand> operands) {
    public Call {
      operands = List.copyOf(operands);
    }
  }

  /**
   * One layer's private method.
   *
   * @param index the layer's position in the whole model, its slot in {@code executeProfiled}'s
   *     {@code layerNanos}
   * @param layer the graph node's name, untrusted
   * @param notes the algorithm and reason of each call that has one, untrusted
   */
  public record Layer(int index, String methodName, String layer, String opType, List<String> notes,
      List<Call> calls) {
    public Layer {
      notes = List.copyOf(notes);
      calls = List.copyOf(calls);
    }
  }

  /**
   * Layers with their constants and epilogues, in one class.
   *
   * @param className the nested class's simple name, or {@code null} for the model class itself
   * @param fieldName the model class's field holding the part, or {@code null}
   */
  public record Part(String className, String fieldName, List<Constant> constants,
      List<EpilogueField> epilogues, List<Layer> layers) {
    public Part {
      constants = List.copyOf(constants);
      epilogues = List.copyOf(epilogues);
      layers = List.copyOf(layers);
    }
  }

  private final CodegenOptions options;
  private final Program program;
  private final List<Part> parts;
  private final long weightsCrc32;
  private final List<String> header;

  private ModelClass(CodegenOptions options, Program program, List<Part> parts, long weightsCrc32) {
    this.options = options;
    this.program = program;
    this.parts = List.copyOf(parts);
    this.weightsCrc32 = weightsCrc32;
    this.header = header(options, program, parts, weightsCrc32);
  }

  /**
   * Lays out the class for {@code program}.
   *
   * @param weightsCrc32 the CRC-32 of the weights file (see {@link WeightsFile#crc32})
   * @throws IllegalStateException when a call names no public static method with its argument types
   *     (a bug in the lowering)
   */
  public static ModelClass of(Program program, CodegenOptions options, long weightsCrc32) {
    Names names = new Names();
    // Members of KilnModel and of the generated class itself: a layer called "execute" or "run"
    // gets another name rather than an overload that reads like an override. Restricted
    // identifiers too: an unqualified call of a method named yield does not compile.
    for (String reserved : List.of("yield", "var", "record", "sealed", "permits", "execute", "run", "ints", "name", "inputs", "outputs", "input",
        "executeProfiled", "runProfiled", "layerCount", "lap",
        "output", "arenaFloats", "weightFloats", "memoryBytes", "newSession", "close", "toString",
        "hashCode", "equals", "getClass", "weights", "arena", "threads", "WEIGHT_FLOATS",
        "WEIGHTS_CRC32", "WEIGHTS_RESOURCE", "ARENA_FLOATS", "MAX_THREADS", "maxThreads", "MODEL_NAME", options.className())) {
      names.newName(reserved);
    }
    List<LayerDraft> drafts = new ArrayList<>();
    for (Program.Layer layer : program.layers()) {
      drafts.add(draft(drafts.size(), program.calls().subList(layer.firstCall(), layer.endCall()),
          names));
    }
    List<List<LayerDraft>> groups = pack(drafts);
    List<Part> parts = new ArrayList<>();
    if (groups.size() <= 1) {
      parts.add(part(null, null, groups.isEmpty() ? List.of() : groups.get(0)));
    } else {
      for (int p = 0; p < groups.size(); p++) {
        parts.add(part(names.newName("Part" + p), names.newName("part" + p), groups.get(p)));
      }
    }
    return new ModelClass(options, program, parts, weightsCrc32);
  }

  public CodegenOptions options() {
    return options;
  }

  public Program program() {
    return program;
  }

  /** One part without a class name (everything in the model class), or several nested parts. */
  public List<Part> parts() {
    return parts;
  }

  /** Layers over all parts: what {@code layerCount()} returns. */
  public int layerCount() {
    return parts.stream().mapToInt(p -> p.layers().size()).sum();
  }

  public boolean isSplit() {
    return parts.get(0).className() != null;
  }

  public long weightsCrc32() {
    return weightsCrc32;
  }

  /** The header comment's lines, already safe for a {@code //} comment. */
  public List<String> header() {
    return header;
  }

  /** A layer method's doc: {@code Layer conv1 (Conv): direct: reason.}, untrusted parts unescaped. */
  public static String describe(Layer layer) {
    StringBuilder sb = new StringBuilder("Layer '").append(layer.layer()).append("' (")
        .append(layer.opType()).append(")");
    for (String note : layer.notes()) {
      sb.append("; ").append(note);
    }
    return sb.toString();
  }

  /**
   * An {@code int[]} as string pieces, two chars per int (high 16 bits, then low 16 bits): long
   * tables stay out of the static initializer's code, which an array literal would fill at about 7
   * bytes per element. Generated classes decode them with {@code dev.kiln.runtime.Tables.ints}.
   */
  public static List<String> encodeInts(int[] values) {
    List<String> pieces = new ArrayList<>();
    for (int from = 0; from < values.length; from += INTS_PER_PIECE) {
      int to = Math.min(values.length, from + INTS_PER_PIECE);
      StringBuilder sb = new StringBuilder((to - from) * 2);
      for (int i = from; i < to; i++) {
        sb.append((char) (values[i] >>> 16)).append((char) values[i]);
      }
      pieces.add(sb.toString());
    }
    return pieces;
  }

  /**
   * Unique identifiers. JavaPoet's {@link NameAllocator} makes a suggestion valid (a keyword gets a
   * trailing '_'); a taken name gets a number here rather than NameAllocator's growing run of '_',
   * which thousands of layers sharing a truncated prefix would turn into thousands of characters.
   */
  private static final class Names {
    private final NameAllocator allocator = new NameAllocator();
    private final java.util.Set<String> used = new java.util.HashSet<>();
    private final java.util.Map<String, Integer> nextNumber = new java.util.HashMap<>();

    String newName(String suggestion) {
      int n = nextNumber.getOrDefault(suggestion, 1);
      String candidate = n == 1 ? suggestion : suggestion + "_" + n;
      while (used.contains(candidate)) {
        n++;
        candidate = suggestion + "_" + n;
      }
      nextNumber.put(suggestion, n + 1);
      String name = allocator.newName(candidate);
      used.add(name);
      return name;
    }
  }

  /** A layer before packing, with its size estimates. */
  private record LayerDraft(Layer layer, List<Constant> constants, List<EpilogueField> epilogues,
      int constantPoolEstimate, int staticInitBytes, int constructorBytes) {}

  private static LayerDraft draft(int index, List<KernelCall> calls, Names names) {
    KernelCall first = calls.get(0);
    String methodName = names.newName(JavaNames.lowerCamel(first.layer()));
    String constantPrefix = JavaNames.upperSnake(first.layer());
    String fieldPrefix = JavaNames.lowerCamel(first.layer());
    List<Constant> constants = new ArrayList<>();
    List<EpilogueField> epilogues = new ArrayList<>();
    List<Call> resolved = new ArrayList<>();
    List<String> notes = new ArrayList<>();
    int pool = 6;
    int staticInit = 0;
    int constructor = 0;
    for (KernelCall call : calls) {
      Method method = resolve(call);
      List<Operand> operands = new ArrayList<>();
      for (Arg arg : call.args()) {
        Operand op = operand(arg, names, constantPrefix, fieldPrefix);
        operands.add(op);
        pool += 2;
        if (op instanceof Operand.ConstantRef c) {
          constants.add(c.constant());
          pool += 4;
          staticInit += c.constant().value() instanceof Arg.ConvShapeArg ? 110
              : c.constant().encoded()
                  ? 24 + 8 * encodeInts(((Arg.IntArrayArg) c.constant().value()).values()).size()
                  : 12 + 8 * ((Arg.IntArrayArg) c.constant().value()).values().length;
        } else if (op instanceof Operand.EpilogueRef e) {
          epilogues.add(e.field());
          pool += 4 + 6 * e.field().spec().steps().size();
          constructor += 40 + 30 * e.field().spec().steps().size();
        }
      }
      pool += 4;
      resolved.add(new Call(method, operands));
      if (!call.comment().isEmpty() && !notes.contains(call.comment())) {
        notes.add(call.comment());
      }
    }
    Layer layer = new Layer(index, methodName, first.layer(), first.opType(), notes, resolved);
    return new LayerDraft(layer, constants, epilogues, pool, staticInit, constructor);
  }

  private static Operand operand(Arg arg, Names names, String constantPrefix,
      String fieldPrefix) {
    if (arg instanceof Arg.Arena) {
      return new Operand.ExecuteParam(ARENA_PARAM);
    } else if (arg instanceof Arg.Weights) {
      return new Operand.ExecuteParam(WEIGHTS_PARAM);
    } else if (arg instanceof Arg.Team) {
      return new Operand.ExecuteParam(TEAM_PARAM);
    } else if (arg instanceof Arg.NullArray) {
      return new Operand.Null();
    } else if (arg instanceof Arg.IntArg i) {
      return new Operand.IntValue(i.value(), i.role());
    } else if (arg instanceof Arg.FloatArg f) {
      return new Operand.FloatValue(f.value(), f.role());
    } else if (arg instanceof Arg.BoolArg b) {
      return new Operand.BoolValue(b.value(), b.role());
    } else if (arg instanceof Arg.EnumArg e) {
      checkPublic(e.value().getDeclaringClass());
      return new Operand.EnumValue(e.value());
    } else if (arg instanceof Arg.StaticFieldArg f) {
      return new Operand.StaticField(staticField(f.owner(), f.field(), f.type()));
    } else if (arg instanceof Arg.ConvShapeArg s) {
      return new Operand.ConstantRef(new Constant(
          names.newName(constantPrefix + "_" + JavaNames.upperSnake(s.role())), arg));
    } else if (arg instanceof Arg.IntArrayArg a) {
      return new Operand.ConstantRef(new Constant(
          names.newName(constantPrefix + "_" + JavaNames.upperSnake(a.role())), arg));
    } else if (arg instanceof Arg.EpilogueArg e) {
      if (e.spec().isIdentity()) {
        return new Operand.StaticField(staticField(Epilogue.class, "NONE", Epilogue.class));
      }
      String suffix = e.role().equals("epilogue") ? "Epilogue"
          : JavaNames.lowerCamel(e.role()).substring(0, 1).toUpperCase(Locale.ROOT)
              + JavaNames.lowerCamel(e.role()).substring(1) + "Epilogue";
      return new Operand.EpilogueRef(new EpilogueField(names.newName(fieldPrefix + suffix), e.spec()));
    }
    throw new AssertionError("unknown argument kind " + arg);
  }

  /** The public static method a call names; a mismatch is a bug in the lowering. */
  static Method resolve(KernelCall call) {
    checkPublic(call.owner());
    try {
      Method m = call.owner().getMethod(call.method(), call.parameterTypes());
      if (!Modifier.isStatic(m.getModifiers())) {
        throw new IllegalStateException("lowering bug: " + m + " is not static");
      }
      return m;
    } catch (NoSuchMethodException e) {
      throw new IllegalStateException("lowering bug: no public static " + call.owner().getName() + "."
          + call.method() + Arrays.toString(call.parameterTypes()), e);
    }
  }

  private static Field staticField(Class<?> owner, String name, Class<?> type) {
    checkPublic(owner);
    try {
      Field f = owner.getField(name);
      if (!Modifier.isStatic(f.getModifiers()) || !Modifier.isFinal(f.getModifiers())
          || !type.isAssignableFrom(f.getType())) {
        throw new IllegalStateException("lowering bug: " + f + " is not a static final " + type.getName());
      }
      return f;
    } catch (NoSuchFieldException e) {
      throw new IllegalStateException("lowering bug: no public static field " + owner.getName() + "."
          + name, e);
    }
  }

  /** Generated code lives in the user's package, so everything it names must be public. */
  private static void checkPublic(Class<?> c) {
    for (Class<?> k = c; k != null; k = k.getEnclosingClass()) {
      if (!Modifier.isPublic(k.getModifiers())) {
        throw new IllegalStateException("lowering bug: generated code cannot use " + c.getName()
            + ", which is not public");
      }
    }
  }

  /** Greedy packing in execution order, each part within every budget. */
  private static List<List<LayerDraft>> pack(List<LayerDraft> drafts) {
    List<List<LayerDraft>> groups = new ArrayList<>();
    List<LayerDraft> current = new ArrayList<>();
    int pool = 0;
    int staticInit = 0;
    int constructor = 0;
    for (LayerDraft d : drafts) {
      boolean full = current.size() >= MAX_LAYERS_PER_PART
          || pool + d.constantPoolEstimate() > MAX_CONSTANT_POOL_ESTIMATE
          || staticInit + d.staticInitBytes() > MAX_INITIALIZER_BYTES_ESTIMATE
          || constructor + d.constructorBytes() > MAX_INITIALIZER_BYTES_ESTIMATE;
      if (full && !current.isEmpty()) {
        groups.add(current);
        current = new ArrayList<>();
        pool = 0;
        staticInit = 0;
        constructor = 0;
      }
      current.add(d);
      pool += d.constantPoolEstimate();
      staticInit += d.staticInitBytes();
      constructor += d.constructorBytes();
    }
    if (!current.isEmpty()) {
      groups.add(current);
    }
    return groups;
  }

  private static Part part(String className, String fieldName, List<LayerDraft> drafts) {
    List<Constant> constants = new ArrayList<>();
    List<EpilogueField> epilogues = new ArrayList<>();
    List<Layer> layers = new ArrayList<>();
    for (LayerDraft d : drafts) {
      constants.addAll(d.constants());
      epilogues.addAll(d.epilogues());
      layers.add(d.layer());
    }
    return new Part(className, fieldName, constants, epilogues, layers);
  }

  private static List<String> header(CodegenOptions options, Program program, List<Part> parts,
      long crc) {
    List<String> lines = new ArrayList<>();
    lines.add("Generated by Kiln " + JavaText.comment(options.kilnVersion()) + " \u2014 do not edit.");
    lines.add("");
    if (!options.modelFile().isEmpty()) {
      lines.add("Model: " + JavaText.comment(options.modelFile())
          + (options.modelSha256().isEmpty() ? "" : " (sha256 " + JavaText.comment(options.modelSha256()) + ")"));
    }
    int layerCount = parts.stream().mapToInt(p -> p.layers().size()).sum();
    lines.add("Graph '" + JavaText.comment(program.name()) + "': " + program.inputs().size()
        + " input(s), " + program.outputs().size() + " output(s), " + layerCount + " layer(s), "
        + program.calls().size() + " kernel call(s)"
        + (parts.size() > 1 ? ", split into " + parts.size() + " parts" : ""));
    for (Program.IoSlot s : program.inputs()) {
      lines.add("  input  '" + JavaText.comment(s.name()) + "' " + Arrays.toString(s.shape())
          + " at arena offset " + s.arenaOffset());
    }
    for (Program.IoSlot s : program.outputs()) {
      lines.add("  output '" + JavaText.comment(s.name()) + "' " + Arrays.toString(s.shape())
          + " at arena offset " + s.arenaOffset());
    }
    MemoryPlan plan = program.plan();
    lines.add("");
    lines.add("Memory map: one arena per session, " + program.arenaFloats() + " floats ("
        + plan.arenaBytes() + " bytes); liveness lower bound " + plan.lowerBoundBytes()
        + " bytes, efficiency " + String.format(Locale.ROOT, "%.3f", plan.efficiency())
        + "; offsets in floats.");
    lines.add(String.format(Locale.ROOT, "  %10s %10s  %-10s %-9s %s", "offset", "floats", "kind",
        "steps", "buffer"));
    for (MemoryPlan.Buffer b : plan.buffers()) {
      lines.add(String.format(Locale.ROOT, "  %10d %10d  %-10s %-9s %s", b.offset() / Float.BYTES,
          b.bytes() / Float.BYTES, b.kind(), b.firstStep() + ".." + b.lastStep(),
          JavaText.comment(b.name())));
    }
    lines.add("");
    lines.add("Weights: " + options.weightsResource() + ", " + program.weightFloats()
        + " little-endian floats (" + (long) program.weightFloats() * Float.BYTES + " bytes), CRC-32 "
        + String.format(Locale.ROOT, "%08x", crc) + ".");
    lines.add("");
    lines.add("Layers (algorithm: reason):");
    for (Part p : parts) {
      for (Layer l : p.layers()) {
        StringBuilder sb = new StringBuilder("  ").append(l.methodName()).append(": '")
            .append(JavaText.comment(l.layer())).append("' (").append(JavaText.comment(l.opType()))
            .append(")");
        for (String note : l.notes()) {
          sb.append("; ").append(JavaText.comment(note));
        }
        lines.add(sb.toString());
      }
    }
    return List.copyOf(lines);
  }

  @Override
  public String toString() {
    return options.qualifiedName() + " (" + parts.size() + " part(s), "
        + parts.stream().mapToInt(p -> p.layers().size()).sum() + " layers)";
  }
}
