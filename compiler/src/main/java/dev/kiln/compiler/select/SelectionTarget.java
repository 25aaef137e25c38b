package dev.kiln.compiler.select;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.kiln.compiler.ir.Cost;
import dev.kiln.runtime.kernels.ConvShape;
import dev.kiln.runtime.kernels.conv.ConvKernel;
import java.util.List;

/**
 * What the selection stage needs from the target it chooses for: the convolution algorithms the
 * target runs, how long it estimates each one takes, and how it lowers the layers that are not
 * convolutions. Everything else — the frontier, the proof by the memory planner, the modes, the
 * reasons, the infeasible-budget message — is the stage's own and the same for every target.
 *
 * <p>{@link #cpu} is the CPU's: every algorithm in {@code ConvKernels.all()}, the calibrated
 * roofline of {@link CostModel}, the fast kernels for the other layers. A backend with its own
 * device algorithms (the OpenCL backend's {@code OpenClTarget}) implements this interface.
 */
public interface SelectionTarget {
  /**
   * Every algorithm the target runs; a layer's candidates are those whose {@link
   * ConvKernel#supports} holds (the hard gates). The order breaks exact ties.
   */
  List<ConvKernel> kernels();

  /**
   * An algorithm of {@link #kernels} that supports every geometry: the selection lowers the graph
   * once with it everywhere to count the weights that do not depend on the choice.
   */
  ConvKernel generic();

  /**
   * Whether the layers that are not convolutions lower to runtime-min's reference kernels. The
   * selection's scratch and weight counts use the same lowering as the program, so that the peak
   * it proves is the program's.
   */
  boolean referenceKernels();

  /** The time, FLOPs and bytes of {@code kernel} on a convolution of geometry {@code shape}. */
  CostModel.Estimate estimate(ConvKernel kernel, ConvShape shape);

  /** The estimate of a layer that is not a convolution (it only enters the model's total). */
  CostModel.Estimate estimate(Cost layer);

  /** What {@code report.json} says under {@code "machine"}: {@code "source"}, then the figures. */
  ObjectNode describe();

  /** How messages name the budget: {@code "memory budget"}, {@code "device memory budget"}. */
  default String budgetName() {
    return "memory budget";
  }

  /** The CPU: every registered algorithm, estimated by the roofline over {@code machine}. */
  static SelectionTarget cpu(MachineProfile machine, int threads) {
    return new CpuTarget(new CostModel(machine, threads));
  }
}
