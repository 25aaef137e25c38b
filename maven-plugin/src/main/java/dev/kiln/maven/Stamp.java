package dev.kiln.maven;

import dev.kiln.compiler.KilnException;
import dev.kiln.compiler.io.AtomicFiles;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * What one generated model was made from and what it wrote, kept in {@code target/kiln/} between
 * builds. A model is up to date when the stamp's inputs (the Kiln build, the model's files and
 * their hashes, every option that reaches the output) equal this build's and every output still
 * exists.
 *
 * <p>The file is text, one {@code key=value} per line, inputs first and {@code output=} lines last,
 * so a person can see why a model was recompiled by diffing two stamps.
 *
 * @param inputs {@code key=value} lines, compared as a whole
 * @param outputs the files the compile wrote
 */
record Stamp(List<String> inputs, List<Path> outputs) {
  private static final String HEADER =
      "# Kiln: the model is compiled again when a line above the outputs changes";
  private static final String OUTPUT = "output=";

  Stamp {
    inputs = List.copyOf(inputs);
    outputs = List.copyOf(outputs);
  }

  /** The stamp in {@code file}, or empty when there is none or it cannot be read as one. */
  static Optional<Stamp> read(Path file) {
    List<String> lines;
    try {
      lines = Files.readAllLines(file, StandardCharsets.UTF_8);
    } catch (IOException e) {
      return Optional.empty();
    }
    if (lines.isEmpty() || !lines.get(0).equals(HEADER)) {
      return Optional.empty();
    }
    List<String> inputs = new ArrayList<>();
    List<Path> outputs = new ArrayList<>();
    for (String line : lines.subList(1, lines.size())) {
      if (line.startsWith(OUTPUT)) {
        try {
          outputs.add(Path.of(line.substring(OUTPUT.length())));
        } catch (InvalidPathException e) {
          return Optional.empty();
        }
      } else {
        inputs.add(line);
      }
    }
    return Optional.of(new Stamp(inputs, outputs));
  }

  void write(Path file) {
    StringBuilder text = new StringBuilder(HEADER).append('\n');
    for (String line : inputs) {
      if (line.startsWith(OUTPUT) || line.indexOf('\n') >= 0) {
        throw new IllegalArgumentException("not a stamp input line: " + line);
      }
      text.append(line).append('\n');
    }
    for (Path output : outputs) {
      if (output.toString().indexOf('\n') >= 0) {
        throw new IllegalArgumentException("an output path with a line break: " + output);
      }
      text.append(OUTPUT).append(output).append('\n');
    }
    AtomicFiles.write(file, text.toString().getBytes(StandardCharsets.UTF_8));
  }

  /** This stamp's outputs are current for {@code inputs}. */
  boolean upToDate(List<String> currentInputs) {
    return inputs.equals(currentInputs) && outputs.stream().allMatch(Files::isRegularFile);
  }

  /** The value of the first {@code key=} line, or empty. */
  Optional<String> value(String key) {
    for (String line : inputs) {
      if (line.startsWith(key + "=")) {
        return Optional.of(line.substring(key.length() + 1));
      }
    }
    return Optional.empty();
  }

  /**
   * Deletes the outputs that still exist under one of {@code roots}; others are left alone (a stamp
   * copied with a project names the original project's files).
   */
  void deleteOutputs(List<Path> roots) {
    for (Path output : outputs) {
      Path abs = output.toAbsolutePath().normalize();
      if (roots.stream().noneMatch(r -> abs.startsWith(r.toAbsolutePath().normalize()))) {
        continue;
      }
      try {
        Files.deleteIfExists(abs);
      } catch (IOException e) {
        throw new KilnException(output + ": cannot delete an output of an earlier build: "
            + e.getMessage());
      }
    }
  }
}
