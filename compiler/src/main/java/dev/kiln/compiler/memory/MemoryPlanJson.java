package dev.kiln.compiler.memory;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.kiln.compiler.memory.MemoryPlan.Buffer;
import dev.kiln.compiler.memory.MemoryPlan.Placement;
import java.util.Map;

/**
 * The plan as JSON ({@code <Model>.plan.json} beside generated code): arena size, lower bound and
 * efficiency, the schedule, every buffer with its offset, size and lifetime, and every value's
 * placement.
 */
public final class MemoryPlanJson {
  private static final ObjectMapper MAPPER = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

  private MemoryPlanJson() {}

  public static ObjectNode toJson(MemoryPlan plan) {
    ObjectNode root = MAPPER.createObjectNode();
    root.put("alignment", MemoryPlan.ALIGNMENT);
    root.put("arenaBytes", plan.arenaBytes());
    root.put("lowerBoundBytes", plan.lowerBoundBytes());
    root.put("noReuseBytes", plan.noReuseBytes());
    root.put("efficiency", plan.efficiency());
    root.put("strategy", plan.strategy());
    ArrayNode schedule = root.putArray("schedule");
    plan.schedule().forEach(schedule::add);
    ArrayNode eliminated = root.putArray("eliminatedNodes");
    plan.eliminatedNodes().forEach(eliminated::add);
    ArrayNode buffers = root.putArray("buffers");
    for (Buffer b : plan.buffers()) {
      buffers.addObject()
          .put("name", b.name())
          .put("kind", b.kind().name())
          .put("offset", b.offset())
          .put("bytes", b.bytes())
          .put("firstStep", b.firstStep())
          .put("lastStep", b.lastStep());
    }
    ArrayNode values = root.putArray("values");
    for (Map.Entry<String, Placement> e : plan.values().entrySet()) {
      values.addObject()
          .put("name", e.getKey())
          .put("buffer", e.getValue().buffer())
          .put("offset", plan.valueOffset(e.getKey()))
          .put("bytes", e.getValue().bytes());
    }
    return root;
  }

  public static String toString(MemoryPlan plan) {
    try {
      return MAPPER.writeValueAsString(toJson(plan));
    } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
  }
}
