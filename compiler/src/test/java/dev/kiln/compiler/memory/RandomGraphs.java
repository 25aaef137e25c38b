package dev.kiln.compiler.memory;

import dev.kiln.compiler.ir.Graph;
import dev.kiln.compiler.ir.Tensor;
import dev.kiln.compiler.ops.OpRegistry;
import dev.kiln.compiler.testing.Attr;
import dev.kiln.compiler.testing.ModelBuilder;
import dev.kiln.compiler.testing.Tensors;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * Random DAGs for the planner's property test: random fan-in and fan-out, sizes, views (Reshape,
 * Flatten), Concats (channel axis, batch 1), in-place candidates (Relu, Clip, Add), convolutions that
 * change the channel count, and outputs drawn from anywhere in the graph.
 */
final class RandomGraphs {
  /** A generated graph with a seeded input. */
  record Case(long seed, Graph graph, Map<String, Tensor> inputs) {}

  private record Val(String name, int channels, boolean flat) {}

  private RandomGraphs() {}

  static Case generate(long seed) {
    SplittableRandom r = new SplittableRandom(seed);
    int h = 1 + r.nextInt(4);
    int w = 1 + r.nextInt(4);
    int c0 = 1 + r.nextInt(4);
    ModelBuilder b = new ModelBuilder(13).input("x", 1, c0, h, w);
    List<Val> pool = new ArrayList<>();
    pool.add(new Val("x", c0, false));
    boolean concat = OpRegistry.isSupported("Concat");
    java.util.Set<Integer> reshapeTargets = new java.util.HashSet<>();
    int nodes = 2 + r.nextInt(18);
    int constants = 0;
    for (int i = 0; i < nodes; i++) {
      String out = "v" + i;
      Val a = pick(r, pool);
      int kind = r.nextInt(concat ? 8 : 7);
      if (a.flat() && kind != 2) {
        // A flattened value only goes back through Reshape.
        b.node("Reshape", List.of(a.name(), "shape" + a.channels()), List.of(out));
        if (reshapeTargets.add(a.channels())) {
          b.initializer("shape" + a.channels(), Tensors.int64(1, a.channels(), h, w));
        }
        pool.add(new Val(out, a.channels(), false));
        continue;
      }
      switch (kind) {
        case 0 -> {
          b.node("Relu", List.of(a.name()), List.of(out));
          pool.add(new Val(out, a.channels(), false));
        }
        case 1 -> {
          b.node("Clip", List.of(a.name(), "lo", "hi"), List.of(out));
          pool.add(new Val(out, a.channels(), false));
        }
        case 2 -> {
          if (a.flat()) {
            b.node("Relu", List.of(a.name()), List.of(out));
            pool.add(new Val(out, a.channels(), true));
          } else {
            b.node("Flatten", List.of(a.name()), List.of(out));
            pool.add(new Val(out, a.channels(), true));
          }
        }
        case 3, 4 -> {
          Val partner = null;
          for (int tries = 0; tries < 4 && partner == null; tries++) {
            Val p = pick(r, pool);
            if (p.channels() == a.channels() && !p.flat()) {
              partner = p;
            }
          }
          if (partner == null) {
            String bias = "bias" + constants++;
            b.initializer(bias, Tensors.random(seed * 31 + constants, 1, a.channels(), 1, 1));
            b.node("Add", List.of(a.name(), bias), List.of(out));
          } else {
            b.node("Add", List.of(a.name(), partner.name()), List.of(out));
          }
          pool.add(new Val(out, a.channels(), false));
        }
        case 5, 6 -> {
          int m = 1 + r.nextInt(5);
          String weight = "w" + constants++;
          b.initializer(weight, Tensors.random(seed * 17 + constants, m, a.channels(), 3, 3));
          b.node("Conv", List.of(a.name(), weight), List.of(out), Attr.ints("pads", 1, 1, 1, 1));
          pool.add(new Val(out, m, false));
        }
        default -> {
          List<String> parts = new ArrayList<>();
          int channels = 0;
          int count = 2 + r.nextInt(3);
          for (int k = 0; k < count; k++) {
            Val p = pick(r, pool);
            if (!p.flat()) {
              parts.add(p.name());
              channels += p.channels();
            }
          }
          if (parts.isEmpty()) {
            parts.add(a.name());
            channels = a.channels();
          }
          b.node("Concat", parts, List.of(out), Attr.i("axis", 1));
          pool.add(new Val(out, channels, false));
        }
      }
    }
    b.initializer("lo", Tensors.scalar(-0.5f)).initializer("hi", Tensors.scalar(0.75f));
    int outputs = 1 + r.nextInt(3);
    List<String> chosen = new ArrayList<>();
    chosen.add(pool.get(pool.size() - 1).name());
    for (int i = 1; i < outputs; i++) {
      String name = pick(r, pool).name();
      if (!chosen.contains(name) && !name.equals("x")) {
        chosen.add(name);
      }
    }
    chosen.forEach(b::output);
    return new Case(seed, b.importGraph(), Map.of("x", Tensors.random(seed, 1, c0, h, w)));
  }

  private static Val pick(SplittableRandom r, List<Val> pool) {
    return pool.get(r.nextInt(pool.size()));
  }
}
