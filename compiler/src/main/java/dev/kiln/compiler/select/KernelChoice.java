package dev.kiln.compiler.select;

import dev.kiln.compiler.lower.ConvChoice;
import dev.kiln.runtime.kernels.ConvShape;
import dev.kiln.runtime.kernels.conv.ConvKernel;
import java.util.List;
import java.util.Objects;

/**
 * The algorithm selection's decision for one convolution, explained: what runs, what it costs, what
 * else was considered and why this one won.
 *
 * @param layer the node's name
 * @param op the node's operator ({@code Conv} or {@code kiln.FusedConv})
 * @param candidates every algorithm that supports the layer, in registry order
 * @param chosen the winner, one of {@code candidates}
 * @param reason in words, e.g. "Winograd F(4,3): 2.3x faster than tiled, +1.1 MiB weights, 3.2 MiB
 *     of budget left" or "tiled: Winograd F(2,3) would exceed the budget by 0.8 MiB"
 */
public record KernelChoice(String layer, String op, ConvShape shape, List<Candidate> candidates,
    Candidate chosen, String reason) {
  public KernelChoice {
    Objects.requireNonNull(layer);
    Objects.requireNonNull(shape);
    candidates = List.copyOf(candidates);
    if (!candidates.contains(chosen)) {
      throw new IllegalArgumentException(layer + ": the chosen " + chosen.algorithm()
          + " is not among the candidates");
    }
    Objects.requireNonNull(reason);
  }

  public ConvKernel kernel() {
    return chosen.kernel();
  }

  public String algorithm() {
    return chosen.algorithm();
  }

  public long flops() {
    return chosen.flops();
  }

  public long weightBytes() {
    return chosen.weightBytes();
  }

  public long workspaceBytes() {
    return chosen.workspaceBytes();
  }

  public double estimatedNanos() {
    return chosen.estimatedNanos();
  }

  /**
   * What the lowering takes: the registered kernel's constant and the reason, without the
   * algorithm's name in front (the lowering's comments put the kernel name there).
   */
  public ConvChoice toConvChoice() {
    String prefix = Candidate.displayName(algorithm()) + ": ";
    return ConvChoice.of(chosen.kernel(), reason.startsWith(prefix) ? reason.substring(prefix.length())
        : reason);
  }
}
