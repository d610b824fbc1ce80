import java.util.function.IntToLongFunction;

/** The timing loop every Java twin shares: ITERATIONS runs of the
 *  benchmark INNER times each (the program's arguments), each run's time
 *  printed as `iteration I: N us`, as the Tessera programs print it. */
final class Harness {
    private Harness() {}

    /** Runs `benchmark` as the arguments say; its last result. */
    static long run(String[] args, int defaultInner, IntToLongFunction benchmark) {
        int iterations = args.length > 0 ? Integer.parseInt(args[0]) : 20;
        int inner = args.length > 1 ? Integer.parseInt(args[1]) : defaultInner;
        long result = 0;
        for (int i = 0; i < iterations; i++) {
            long start = System.nanoTime();
            result = benchmark.applyAsLong(inner);
            long micros = (System.nanoTime() - start) / 1000;
            System.out.println("iteration " + i + ": " + micros + " us");
        }
        return result;
    }
}
