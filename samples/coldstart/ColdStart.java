import dev.kiln.runtime.KilnModel;
import java.util.Arrays;

/**
 * Cold start of a generated model in a fresh JVM: class load, weights load, first run (then a second
 * run for contrast). Usage, with the model's jar or class folder and runtime-min on the class path:
 *
 * <pre>
 * java -cp kiln-runtime-min.jar:resnet18.jar samples/coldstart/ColdStart.java Resnet18
 * </pre>
 */
public class ColdStart {
  public static void main(String[] args) throws Exception {
    long t0 = System.nanoTime();
    Class<?> c = Class.forName(args[0]);
    long t1 = System.nanoTime();
    KilnModel model = (KilnModel) c.getConstructor().newInstance();
    long t2 = System.nanoTime();
    float[] input = new float[model.inputs().get(0).elements()];
    Arrays.fill(input, 0.5f);
    float[] first = model.run(input);
    long t3 = System.nanoTime();
    float[] second = model.run(input);
    long t4 = System.nanoTime();
    System.out.printf("class load %.1f ms, weights load %.1f ms (%d MB), first run %.1f ms;"
            + " cold start %.1f ms; second run %.1f ms; outputs equal: %b%n",
        (t1 - t0) / 1e6, (t2 - t1) / 1e6, model.weightFloats() * 4L / 1_000_000, (t3 - t2) / 1e6,
        (t3 - t0) / 1e6, (t4 - t3) / 1e6, Arrays.equals(first, second));
  }
}
