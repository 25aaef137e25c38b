package dev.kiln.compiler.passes;

import dev.kiln.compiler.ir.Graph;
import dev.kiln.compiler.ir.Node;
import java.util.function.BiConsumer;
import java.util.function.Consumer;

/**
 * What passes report to and what the pipeline consults while running them: the rewrite log (which
 * the optimization report reads), an optional trace sink that receives each log entry as a line,
 * whether to verify the graph after every pass (on in tests), and an optional hook called with the
 * graph after each pass ({@code --dump-after}).
 */
public final class PassContext {
  private final RewriteLog log;
  private final Consumer<String> trace;
  private final boolean verifyEachPass;
  private final BiConsumer<Pass, Graph> afterEachPass;

  private PassContext(RewriteLog log, Consumer<String> trace, boolean verifyEachPass,
      BiConsumer<Pass, Graph> afterEachPass) {
    this.log = log;
    this.trace = trace;
    this.verifyEachPass = verifyEachPass;
    this.afterEachPass = afterEachPass;
  }

  /** Logs rewrites, traces nothing, verifies only at the end of a pipeline. */
  public static PassContext quiet() {
    return builder().build();
  }

  public static Builder builder() {
    return new Builder();
  }

  public RewriteLog log() {
    return log;
  }

  public boolean verifyEachPass() {
    return verifyEachPass;
  }

  /** Reports a rewrite that {@code pass} made; {@code node} is the node it removed or replaced. */
  public void fired(Pass pass, Node node, String message) {
    record(new Rewrite(pass.name(), Rewrite.Outcome.FIRED, node.name(), message));
  }

  /** Reports a candidate {@code pass} left alone, the message saying why. */
  public void refused(Pass pass, Node node, String message) {
    record(new Rewrite(pass.name(), Rewrite.Outcome.REFUSED, node.name(), message));
  }

  void record(Rewrite rewrite) {
    log.add(rewrite);
    if (trace != null) {
      trace.accept(rewrite.toString());
    }
  }

  /** A context with its own log and no trace: one iteration of a pass repeated to a fixed point. */
  PassContext scratch() {
    return new PassContext(new RewriteLog(), null, false, null);
  }

  void afterPass(Pass pass, Graph graph) {
    if (afterEachPass != null) {
      afterEachPass.accept(pass, graph);
    }
  }

  /** Assembles a context; everything is off by default. */
  public static final class Builder {
    private Consumer<String> trace;
    private boolean verifyEachPass;
    private BiConsumer<Pass, Graph> afterEachPass;

    private Builder() {}

    /** Receives every log entry as a line ({@code --trace-passes}). */
    public Builder trace(Consumer<String> sink) {
      this.trace = sink;
      return this;
    }

    /** Runs {@code GraphVerifier} after every pass; a pass that breaks the graph is a bug. */
    public Builder verifyEachPass(boolean value) {
      this.verifyEachPass = value;
      return this;
    }

    /** Called with each pass and the graph it returned ({@code --dump-after}). */
    public Builder afterEachPass(BiConsumer<Pass, Graph> hook) {
      this.afterEachPass = hook;
      return this;
    }

    public PassContext build() {
      return new PassContext(new RewriteLog(), trace, verifyEachPass, afterEachPass);
    }
  }
}
