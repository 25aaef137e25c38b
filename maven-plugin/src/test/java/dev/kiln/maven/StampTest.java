package dev.kiln.maven;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class StampTest {
  @TempDir Path dir;

  @Test
  void roundTripsAndIsUpToDateOnlyForTheSameInputsWithEveryOutputPresent() throws IOException {
    Path out = Files.writeString(dir.resolve("M.java"), "class M {}");
    List<String> inputs = List.of("kiln=0.1 abc", "input=/m.onnx 0123", "class=M");
    Path file = dir.resolve("stamps/M.stamp");
    new Stamp(inputs, List.of(out)).write(file);

    Stamp read = Stamp.read(file).orElseThrow();
    assertEquals(new Stamp(inputs, List.of(out)), read);
    assertTrue(read.upToDate(inputs));
    assertFalse(read.upToDate(List.of("kiln=0.1 abc", "input=/m.onnx 4567", "class=M")));
    assertEquals(Optional.of("M"), read.value("class"));
    assertEquals(Optional.empty(), read.value("target"));

    Files.delete(out);
    assertFalse(read.upToDate(inputs));
  }

  @Test
  void aFileThatIsNotAStampReadsAsNone() throws IOException {
    assertEquals(Optional.empty(), Stamp.read(dir.resolve("missing.stamp")));
    assertEquals(Optional.empty(), Stamp.read(Files.writeString(dir.resolve("x.stamp"), "kiln=1\n")));
  }

  @Test
  void deletesOnlyOutputsUnderTheGivenRoots() throws IOException {
    Path ours = Files.createDirectories(dir.resolve("project/target/generated"));
    Path theirs = Files.createDirectories(dir.resolve("other/target/generated"));
    Path mine = Files.writeString(ours.resolve("A.java"), "");
    Path notMine = Files.writeString(theirs.resolve("A.java"), "");
    new Stamp(List.of("class=A"), List.of(mine, notMine)).deleteOutputs(List.of(ours));
    assertFalse(Files.exists(mine));
    assertTrue(Files.exists(notMine));
  }
}
