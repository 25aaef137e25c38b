package dev.kiln.compiler.passes;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/** Every rewrite that fired and every candidate that was refused, in the order they happened. */
public final class RewriteLog {
  private final List<Rewrite> entries = new ArrayList<>();

  public void add(Rewrite rewrite) {
    entries.add(rewrite);
  }

  public List<Rewrite> entries() {
    return Collections.unmodifiableList(entries);
  }

  public List<Rewrite> fired() {
    return entries.stream().filter(Rewrite::fired).toList();
  }

  public List<Rewrite> refused() {
    return entries.stream().filter(r -> !r.fired()).toList();
  }

  public int size() {
    return entries.size();
  }
}
