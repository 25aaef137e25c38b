package dev.kiln.compiler.codegen;

import java.lang.reflect.Constructor;
import java.lang.reflect.Field;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.TreeSet;

/** A class's declared members as text, nested classes included, for comparing two backends' output. */
final class ClassStructure {
  private ClassStructure() {}

  static String of(Class<?> c) {
    StringBuilder sb = new StringBuilder();
    describe(c, sb);
    return sb.toString();
  }

  private static void describe(Class<?> c, StringBuilder sb) {
    sb.append(Modifier.toString(c.getModifiers())).append(" class ").append(c.getName())
        .append(" extends ").append(c.getSuperclass().getName()).append('\n');
    TreeSet<String> members = new TreeSet<>();
    for (Field f : c.getDeclaredFields()) {
      if (!f.isSynthetic()) {
        members.add(Modifier.toString(f.getModifiers()) + " " + f.getType().getTypeName() + " " + f.getName());
      }
    }
    for (Constructor<?> k : c.getDeclaredConstructors()) {
      if (!k.isSynthetic()) {
        members.add(Modifier.toString(k.getModifiers()) + " <init>" + Arrays.toString(k.getParameterTypes()));
      }
    }
    for (Method m : c.getDeclaredMethods()) {
      if (!m.isSynthetic()) {
        members.add(Modifier.toString(m.getModifiers()) + " " + m.getReturnType().getTypeName() + " "
            + m.getName() + Arrays.toString(m.getParameterTypes()) + (m.isVarArgs() ? " varargs" : ""));
      }
    }
    members.forEach(m -> sb.append("  ").append(m).append('\n'));
    List<Class<?>> nested = new ArrayList<>(Arrays.asList(c.getDeclaredClasses()));
    nested.sort((a, b) -> a.getName().compareTo(b.getName()));
    for (Class<?> n : nested) {
      describe(n, sb);
    }
  }
}
