package dev.kiln.compiler.select;

import dev.kiln.compiler.api.MemoryMode;
import dev.kiln.compiler.lower.ConvChoice;
import dev.kiln.compiler.memory.MemoryPlan;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/**
 * What the selection stage decided, and the proof that it fits: every convolution's algorithm, the
 * memory plan for those algorithms (verified), and the peak they give.
 *
 * @param choices every convolution's choice, by node name, in graph order
 * @param otherLayers the estimate of every other layer the program runs, by node name
 * @param plan the memory plan of the chosen algorithms' workspace, which the lowering uses
 * @param mode the memory mode asked for; {@code null} when a byte budget was given
 * @param budgetBytes the budget the choice was made under: the user's, the low mode's minimum
 *     feasible peak, the balanced mode's knee; {@code null} for no limit (fast)
 * @param weightBytes the model's weights as stored ({@code 4 × Program.weightFloats()})
 * @param peakBytes weights + arena (activations, scratch and the I/O slots): what a model instance
 *     holds with one session, {@code KilnModel.memoryBytes()}
 * @param minimumPeakBytes the smallest peak any choice of algorithms gives this model (the low mode's)
 * @param estimatedNanos the whole model's estimated latency: the chosen convolutions' times
 *     (measured ones where autotuned) plus the other layers' estimates
 * @param target what the choice was made for: the algorithms and the estimate's figures (the CPU's
 *     machine profile, or a device's)
 * @param autotuned whether {@code --autotune} timed the candidates
 */
public record AlgorithmSelection(Map<String, KernelChoice> choices,
    Map<String, CostModel.Estimate> otherLayers, MemoryPlan plan, MemoryMode mode, Long budgetBytes,
    long weightBytes, long peakBytes, long minimumPeakBytes, double estimatedNanos,
    SelectionTarget target, int threads, boolean autotuned) {
  public AlgorithmSelection {
    choices = Collections.unmodifiableMap(new LinkedHashMap<>(choices));
    otherLayers = Collections.unmodifiableMap(new LinkedHashMap<>(otherLayers));
    Objects.requireNonNull(plan);
    Objects.requireNonNull(target);
  }

  /** The lowering's input: each convolution's kernel and reason. */
  public Map<String, ConvChoice> convChoices() {
    Map<String, ConvChoice> map = new LinkedHashMap<>();
    choices.forEach((layer, c) -> map.put(layer, c.toConvChoice()));
    return map;
  }

  /** How many convolutions run each algorithm, by algorithm name. */
  public Map<String, Integer> algorithmCounts() {
    Map<String, Integer> counts = new TreeMap<>();
    choices.values().forEach(c -> counts.merge(c.algorithm(), 1, Integer::sum));
    return counts;
  }

  /** Bytes of the budget the peak leaves unused; {@code Long.MAX_VALUE} without a budget. */
  public long budgetLeftBytes() {
    return budgetBytes == null ? Long.MAX_VALUE : budgetBytes - peakBytes;
  }
}
