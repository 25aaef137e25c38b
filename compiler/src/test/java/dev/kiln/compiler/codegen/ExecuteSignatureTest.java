package dev.kiln.compiler.codegen;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.kiln.runtime.KilnModel;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The backends declare {@code execute} and every layer method from {@link ModelClass#EXECUTE_PARAMS}:
 * when {@code KilnModel.execute} changes (a thread team for the thread count), this fails until that
 * one list follows.
 */
class ExecuteSignatureTest {
  @Test
  void executeParamsMatchKilnModel() {
    Method execute = Arrays.stream(KilnModel.class.getDeclaredMethods())
        .filter(m -> m.getName().equals("execute")).findFirst().orElseThrow();
    assertEquals(true, Modifier.isAbstract(execute.getModifiers()));
    assertEquals(List.of(execute.getParameterTypes()),
        ModelClass.EXECUTE_PARAMS.stream().map(ModelClass.Param::type).toList());
  }

  @Test
  void profiledParamsAreExecuteParamsAndLayerNanos() {
    Method profiled = Arrays.stream(KilnModel.class.getDeclaredMethods())
        .filter(m -> m.getName().equals("executeProfiled")).findFirst().orElseThrow();
    List<Class<?>> expected = new java.util.ArrayList<>(
        ModelClass.EXECUTE_PARAMS.stream().map(ModelClass.Param::type).toList());
    expected.add(ModelClass.LAYER_NANOS_PARAM.type());
    assertEquals(expected, List.of(profiled.getParameterTypes()));
  }
}
