package dev.kiln.compiler.select;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.kiln.compiler.ir.Cost;
import dev.kiln.runtime.kernels.ConvShape;
import dev.kiln.runtime.kernels.conv.ConvKernel;
import dev.kiln.runtime.kernels.conv.ConvKernels;
import java.util.List;

/**
 * The CPU as the selection sees it: every registered algorithm, the roofline {@link CostModel} over
 * the machine profile, the fast kernels (packed fully connected layers, vectorized pools) for the
 * other layers. The direct convolution supports every geometry and grows no weights.
 */
record CpuTarget(CostModel costModel) implements SelectionTarget {
  @Override
  public List<ConvKernel> kernels() {
    return ConvKernels.all();
  }

  @Override
  public ConvKernel generic() {
    return ConvKernels.DIRECT;
  }

  @Override
  public boolean referenceKernels() {
    return false;
  }

  @Override
  public CostModel.Estimate estimate(ConvKernel kernel, ConvShape shape) {
    return costModel.estimate(kernel, shape);
  }

  @Override
  public CostModel.Estimate estimate(Cost layer) {
    return costModel.estimate(layer);
  }

  @Override
  public ObjectNode describe() {
    ObjectNode machine = JsonNodeFactory.instance.objectNode();
    machine.put("source", costModel.machine().source());
    machine.setAll(costModel.machine().toJson());
    return machine;
  }
}
