package dev.kiln.compiler.codegen;

import dev.kiln.runtime.KilnModel;
import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.util.Map;

/**
 * Defines a generated model's classes in memory and serves its weights resource beside them, so the
 * class users get runs in this JVM without files: {@code kiln bench} measures it, tests load it.
 * The parent is the loader of runtime-min, which the generated classes extend and call.
 */
public final class ModelClassLoader extends ClassLoader {
  private final Map<String, byte[]> classes;
  private final String weightsPath;
  private final byte[] weights;
  private final String qualifiedName;

  /**
   * @param classes class files by binary name ({@code p.Name}, {@code p.Name$Part0}): {@link
   *     GeneratedModel#classes()}, or what javac made of {@link GeneratedModel#source()}
   */
  public ModelClassLoader(Map<String, byte[]> classes, GeneratedModel model) {
    super(KilnModel.class.getClassLoader());
    this.classes = Map.copyOf(classes);
    this.weightsPath = model.weightsPath();
    this.weights = model.weightsFileBytes();
    this.qualifiedName = model.options().qualifiedName();
  }

  /** Loads the bytecode target's classes and instantiates the model (its weights from the resource). */
  public static KilnModel instantiate(GeneratedModel model) {
    return new ModelClassLoader(model.classes(), model).newModel();
  }

  /** The model class, not yet initialized. */
  public Class<? extends KilnModel> modelClass() {
    try {
      return Class.forName(qualifiedName, false, this).asSubclass(KilnModel.class);
    } catch (ClassNotFoundException e) {
      throw new IllegalStateException("no class " + qualifiedName + " among the generated classes", e);
    }
  }

  /** A new instance of the model through its public no-argument constructor. */
  public KilnModel newModel() {
    try {
      return modelClass().getConstructor().newInstance();
    } catch (ReflectiveOperationException e) {
      throw new IllegalStateException("cannot instantiate " + qualifiedName, e);
    }
  }

  @Override
  protected Class<?> findClass(String name) throws ClassNotFoundException {
    byte[] bytes = classes.get(name);
    if (bytes == null) {
      throw new ClassNotFoundException(name);
    }
    return defineClass(name, bytes, 0, bytes.length);
  }

  @Override
  public InputStream getResourceAsStream(String name) {
    return name.equals(weightsPath) ? new ByteArrayInputStream(weights) : super.getResourceAsStream(name);
  }
}
