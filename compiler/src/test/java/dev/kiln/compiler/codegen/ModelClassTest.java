package dev.kiln.compiler.codegen;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kiln.compiler.lower.Arg;
import dev.kiln.compiler.lower.KernelCall;
import dev.kiln.runtime.kernels.reference.ReferenceUnary;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class ModelClassTest {
  private static KernelCall relu(String layer) {
    return new KernelCall(layer, "Relu", "", ReferenceUnary.class, "relu", List.of(new Arg.Arena(),
        new Arg.IntArg(0, "inOffset"), new Arg.Arena(), new Arg.IntArg(0, "outOffset"),
        new Arg.IntArg(1, "count")));
  }

  @Test
  void layersSharingALongPrefixGetShortNumberedNames() {
    String prefix = "/model/encoder/block_with_a_very_long_descriptive_name/conv_";
    List<KernelCall> calls = new ArrayList<>();
    for (int i = 0; i < 2_000; i++) {
      calls.add(relu(prefix + i));
    }
    ModelClass layout = ModelClass.of(HandMadePrograms.of("p", calls, 16, new float[0]),
        CodegenOptions.of("", "Prefixes"), 0);
    Set<String> names = new HashSet<>();
    for (ModelClass.Part part : layout.parts()) {
      for (ModelClass.Layer l : part.layers()) {
        assertTrue(l.methodName().length() <= JavaNames.MAX_DERIVED_LENGTH + 6, l.methodName());
        names.add(l.methodName());
      }
    }
    assertEquals(2_000, names.size(), "unique");
  }

  @Test
  void keywordsRestrictedIdentifiersAndOwnMembersAreRenamed() {
    List<KernelCall> calls = new ArrayList<>();
    for (String name : List.of("class", "yield", "execute", "run", "var", "int", "ints", "conv",
        "conv")) {
      calls.add(relu(name));
      calls.add(relu("separator"));
    }
    ModelClass layout = ModelClass.of(HandMadePrograms.of("p", calls, 16, new float[0]),
        CodegenOptions.of("", "Keywords"), 0);
    // Keywords get JavaPoet's trailing '_'; names the class itself uses (and restricted
    // identifiers, reserved up front) and repeated names get a number.
    assertEquals(List.of("class_", "separator", "yield_2", "separator_2", "execute_2", "separator_3",
        "run_2", "separator_4", "var_2", "separator_5", "int_", "separator_6", "ints_2",
        "separator_7", "conv", "separator_8", "conv_2", "separator_9"),
        layout.parts().get(0).layers().stream().map(ModelClass.Layer::methodName).toList());
  }
}
