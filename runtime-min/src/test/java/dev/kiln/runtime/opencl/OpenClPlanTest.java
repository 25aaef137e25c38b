package dev.kiln.runtime.opencl;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.kiln.runtime.TensorInfo;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The plan's JSON form: what the compiler writes, the runtime reads back unchanged. No device needed. */
class OpenClPlanTest {
  private static OpenClPlan plan() {
    return new OpenClPlan("m \"quoted\"\\", "ab12", "-cl-std=CL1.2", 4096, 10, 0xdeadbeefL,
        List.of(new TensorInfo("x", new int[] {1, 3, 4}, 0)),
        List.of(new TensorInfo("y", new int[] {2}, 64), new TensorInfo("z", new int[] {}, 70)),
        List.of(new OpenClPlan.Launch("conv/1", "Conv", "k0_conv", new long[] {64, 32, 2}, new long[] {16, 16, 1},
                new int[] {0, 12, -1}),
            new OpenClPlan.Launch("relu", "Relu", "k1_relu", new long[] {128}, null, new int[] {})));
  }

  @Test
  void roundTripsThroughJson() {
    OpenClPlan p = plan();
    OpenClPlan back = OpenClPlan.parse(p.toJson());
    assertEquals(p.toJson(), back.toJson());
    assertEquals(p.launches(), back.launches());
    assertEquals("m \"quoted\"\\", back.model());
    assertEquals(0xdeadbeefL, back.weightsCrc32());
    assertEquals(List.of("x"), back.inputs().stream().map(TensorInfo::name).toList());
    assertEquals(3, back.inputs().get(0).shape().length);
    assertNull(back.launches().get(1).local());
  }

  @Test
  void rejectsOtherFormatsAndVersions() {
    assertEquals("not an OpenCL plan: expected {\"format\": \"kiln-opencl-plan\", ...}",
        assertThrows(IllegalArgumentException.class, () -> OpenClPlan.parse("{\"format\": \"x\"}")).getMessage());
    String v2 = plan().toJson().replace("\"version\": 1", "\"version\": 2");
    assertEquals("OpenCL plan version 2 is not supported (this runtime reads 1): recompile the model with"
        + " this Kiln version", assertThrows(IllegalArgumentException.class, () -> OpenClPlan.parse(v2)).getMessage());
    assertEquals("OpenCL plan JSON at character 10: expected ':'",
        assertThrows(IllegalArgumentException.class, () -> OpenClPlan.parse("{\"format\" 1")).getMessage());
  }

  @Test
  void launchChecksItsWorkSizes() {
    assertEquals("k: work-group [48] does not divide NDRange [100]",
        assertThrows(IllegalArgumentException.class,
            () -> new OpenClPlan.Launch("l", "Op", "k", new long[] {100}, new long[] {48}, new int[0])).getMessage());
    assertEquals("k: an NDRange has 1 to 3 dimensions, got [1, 1, 1, 1]",
        assertThrows(IllegalArgumentException.class,
            () -> new OpenClPlan.Launch("l", "Op", "k", new long[] {1, 1, 1, 1}, null, new int[0])).getMessage());
  }

  @Test
  void slotsMustFitTheArena() {
    assertEquals("m: 'y' at float 60 does not fit the 256-byte arena",
        assertThrows(IllegalArgumentException.class, () -> new OpenClPlan("m", "", "", 256, 0, 0,
            List.of(), List.of(new TensorInfo("y", new int[] {8}, 60)), List.of())).getMessage());
  }
}
